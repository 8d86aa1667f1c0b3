"""Signing in and out, the signed-in runner, API tokens and the first runner, over HTTP."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

import pytest
from argon2 import PasswordHasher
from fastapi.testclient import TestClient

from heroicrun.play import accounts, throttle
from tests.conftest import bearer, make_runner

PASSWORD = "correct horse"  # make_runner's
COOKIE = "heroicrun_session"


@pytest.fixture(autouse=True)
def cheap_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """argon2 at its lightest, so a test can make dozens of guesses (the defaults take 0.25 s)."""
    monkeypatch.setattr(accounts, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024))


def cookie(secret: str) -> dict[str, str]:
    return {"Cookie": f"{COOKIE}={secret}"}


def sign_in(client: TestClient, name: str, password: str = PASSWORD) -> str:
    """Sign in and return the session secret, leaving the client's cookie jar empty."""
    answer = client.post("/api/session", json={"name": name, "password": password})
    assert answer.status_code == 200, answer.text
    secret = answer.cookies[COOKIE]
    client.cookies.clear()
    return secret


def test_signing_in_sets_a_guarded_session_cookie(client: TestClient) -> None:
    make_runner(client, "pheidippides")
    answer = client.post("/api/session", json={"name": "pheidippides", "password": PASSWORD})
    assert answer.status_code == 200
    assert answer.json()["runner"]["name"] == "pheidippides"
    set_cookie = answer.headers["set-cookie"]
    assert set_cookie.startswith(f"{COOKIE}=hr_")
    assert "HttpOnly" in set_cookie and "samesite=lax" in set_cookie.lower()
    assert "Secure" not in set_cookie  # plain HTTP on the home network
    me = client.get("/api/me")  # the client now carries the cookie
    assert me.status_code == 200
    assert me.json()["name"] == "pheidippides"
    assert set(me.json()) == {"id", "name", "created_at"}
    assert me.json()["created_at"].endswith("Z")


def test_a_wrong_password_and_an_unknown_name_look_the_same(client: TestClient) -> None:
    make_runner(client, "pheidippides")
    make_runner(client, "tokens-only", password=None)
    answers = [
        client.post("/api/session", json={"name": name, "password": password})
        for name, password in [
            ("pheidippides", "not the password"),
            ("nobody", PASSWORD),
            ("tokens-only", PASSWORD),
        ]
    ]
    assert {a.status_code for a in answers} == {401}
    assert {a.text for a in answers} == {'{"detail":"wrong name or password"}'}
    assert all(COOKIE not in a.cookies for a in answers)


def test_signing_out_kills_the_session(client: TestClient) -> None:
    make_runner(client, "shasta")
    secret = sign_in(client, "shasta")
    assert client.get("/api/me", headers=cookie(secret)).status_code == 200
    out = client.delete("/api/session", headers=cookie(secret))
    assert out.status_code == 204
    assert f'{COOKIE}=""' in out.headers["set-cookie"]
    assert client.get("/api/me", headers=cookie(secret)).status_code == 401
    assert client.delete("/api/session").status_code == 204  # signing out twice is harmless


def test_signing_in_again_replaces_the_browsers_session(client: TestClient) -> None:
    make_runner(client, "shasta")
    first = sign_in(client, "shasta")
    again = client.post(
        "/api/session", json={"name": "shasta", "password": PASSWORD}, headers=cookie(first)
    )
    assert again.status_code == 200
    second = again.cookies[COOKIE]
    client.cookies.clear()
    assert second != first
    assert client.get("/api/me", headers=cookie(first)).status_code == 401
    assert client.get("/api/me", headers=cookie(second)).status_code == 200


def test_signing_out_does_not_revoke_an_api_token_sent_as_a_cookie(client: TestClient) -> None:
    token = make_runner(client, "shasta")
    assert client.delete("/api/session", headers=cookie(token)).status_code == 204
    assert client.get("/api/me", headers=bearer(token)).status_code == 200


