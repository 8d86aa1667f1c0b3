"""Every answer says how little the site needs: its own origin, no framing, no sniffing, no
caching of anything personal; and no page loads a script from elsewhere."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.conftest import bearer, make_runner
from tests.helpers.web import sign_in


def test_pages_and_the_api_carry_the_security_headers(client: TestClient) -> None:
    secret = make_runner(client, "ann")
    for answer in (
        client.get("/signin"),
        client.get("/api/me", headers=bearer(secret)),
        client.get("/api/health"),
        client.get("/static/heroicrun.css"),
    ):
        policy = answer.headers["content-security-policy"]
        assert "default-src 'self'" in policy and "frame-ancestors 'none'" in policy
        assert answer.headers["x-content-type-options"] == "nosniff"
        assert answer.headers["referrer-policy"] == "same-origin"


def test_personal_answers_are_never_cached_static_files_may_be(client: TestClient) -> None:
    secret = make_runner(client, "ann")
    sign_in(client)
    made = client.post("/tokens", data={"name": "phone", "csrf": _token(client)})
    assert made.status_code == 201 and "hr_" in made.text
    assert made.headers["cache-control"] == "no-store"
    assert client.get("/api/runs", headers=bearer(secret)).headers["cache-control"] == "no-store"
    assert "no-store" not in client.get("/static/heroicrun.css").headers.get("cache-control", "")


def test_the_docs_load_nothing_from_elsewhere(client: TestClient) -> None:
    assert client.get("/docs").status_code == 404
    assert client.get("/redoc").status_code == 404
    assert client.get("/openapi.json").json()["info"]["title"] == "heroicrun"


def test_no_page_has_inline_script_or_style(client: TestClient) -> None:
    make_runner(client, "ann")
    sign_in(client)
    client.post("/api/missions/original-marathon/enrol", headers={"Sec-Fetch-Site": "same-origin"})
    for path in ("/", "/upload", "/runs", "/tokens", "/missions/original-marathon"):
        page = client.get(path).text
        assert "<script>" not in page and " style=" not in page and "<style" not in page, path


def _token(client: TestClient) -> str:
    from tests.helpers.web import form_token

    return form_token(client.get("/tokens").text)
