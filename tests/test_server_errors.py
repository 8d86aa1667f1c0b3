"""Odd input is a 4xx with a sentence, never a 500; a client that leaves is one log line."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.conftest import bearer, make_runner
from tests.helpers.web import sign_in

HUGE = "9223372036854775808"  # one past the largest 64-bit integer


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("DELETE", f"/api/tokens/{HUGE}"),
        ("GET", f"/api/runs/{HUGE}"),
        ("DELETE", f"/api/runs/{HUGE}"),
        ("GET", "/api/runs/-1"),
        ("GET", "/api/runs/1e3"),
        ("GET", f"/api/runs?offset={HUGE}"),
    ],
)
def test_ids_out_of_range_are_refused_by_the_api(
    client: TestClient, method: str, path: str
) -> None:
    secret = make_runner(client, "ann")
    answer = client.request(method, path, headers=bearer(secret))
    assert answer.status_code == 422 and answer.json()["detail"]


@pytest.mark.parametrize("page", ["99999999999999999999", "²", "0", "-3", "x"])
def test_odd_page_numbers_are_a_page_saying_so(client: TestClient, page: str) -> None:
    make_runner(client, "ann")
    sign_in(client)
    answer = client.get("/runs", params={"page": page})
    assert answer.status_code == 400
    assert answer.headers["content-type"].startswith("text/html") and "page" in answer.text


def test_a_page_past_the_last_goes_to_the_last(client: TestClient) -> None:
    make_runner(client, "ann")
    sign_in(client)
    answer = client.get("/runs", params={"page": "50"}, follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"] == "/runs"  # the first page


@pytest.mark.parametrize("path", [f"/runs/{HUGE}", "/runs/abc", "/runs/²"])
def test_odd_run_ids_on_pages_are_not_found(client: TestClient, path: str) -> None:
    make_runner(client, "ann")
    sign_in(client)
    answer = client.get(path)
    assert answer.status_code == 404 and answer.headers["content-type"].startswith("text/html")


def test_a_body_over_the_limit_on_a_page_is_answered_with_a_page(client: TestClient) -> None:
    limit = client.app.state.settings.max_upload_bytes  # type: ignore[attr-defined]
    answer = client.post("/upload", content=b"x", headers={"content-length": str(limit + 1)})
    assert answer.status_code == 413
    assert answer.headers["content-type"].startswith("text/html")
    assert "larger than 64 MiB" in answer.text
    api = client.post("/api/runs", content=b"x", headers={"content-length": str(limit + 1)})
    assert api.status_code == 413 and "larger than" in api.json()["detail"]


def test_a_client_leaving_mid_upload_is_one_log_line(
    client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    secret = make_runner(client, "ann")
    boundary = b"xyzzy"
    head = (
        b'--xyzzy\r\nContent-Disposition: form-data; name="files"; filename="a.gpx"\r\n'
        b"Content-Type: application/gpx+xml\r\n\r\n<gpx>"
    )
    scope: dict[str, Any] = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/api/runs",
        "raw_path": b"/api/runs",
        "query_string": b"",
        "root_path": "",
        "headers": [
            (b"host", b"testserver"),
            (b"authorization", f"Bearer {secret}".encode()),
            (b"content-type", b"multipart/form-data; boundary=" + boundary),
            (b"content-length", b"100000"),
        ],
        "client": ("127.0.0.1", 5000),
        "server": ("testserver", 80),
    }
    messages = [
        {"type": "http.request", "body": head, "more_body": True},
        {"type": "http.disconnect"},
    ]
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return messages.pop(0) if messages else {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    with caplog.at_level(logging.INFO):
        asyncio.run(client.app(scope, receive, send))  # type: ignore[arg-type]
    mine = [record for record in caplog.records if "went away" in record.getMessage()]
    assert len(mine) == 1 and mine[0].exc_info is None
    assert not [record for record in caplog.records if record.exc_info]
    assert client.get("/api/runs", headers=bearer(secret)).json()["total"] == 0