def test_nothing_but_a_live_token_or_session_gets_in(client: TestClient) -> None:
    make_runner(client, "lola")
    for headers in [{}, bearer("hr_made-up"), cookie("hr_made-up"), {"Authorization": "Basic x"}]:
        answer = client.get("/api/me", headers=headers)
        assert answer.status_code == 401
        assert answer.headers["www-authenticate"] == "Bearer"


def test_tokens_are_created_listed_without_secrets_and_revoked(client: TestClient) -> None:
    first = make_runner(client, "forrest")
    made = client.post("/api/tokens", json={"name": "phone"}, headers=bearer(first))
    assert made.status_code == 201
    phone = made.json()
    assert phone["name"] == "phone" and phone["token"].startswith("hr_")
    assert client.get("/api/me", headers=bearer(phone["token"])).json()["name"] == "forrest"

    listed = client.get("/api/tokens", headers=bearer(first))
    assert listed.status_code == 200
    tokens = listed.json()["tokens"]
    assert [t["name"] for t in tokens] == ["tests", "phone"]
    assert all(set(t) == {"id", "name", "created_at", "last_used_at"} for t in tokens)
    assert phone["token"] not in listed.text and first not in listed.text
    assert tokens[1]["last_used_at"] is not None  # it was used just above

    gone = client.delete(f"/api/tokens/{phone['id']}", headers=bearer(first))
    assert gone.status_code == 204
    assert client.get("/api/me", headers=bearer(phone["token"])).status_code == 401
    again = client.delete(f"/api/tokens/{phone['id']}", headers=bearer(first))
    assert again.status_code == 404
    names = [t["name"] for t in client.get("/api/tokens", headers=bearer(first)).json()["tokens"]]
    assert names == ["tests"]


def test_a_session_may_manage_tokens_but_is_not_one(client: TestClient) -> None:
    make_runner(client, "forrest")
    secret = sign_in(client, "forrest")
    made = client.post("/api/tokens", json={"name": "watch"}, headers=cookie(secret))
    assert made.status_code == 201
    names = [t["name"] for t in client.get("/api/tokens", headers=cookie(secret)).json()["tokens"]]
    assert names == ["tests", "watch"]


def test_a_token_needs_a_name(client: TestClient) -> None:
    token = make_runner(client, "forrest")
    for body in [{}, {"name": ""}, {"name": "x" * 65}, {"name": "   "}]:
        answer = client.post("/api/tokens", json=body, headers=bearer(token))
        assert answer.status_code in (400, 422), body
        assert "name" in answer.json()["detail"]


def test_one_runner_cannot_list_or_revoke_anothers_tokens(client: TestClient) -> None:
    aragorn = make_runner(client, "aragorn")
    gimli = make_runner(client, "gimli")
    axe = client.post("/api/tokens", json={"name": "axe"}, headers=bearer(gimli)).json()

    listed = client.get("/api/tokens", headers=bearer(aragorn)).json()["tokens"]
    assert [t["name"] for t in listed] == ["tests"]

    theirs = client.delete(f"/api/tokens/{axe['id']}", headers=bearer(aragorn))
    missing_id = axe["id"] + 1000
    missing = client.delete(f"/api/tokens/{missing_id}", headers=bearer(aragorn))
    assert theirs.status_code == missing.status_code == 404
    assert theirs.json()["detail"] == missing.json()["detail"].replace(
        str(missing_id), str(axe["id"])
    )
    assert client.get("/api/me", headers=bearer(axe["token"])).json()["name"] == "gimli"


