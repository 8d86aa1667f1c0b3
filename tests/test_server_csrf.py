"""Cookie-authenticated requests that change something must come from heroicrun's own pages."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from starlette.requests import Request

from heroicrun.server import csrf
from tests.conftest import bearer, make_runner
from tests.helpers.web import form_token, sign_in

RUN = Path(__file__).parents[1] / "heroicrun" / "samples" / "athens-dawn-run.gpx"
OTHER_SITES = [
    {"Sec-Fetch-Site": "same-site"},  # another port or subdomain: SameSite=Lax lets it through
    {"Sec-Fetch-Site": "cross-site"},
    {"Origin": "http://evil.localhost:8001"},  # an older browser: no Sec-Fetch-Site
    {"Origin": "null"},
]


@pytest.mark.parametrize("headers", OTHER_SITES)
def test_another_sites_page_cannot_restart_an_enrolment(
    client: TestClient, headers: dict[str, str]
) -> None:
    make_runner(client, "ann")
    sign_in(client)
    mine = client.post(
        "/api/missions/reach-sparta/enrol", headers={"Sec-Fetch-Site": "same-origin"}
    )
    assert mine.status_code == 201
    forged = client.post("/api/missions/reach-sparta/enrol", headers=headers)
    assert forged.status_code == 403 and "another site" in forged.json()["detail"]
    enrolments = client.get("/api/enrolments").json()
    assert [e["id"] for e in enrolments if e["active"]] == [mine.json()["id"]]


def test_another_sites_page_cannot_plant_a_run(client: TestClient) -> None:
    secret = make_runner(client, "ann")
    sign_in(client)
    forged = client.post(
        "/api/runs",
        files={"files": ("planted.gpx", RUN.read_bytes())},
        headers={"Sec-Fetch-Site": "same-site"},
    )
    assert forged.status_code == 403
    assert client.get("/api/runs", headers=bearer(secret)).json()["total"] == 0


@pytest.mark.parametrize("value", [b"Bearer \xa0", b"Bearer \t", b"bearer", b"Bearer \xc2\xa0"])
def test_a_blank_bearer_header_is_no_bearer(value: bytes) -> None:
    scope = {"type": "http", "method": "POST", "path": "/", "headers": [(b"authorization", value)]}
    assert csrf.bearer_secret(Request(scope)) is None


def test_a_blank_bearer_header_exempts_nothing(client: TestClient) -> None:
    make_runner(client, "ann")
    sign_in(client)
    blank = {"Authorization": "Bearer \xa0".encode(), "Sec-Fetch-Site": b"same-site"}
    assert client.post("/api/missions/reach-sparta/enrol", headers=blank).status_code == 403
    assert client.post("/api/tokens", json={"name": "x"}, headers=blank).status_code == 403
    assert client.get("/api/enrolments").json() == []


def test_own_pages_plain_clients_and_tokens_go_through(client: TestClient) -> None:
    secret = make_runner(client, "ann")
    sign_in(client)
    own = {"Origin": str(client.base_url), "Host": client.base_url.netloc.decode()}
    assert client.post("/api/missions/reach-sparta/enrol", headers=own).status_code == 201
    assert client.post("/api/missions/reach-sparta/enrol").status_code == 201  # no browser
    with_token = {**bearer(secret), "Sec-Fetch-Site": "cross-site"}
    client.cookies.clear()
    assert client.post("/api/missions/reach-sparta/enrol", headers=with_token).status_code == 201


def test_reading_needs_no_proof_of_origin(client: TestClient) -> None:
    make_runner(client, "ann")
    sign_in(client)
    assert client.get("/api/me", headers={"Sec-Fetch-Site": "cross-site"}).status_code == 200


def test_form_tokens_differ_on_every_page_and_each_one_works(client: TestClient) -> None:
    # Compressed pages must not carry one secret that reads the same on every page (BREACH).
    make_runner(client, "ann")
    first = sign_in(client)
    second = form_token(client.get("/upload").text)
    assert first != second and len(first) == len(second) == 128
    for token in (first, second):
        sent = client.post(
            "/upload", data={"csrf": token}, files=[("files", ("run.gpx", RUN.read_bytes()))]
        )
        assert sent.status_code in (200, 422), sent.text
        assert "This form has expired" not in sent.text
    flipped = first[:64] + format(int(first[64:], 16) ^ 1, "064x")
    refused = client.post("/upload", data={"csrf": flipped}, files=[("files", ("r.gpx", b"x"))])
    assert refused.status_code == 400 and "This form has expired" in refused.text


def test_pages_go_out_compressed_to_a_client_that_accepts_it(client: TestClient) -> None:
    make_runner(client, "ann")
    sign_in(client)
    zipped = client.get("/", headers={"Accept-Encoding": "gzip"})
    assert zipped.headers["content-encoding"] == "gzip"
    plain = client.get("/", headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers
    assert int(zipped.headers["content-length"]) < len(plain.content) / 2
