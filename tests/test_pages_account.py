"""The account pages: first runner, sign-in and out, API tokens, upload without JavaScript, and
the share target."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from heroicrun.play import accounts, throttle
from heroicrun.server.pages import uploads
from tests.conftest import bearer, make_runner
from tests.helpers import runfiles
from tests.helpers.enrolling import SAMPLE_DAWN, enrol
from tests.helpers.web import PASSWORD, form_token, sign_in

ROOT = Path(__file__).parents[1]
ATHENS = ROOT / "heroicrun" / "samples" / "athens-dawn-run.gpx"
SMALL = runfiles.short_run()
BAD = runfiles.cut_off()
SCRIPT = "<script>alert(1)</script>"
IMAGE = "<img src=x onerror=alert(1)>"  # no "/": a file name keeps all of it


def upload(client: TestClient, token: str, *files: tuple[str, bytes]) -> str:
    answer = client.post("/upload", data={"csrf": token}, files=[("files", file) for file in files])
    return answer.text


def test_an_empty_server_leads_the_first_visitor_to_welcome(client: TestClient) -> None:
    answer = client.get("/", follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"] == "/welcome"
    answer = client.get("/signin?next=/upload", follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"] == "/welcome?next=/upload"
    assert client.get("/signin").url.path == "/welcome"


def test_welcome_creates_the_first_runner_signed_in(client: TestClient) -> None:
    page = client.get("/welcome?next=/upload")
    assert page.status_code == 200 and "first runner" in page.text
    answer = client.post(
        "/welcome",
        data={
            "name": "pheidippides",
            "password": "marathon490",
            "again": "marathon490",
            "next": "/upload",
            "csrf": form_token(page.text),
        },
        follow_redirects=False,
    )
    assert answer.status_code == 303 and answer.headers["location"] == "/upload"
    assert client.get("/api/me").json()["name"] == "pheidippides"
    assert "signed in as pheidippides" in client.get("/upload").text
    assert client.get("/", follow_redirects=False).headers.get("location") != "/welcome"
    # From now on nobody else becomes a runner through the page.
    assert client.get("/welcome", follow_redirects=False).headers["location"] == "/signin"


def test_welcome_says_what_is_wrong(client: TestClient) -> None:
    token = form_token(client.get("/welcome").text)
    fields = {"name": "ann", "password": "marathon490", "again": "marathon491", "csrf": token}
    answer = client.post("/welcome", data=fields)
    assert answer.status_code == 400
    assert "The two passwords are not the same" in answer.text
    answer = client.post("/welcome", data={**fields, "password": "short", "again": "short"})
    assert "The password must have at least 8 characters." in answer.text
    assert client.get("/api/me").status_code == 401


def test_signing_in_with_a_wrong_password_shows_the_form_again(client: TestClient) -> None:
    make_runner(client, "ann")
    page = client.get("/signin")
    assert page.status_code == 200 and "/welcome" not in page.text
    answer = client.post(
        "/signin", data={"name": "ann", "password": "not it", "csrf": form_token(page.text)}
    )
    assert answer.status_code == 401 and "text/html" in answer.headers["content-type"]
    assert "Wrong name or password." in answer.text and 'value="ann"' in answer.text
    assert client.get("/api/me").status_code == 401


@pytest.mark.parametrize(
    ("target", "lands"),
    [
        ("/tokens", "/tokens"),
        ("/runs?page=2", "/runs?page=2"),
        ("//evil.example/", "/"),
        ("https://evil.example/", "/"),
        ("/\\evil.example", "/"),
    ],
)
def test_signing_in_goes_back_only_to_this_site(
    client: TestClient, target: str, lands: str
) -> None:
    make_runner(client, "ann")
    page = client.get("/signin", params={"next": target})
    answer = client.post(
        "/signin",
        data={"name": "ann", "password": PASSWORD, "next": target, "csrf": form_token(page.text)},
        follow_redirects=False,
    )
    assert answer.status_code == 303 and answer.headers["location"] == lands
    assert answer.cookies["heroicrun_session"].startswith("hr_")


def test_signing_out_ends_the_session(client: TestClient) -> None:
    make_runner(client, "ann")
    token = sign_in(client)
    secret = client.cookies["heroicrun_session"]
    answer = client.post("/signout", data={"csrf": token}, follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"] == "/signin"
    assert "heroicrun_session" not in client.cookies
    old_cookie = {"Cookie": f"heroicrun_session={secret}"}
    assert client.get("/api/me", headers=old_cookie).status_code == 401


def test_a_sign_out_without_the_token_asks_first(client: TestClient) -> None:
    make_runner(client, "ann")
    sign_in(client)
    answer = client.post("/signout", follow_redirects=False)
    assert answer.status_code == 200 and "Sign out?" in answer.text
    assert client.get("/api/me").status_code == 200
    assert client.post("/signout", data={"csrf": form_token(answer.text)}).url.path == "/signin"
    assert client.get("/api/me").status_code == 401


def test_the_nav_signs_out_at_once_when_the_browser_vouches_for_the_form(
    client: TestClient,
) -> None:
    make_runner(client, "ann")
    sign_in(client)
    forged = client.post("/signout", headers={"Sec-Fetch-Site": "cross-site"})
    assert forged.status_code == 403 and "another site" in forged.text
    assert client.get("/api/me").status_code == 200
    answer = client.post(
        "/signout", headers={"Sec-Fetch-Site": "same-origin"}, follow_redirects=False
    )
    assert answer.headers["location"] == "/signin"
    assert client.get("/api/me").status_code == 401


def test_a_token_is_shown_once_with_a_curl_line_and_can_be_revoked(client: TestClient) -> None:
    make_runner(client, "ann")
    token = sign_in(client)
    assert client.get("/tokens").status_code == 200
    answer = client.post("/tokens", data={"name": "phone", "csrf": token})
    assert answer.status_code == 201 and answer.headers["cache-control"] == "no-store"
    page = html.unescape(answer.text)
    secret = re.search(r"hr_[A-Za-z0-9_-]+", page)
    assert secret
    assert (
        f'curl -H "Authorization: Bearer {secret.group()}" '
        "-F files=@run.gpx http://testserver/api/runs"
    ) in page
    assert client.get("/api/me", headers=bearer(secret.group())).json()["name"] == "ann"
    listing = client.get("/tokens").text
    assert "phone" in listing and secret.group() not in listing
    tokens = client.get("/api/tokens").json()["tokens"]
    [token_id] = [token["id"] for token in tokens if token["name"] == "phone"]
    assert f'action="/tokens/{token_id}/revoke"' in listing
    revoked = client.post(
        f"/tokens/{token_id}/revoke", data={"csrf": token}, follow_redirects=False
    )
    assert revoked.status_code == 303 and revoked.headers["location"] == "/tokens?revoked=phone"
    assert "revoked" in client.get(revoked.headers["location"]).text
    assert client.get("/api/me", headers=bearer(secret.group())).status_code == 401
    again = client.post(f"/tokens/{token_id}/revoke", data={"csrf": token})
    assert again.status_code == 404 and "already gone" in again.text


def test_the_pages_ask_signed_out_visitors_to_sign_in(client: TestClient) -> None:
    make_runner(client, "ann")
    for path in ("/tokens", "/upload"):
        answer = client.get(path, follow_redirects=False)
        assert answer.headers["location"] == f"/signin?next={path}"
    shared = client.post("/share", files={"files": ("a.gpx", b"<gpx/>")}, follow_redirects=False)
    assert shared.headers["location"] == "/signin?next=/upload&shared=1"
    assert "share your run to heroicrun again" in client.get(shared.headers["location"]).text


@pytest.mark.parametrize(
    ("path", "fields"),
    [
        ("/signin", {"name": "ann", "password": PASSWORD}),
        ("/tokens", {"name": "phone"}),
        ("/tokens/1/revoke", {}),
        ("/upload", {}),
    ],
)
@pytest.mark.parametrize("sent", [None, "", "0" * 64])
def test_every_form_needs_its_csrf_token(
    client: TestClient, path: str, fields: dict[str, str], sent: str | None
) -> None:
    secret = make_runner(client, "ann")
    sign_in(client)
    with client.app.state.writers() as session:  # type: ignore[attr-defined]
        accounts.create_api_token(session, accounts.runner_named(session, "ann"), "phone")
        session.commit()
    data = fields if sent is None else {**fields, "csrf": sent}
    files = {"files": ("a.gpx", SMALL.read_bytes())} if path == "/upload" else None
    answer = client.post(path, data=data, files=files, follow_redirects=False)
    assert answer.status_code == 400 and "This form has expired" in answer.text
    tokens = client.get("/api/tokens", headers=bearer(secret)).json()["tokens"]
    assert [token["name"] for token in tokens] == ["tests", "phone"]  # nothing made or revoked
    assert client.get("/api/runs", headers=bearer(secret)).json()["total"] == 0


def test_another_browsers_token_does_not_pass(client: TestClient) -> None:
    make_runner(client, "ann")
    sign_in(client)
    first = client.cookies["heroicrun_session"]
    other = sign_in(client)  # signing in again replaces the session, and with it the token
    assert client.cookies["heroicrun_session"] != first
    stale = client.post("/tokens", data={"name": "phone", "csrf": "x" + other[1:]})
    assert stale.status_code == 400
    assert client.post("/tokens", data={"name": "phone", "csrf": other}).status_code == 201


def test_an_upload_without_javascript_shows_the_run_and_the_story_it_unlocked(
    client: TestClient,
) -> None:
    secret = make_runner(client, "ann")
    token = sign_in(client)
    assert "not in a mission yet" in client.get("/upload").text
    enrol(client, secret, "run-from-the-horde", SAMPLE_DAWN)
    assert "not in a mission yet" not in client.get("/upload").text
    answer = client.post(
        "/upload",
        data={"csrf": token},
        files={"files": ("athens-dawn-run.gpx", ATHENS.read_bytes())},
    )
    assert answer.status_code == 200 and "<html" in answer.text
    run = client.get("/api/runs", headers=bearer(secret)).json()["runs"][0]
    page = html.unescape(answer.text)
    assert f"{run['distance_m'] / 1000:.2f} km" in page
    assert "1 run stored · 1 new chapter unlocked" in page
    assert "Run From the Horde" in page and "Chapter 1 unlocked" in page
    assert "Insulin and Batteries" in page
    assert "The container gate grinds open just wide enough for one." in page
    assert f'href="/runs/{run["id"]}"' in answer.text


def test_the_script_gets_the_result_alone(client: TestClient) -> None:
    make_runner(client, "ann")
    token = sign_in(client)
    answer = client.post(
        "/upload?fragment=1", data={"csrf": token}, files={"files": ("a.gpx", SMALL.read_bytes())}
    )
    assert answer.status_code == 200 and answer.text.lstrip().startswith("<section")
    assert "<html" not in answer.text and "1 run stored" in answer.text
    client.cookies.clear()
    signed_out = client.post("/upload?fragment=1", files={"files": ("a.gpx", b"")})
    assert signed_out.status_code == 401 and "sign in again" in signed_out.text


def test_a_refused_file_says_why_in_a_sentence(client: TestClient) -> None:
    make_runner(client, "ann")
    token = sign_in(client)
    answer = client.post(
        "/upload",
        data={"csrf": token},
        files=[
            ("files", ("good.gpx", SMALL.read_bytes())),
            ("files", ("broken.gpx", BAD.read_bytes())),
        ],
    )
    assert answer.status_code == 200
    assert "broken.gpx: line 11: ends too early: the XML is cut off" in answer.text
    nothing = client.post(
        "/upload", data={"csrf": token}, files={"files": ("broken.gpx", BAD.read_bytes())}
    )
    assert nothing.status_code == 422 and "Nothing stored" in nothing.text
    empty = client.post("/upload", data={"csrf": token}, files={"files": ("", b"")})
    assert empty.status_code == 422 and "No file came with the upload" in empty.text


def test_what_came_from_a_file_stays_text(client: TestClient) -> None:
    make_runner(client, "ann")
    token = sign_in(client)
    name = b"<name>&lt;script&gt;alert(1)&lt;/script&gt;</name>"
    named = SMALL.read_bytes().replace(b"<trk>", b"<trk>" + name, 1)
    assert named != SMALL.read_bytes()
    answer = client.post(
        "/upload",
        data={"csrf": token},
        files=[
            ("files", ("run.gpx", named)),
            ("files", (f"{IMAGE}.gpx", BAD.read_bytes())),
        ],
    )
    assert answer.status_code == 200
    assert SCRIPT not in answer.text and "<script>" not in answer.text.replace(
        '<script src="/static/upload.js', ""
    )
    assert html.escape(SCRIPT) in answer.text  # the run's name
    assert IMAGE not in answer.text
    assert f"{html.escape(IMAGE)}.gpx: line 11" in answer.text  # the refused file's name


def test_the_manifest_offers_a_share_target_and_icons(client: TestClient) -> None:
    answer = client.get("/manifest.webmanifest")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("application/manifest+json")
    manifest = answer.json()
    assert manifest["start_url"] == "/" and manifest["display"] == "standalone"
    assert manifest["share_target"] == {
        "action": "/share",
        "method": "POST",
        "enctype": "multipart/form-data",
        "params": {"files": [{"name": "files", "accept": [*uploads.ACCEPT, "*/*"]}]},
    }
    for icon in manifest["icons"]:
        image = client.get(icon["src"])
        assert image.status_code == 200, icon
        if icon["type"] == "image/png":
            size = int(icon["sizes"].split("x")[0])
            assert image.content[:8] == b"\x89PNG\r\n\x1a\n"
            assert int.from_bytes(image.content[16:20]) == size  # IHDR width


def test_a_shared_file_is_stored_like_an_upload(client: TestClient) -> None:
    secret = make_runner(client, "ann")
    sign_in(client)
    answer = client.post("/share", files={"files": ("shared.gpx", SMALL.read_bytes())})
    assert answer.status_code == 200 and "1 run stored" in answer.text
    assert client.get("/api/runs", headers=bearer(secret)).json()["total"] == 1
    forged = client.post(
        "/share",
        files={"files": ("forged.gpx", ATHENS.read_bytes())},
        headers={"Sec-Fetch-Site": "cross-site"},
    )
    assert forged.status_code == 403
    assert client.get("/api/runs", headers=bearer(secret)).json()["total"] == 1
    assert client.get("/share", follow_redirects=False).headers["location"] == "/upload"


def test_the_service_worker_is_served_from_the_root(client: TestClient) -> None:
    answer = client.get("/sw.js")
    assert answer.status_code == 200
    assert answer.headers["service-worker-allowed"] == "/"
    assert "javascript" in answer.headers["content-type"]
    assert 'addEventListener("fetch"' in answer.text


def test_guessing_on_the_sign_in_page_is_refused_for_a_while(client: TestClient) -> None:
    make_runner(client, "ann")
    token = form_token(client.get("/signin").text)
    for _ in range(throttle.NAME_FAILURES):
        wrong = client.post("/signin", data={"name": "ann", "password": "nike!", "csrf": token})
        assert wrong.status_code == 401
    refused = client.post(
        "/signin", data={"name": "ann", "password": PASSWORD, "csrf": token}, follow_redirects=False
    )
    assert refused.status_code == 429 and refused.headers["retry-after"] == "30"
    assert "Too many wrong passwords: try again in 30 seconds." in refused.text
    assert "heroicrun_session" not in refused.cookies


def test_the_account_page_lists_browsers_and_signs_out_the_others(client: TestClient) -> None:
    make_runner(client, "ann")
    other = TestClient(client.app)
    sign_in(other)
    token = sign_in(client)
    page = client.get("/account").text
    assert "This browser" in page and "Another browser" in page
    ended = client.post("/account/sessions/end-others", data={"csrf": token})
    assert ended.status_code == 200 and "Another browser" not in ended.text
    assert other.get("/api/me").status_code == 401 and client.get("/api/me").status_code == 200


def test_changing_the_password_on_the_account_page(client: TestClient) -> None:
    make_runner(client, "ann")
    other = TestClient(client.app)
    sign_in(other)
    token = sign_in(client)
    form = {"current": "nope-nope", "new": "a new long one", "again": "a new long one"}
    wrong = client.post("/account/password", data={**form, "csrf": token})
    assert wrong.status_code == 403 and "current password is not right" in wrong.text
    mismatch = client.post(
        "/account/password", data={**form, "current": PASSWORD, "again": "x", "csrf": token}
    )
    assert mismatch.status_code == 400 and "not the same" in mismatch.text
    done = client.post("/account/password", data={**form, "current": PASSWORD, "csrf": token})
    assert done.status_code == 200 and "Password changed; 1 other browser signed out." in done.text
    assert other.get("/api/me").status_code == 401 and client.get("/api/me").status_code == 200
    fresh = TestClient(client.app)
    sign_in(fresh, password="a new long one")