def test_the_first_visitor_becomes_the_first_runner_and_nobody_after(
    client: TestClient,
) -> None:
    body = {"name": "pheidippides", "password": "rejoice, we conquer"}
    created = client.post("/api/runners", json=body)
    assert created.status_code == 201, created.text
    assert created.json()["runner"]["name"] == "pheidippides"
    assert client.get("/api/me").json()["name"] == "pheidippides"  # signed in at once
    client.cookies.clear()

    refused = client.post("/api/runners", json={"name": "mallory", "password": "let me in!"})
    assert refused.status_code == 403
    assert refused.json()["detail"] == accounts.ADD_RUNNERS_FROM_CLI
    assert "heroicrun runner add NAME" in refused.json()["detail"]
    assert COOKIE not in refused.cookies
    assert sign_in(client, "pheidippides", "rejoice, we conquer").startswith("hr_")


def test_the_first_runner_still_needs_a_good_name_and_password(client: TestClient) -> None:
    short = client.post("/api/runners", json={"name": "lola", "password": "run"})
    assert short.status_code == 400
    assert "at least 8 characters" in short.json()["detail"]
    assert client.post("/api/runners", json={"name": "lola"}).status_code == 422
    assert client.post("/api/runners", json={"name": "lola", "password": "run lola run"}).is_success


def test_the_openapi_document_describes_the_account_routes(client: TestClient) -> None:
    document = client.get("/openapi.json").json()
    paths = document["paths"]
    assert set(paths["/api/session"]) == {"post", "delete"}
    assert set(paths["/api/tokens"]) == {"get", "post"}
    assert "delete" in paths["/api/tokens/{token_id}"]
    assert "get" in paths["/api/me"] and "post" in paths["/api/runners"]
    schemas = document["components"]["schemas"]
    assert {"Credentials", "RunnerOut", "SignedIn", "TokenOut", "TokenList", "CreatedToken"} <= set(
        schemas
    )
    assert {"PasswordChange", "PasswordChanged", "SessionOut", "SessionList"} <= set(schemas)
    assert set(schemas["CreatedToken"]["properties"]) == {"id", "name", "token"}
    assert "token" not in schemas["TokenOut"]["properties"]
    assert {"401", "429"} <= set(paths["/api/session"]["post"]["responses"])
    assert {"401", "403", "429"} <= set(paths["/api/me/password"]["put"]["responses"])
    assert set(paths["/api/sessions"]) == {"get", "delete"}
    assert "404" in paths["/api/sessions/{session_id}"]["delete"]["responses"]
    assert "403" in paths["/api/runners"]["post"]["responses"]
    assert "404" in paths["/api/tokens/{token_id}"]["delete"]["responses"]


