"""Runner A can neither read, list, download, delete nor enrol runner B's things, by any route.

The test walks every operation in the OpenAPI document, so a route added later is walked too.
"""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.conftest import bearer, make_runner
from tests.helpers import runfiles

RUN_FILE = runfiles.short_run()
# Operations anyone may call, or that only ever act on the caller's own things by design.
OPEN = {
    ("GET", "/api/health"),
    ("POST", "/api/session"),
    ("POST", "/api/runners"),
    ("GET", "/api/missions"),
    ("GET", "/api/missions/{mission_id}"),
}


def test_every_route_keeps_b_s_things_from_a(client: TestClient) -> None:
    b_token = make_runner(client, "runner-b")
    a_token = make_runner(client, "runner-a")
    uploaded = client.post(
        "/api/runs",
        headers=bearer(b_token),
        files={"files": ("b-secret-run.gpx", RUN_FILE.read_bytes(), "application/gpx+xml")},
    )
    assert uploaded.status_code == 201, uploaded.text
    b_run = uploaded.json()["runs"][0]["id"]
    b_token_id = client.post("/api/tokens", headers=bearer(b_token), json={"name": "phone"}).json()[
        "id"
    ]
    assert (
        client.post("/api/missions/reach-sparta/enrol", headers=bearer(b_token)).status_code == 201
    )
    b_browser = TestClient(client.app)
    signed = b_browser.post("/api/session", json={"name": "runner-b", "password": "correct horse"})
    assert signed.status_code == 200, signed.text
    b_session = b_browser.get("/api/sessions").json()["sessions"][0]["id"]
    b_club = client.post("/api/clubs", headers=bearer(b_token), json={"name": "b-secret-club"})
    assert b_club.status_code == 201, b_club.text
    ids = {
        "run_id": b_run,
        "token_id": b_token_id,
        "session_id": b_session,
        "club_id": b_club.json()["id"],
    }

    spec = client.get("/openapi.json").json()
    walked = 0
    for path, operations in spec["paths"].items():
        for method in operations:
            method = method.upper()
            if (method, path) in OPEN:
                continue
            walked += 1
            url = path.format(**ids, mission_id="reach-sparta", runner_name="runner-b")
            answer = client.request(method, url, headers=bearer(a_token))
            text = answer.text
            where = f"{method} {url} -> {answer.status_code}"
            if any(f"{{{name}}}" in path for name in ids):
                # B's object: exactly the answer a missing one gets (ids aside).
                absent = 2**31 - 1
                missing = path.format(
                    **dict.fromkeys(ids, absent), mission_id="x", runner_name="runner-b"
                )
                assert answer.status_code == 404, where
                other = client.request(method, missing, headers=bearer(a_token)).text
                mine = text
                for value in ids.values():
                    mine = mine.replace(str(value), "ID")
                assert other.replace(str(absent), "ID") == mine, where
            else:
                assert answer.status_code < 500, where
            assert "b-secret" not in text and "runner-b" not in text, where
            assert b_club.json()["code"] not in text, where
    assert walked >= 10

    # A enrolling in the mission B is on makes A's own enrolment, and leaves B's alone.
    a_progress = client.get("/api/missions/reach-sparta/progress", headers=bearer(a_token))
    assert a_progress.status_code == 200
    b_progress = client.get("/api/missions/reach-sparta/progress", headers=bearer(b_token))
    assert b_progress.json()["enrolled_at"] != a_progress.json()["enrolled_at"]
    # B's run, token and upload survived A's attempts.
    assert client.get(f"/api/runs/{b_run}", headers=bearer(b_token)).status_code == 200
    tokens = client.get("/api/tokens", headers=bearer(b_token)).json()["tokens"]
    assert any(token["id"] == b_token_id for token in tokens)
    assert b_browser.get("/api/me").status_code == 200  # B's browser is still signed in


def test_without_a_token_only_open_routes_answer(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    for path, operations in spec["paths"].items():
        for method in operations:
            if (method.upper(), path) in OPEN or (method.upper(), path) == (
                "DELETE",
                "/api/session",
            ):
                continue
            url = path.format(
                run_id=1,
                token_id=1,
                session_id=1,
                club_id=1,
                runner_name="x",
                mission_id="reach-sparta",
            )
            answer = client.request(method.upper(), url)
            assert answer.status_code == 401, f"{method.upper()} {url} -> {answer.status_code}"