def stop_the_clock(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """The accounts' and the throttle's clocks stopped; move them on with `moment[0] += …`."""
    moment = [accounts.now()]
    monkeypatch.setattr(accounts, "now", lambda: moment[0])
    monkeypatch.setattr(throttle, "now", lambda: moment[0])
    return moment


def test_guessing_a_password_is_refused_for_a_while_with_retry_after(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    moment = stop_the_clock(monkeypatch)
    make_runner(client, "pheidippides")
    for _ in range(throttle.NAME_FAILURES):
        guess = client.post("/api/session", json={"name": "pheidippides", "password": "nike!"})
        assert guess.status_code == 401
    refused = client.post("/api/session", json={"name": "pheidippides", "password": PASSWORD})
    assert refused.status_code == 429
    assert refused.headers["retry-after"] == "30"
    assert refused.json()["detail"] == "too many wrong passwords: try again in 30 seconds"
    assert COOKIE not in refused.cookies
    moment[0] += timedelta(seconds=30)
    assert client.post(
        "/api/session", json={"name": "pheidippides", "password": PASSWORD}
    ).is_success


def test_one_client_guessing_many_names_is_refused_for_all(client: TestClient) -> None:
    make_runner(client, "aragorn")
    for number in range(throttle.CLIENT_FAILURES):
        guess = client.post("/api/session", json={"name": f"orc{number}", "password": "uruk-hai"})
        assert guess.status_code == 401
    refused = client.post("/api/session", json={"name": "aragorn", "password": PASSWORD})
    assert refused.status_code == 429 and refused.headers["retry-after"] == "30"


def test_no_more_than_two_passwords_are_hashed_at_once(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_runner(client, "lola")
    lock = threading.Lock()
    pair = threading.Barrier(2, timeout=30)  # two at once must be let in, or this breaks
    active, most = 0, 0

    def hashing(*_args: object, **_kwargs: object) -> None:
        nonlocal active, most
        with lock:
            active += 1
            most = max(most, active)
        try:
            pair.wait()
            time.sleep(0.05)  # room for a third to come in, were it let in
        finally:
            with lock:
                active -= 1
        raise accounts.SignInFailed(accounts.WRONG_PASSWORD)

    monkeypatch.setattr(accounts, "sign_in", hashing)
    body = {"name": "lola", "password": "run lola run"}
    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(lambda _: client.post("/api/session", json=body), range(8)))
    assert [answer.status_code for answer in answers] == [401] * 8
    assert most == 2


def test_a_session_is_no_api_token_and_an_api_token_no_session(client: TestClient) -> None:
    token = make_runner(client, "lola")
    secret = sign_in(client, "lola")
    assert client.get("/api/me", headers=bearer(secret)).status_code == 401
    assert client.get("/api/me", headers=cookie(token)).status_code == 401
    assert client.get("/api/me", headers=bearer(token)).status_code == 200
    assert client.get("/api/me", headers=cookie(secret)).status_code == 200
    for nothing in (b"Bearer \xa0", b"Bearer  ", b"bearer"):  # no bearer at all: the cookie
        headers = [(b"Authorization", nothing), (b"Cookie", f"{COOKIE}={secret}".encode())]
        assert client.get("/api/me", headers=headers).status_code == 200, nothing


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/api/session", {"name": "p\u0000g", "password": PASSWORD}, "body.name"),
        ("/api/session", {"name": "lola", "password": "run\u0000lola"}, "body.password"),
        ("/api/runners", {"name": "lo\u202ela", "password": "run lola run"}, "body.name"),
        ("/api/tokens", {"name": "p\u0000g"}, "body.name"),
        ("/api/me/password", {"current": PASSWORD, "new": "new\u0007bell"}, "body.new"),
    ],
)
def test_control_characters_in_names_and_passwords_are_refused(
    client: TestClient, path: str, body: dict[str, str], field: str
) -> None:
    token = make_runner(client, "lola")
    answer = client.request(
        "PUT" if "password" in path else "POST", path, json=body, headers=bearer(token)
    )
    assert answer.status_code == 422, answer.text
    assert answer.json()["detail"].startswith(
        f"{field}: Value error, control characters such as U+"
    )


def session_ids(client: TestClient, headers: dict[str, str]) -> dict[int, bool]:
    listed = client.get("/api/sessions", headers=headers)
    assert listed.status_code == 200, listed.text
    sessions = listed.json()["sessions"]
    assert all(
        set(s) == {"id", "created_at", "last_used_at", "expires_at", "current"} for s in sessions
    )
    return {s["id"]: s["current"] for s in sessions}


def test_a_runner_lists_their_sessions_and_ends_them_one_by_one(client: TestClient) -> None:
    token = make_runner(client, "shasta")
    other = make_runner(client, "aravis")
    here, there = sign_in(client, "shasta"), sign_in(client, "shasta")
    theirs = sign_in(client, "aravis", PASSWORD)
    listed = client.get("/api/sessions", headers=cookie(here))
    assert here not in listed.text and there not in listed.text
    assert listed.json()["sessions"][0]["expires_at"].endswith("Z")
    ids = session_ids(client, cookie(here))
    assert sorted(ids.values()) == [False, True]
    this = next(id for id, current in ids.items() if current)
    that = next(id for id, current in ids.items() if not current)
    assert session_ids(client, bearer(token)) == {this: False, that: False}

    (their_id,) = session_ids(client, cookie(theirs))
    assert client.delete(f"/api/sessions/{their_id}", headers=cookie(here)).status_code == 404
    assert client.get("/api/me", headers=cookie(theirs)).status_code == 200
    assert client.delete("/api/sessions/0", headers=cookie(here)).status_code == 422

    assert client.delete(f"/api/sessions/{that}", headers=cookie(here)).status_code == 204
    assert client.get("/api/me", headers=cookie(there)).status_code == 401
    assert session_ids(client, cookie(here)) == {this: True}

    ended = client.delete(f"/api/sessions/{this}", headers=cookie(here))
    assert ended.status_code == 204
    assert f'{COOKIE}=""' in ended.headers["set-cookie"]  # ending this one signs out
    assert client.get("/api/me", headers=cookie(here)).status_code == 401
    assert client.get("/api/me", headers=bearer(token)).status_code == 200
    assert client.get("/api/me", headers=bearer(other)).status_code == 200


def test_signing_out_everywhere_else_keeps_this_browser(client: TestClient) -> None:
    token = make_runner(client, "forrest")
    here = sign_in(client, "forrest")
    elsewhere = [sign_in(client, "forrest") for _ in range(3)]
    ended = client.delete("/api/sessions", headers=cookie(here))
    assert ended.status_code == 200 and ended.json() == {"ended": 3}
    assert all(client.get("/api/me", headers=cookie(s)).status_code == 401 for s in elsewhere)
    assert client.get("/api/me", headers=cookie(here)).status_code == 200
    assert client.get("/api/me", headers=bearer(token)).status_code == 200


def test_changing_the_password_signs_out_every_other_browser(client: TestClient) -> None:
    token = make_runner(client, "shasta")
    here, there = sign_in(client, "shasta"), sign_in(client, "shasta")
    new = {"current": PASSWORD, "new": "for narnia and the north"}
    changed = client.put("/api/me/password", json=new, headers=cookie(here))
    assert changed.status_code == 200, changed.text
    assert changed.json() == {"sessions_ended": 1}
    assert client.get("/api/me", headers=cookie(here)).status_code == 200
    assert client.get("/api/me", headers=cookie(there)).status_code == 401
    assert client.get("/api/me", headers=bearer(token)).status_code == 200
    old = client.post("/api/session", json={"name": "shasta", "password": PASSWORD})
    assert old.status_code == 401
    again = sign_in(client, "shasta", "for narnia and the north")
    # With an API token, no browser is "this one": every session ends.
    back = {"current": "for narnia and the north", "new": PASSWORD}
    changed = client.put("/api/me/password", json=back, headers=bearer(token))
    assert changed.json() == {"sessions_ended": 2}
    assert client.get("/api/me", headers=cookie(again)).status_code == 401


def test_a_wrong_current_password_is_refused_and_counted(client: TestClient) -> None:
    token = make_runner(client, "shasta")
    short = {"current": PASSWORD, "new": "bree"}
    answer = client.put("/api/me/password", json=short, headers=bearer(token))
    assert answer.status_code == 400 and "at least 8 characters" in answer.json()["detail"]
    guess = {"current": "hwin", "new": "for narnia and the north"}
    for _ in range(throttle.NAME_FAILURES):
        answer = client.put("/api/me/password", json=guess, headers=bearer(token))
        assert answer.status_code == 403
        assert answer.json()["detail"] == "the current password is not right"
    right = {"current": PASSWORD, "new": "for narnia and the north"}
    refused = client.put("/api/me/password", json=right, headers=bearer(token))
    assert refused.status_code == 429 and refused.headers["retry-after"] == "30"
    assert (
        client.post("/api/session", json={"name": "shasta", "password": PASSWORD}).status_code
        == 429
    )
    assert client.put("/api/me/password", json=right).status_code == 401
