"""A write is committed before its answer leaves, so the answer never runs ahead of the data."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import event
from sqlalchemy.orm import Session

from heroicrun.db.schema import Token
from heroicrun.server import create_app
from heroicrun.settings import Settings
from tests.conftest import bearer, make_runner


def test_a_revoked_token_is_revoked_before_the_204_leaves(settings: Settings) -> None:
    app = create_app(settings)
    happened: list[str] = []
    inner = app.build_middleware_stack()

    async def watching(scope: Any, receive: Any, send: Any) -> None:
        async def noting(message: Any) -> None:
            if message["type"] == "http.response.start":
                happened.append(f"answer {message['status']}")
            await send(message)

        await inner(scope, receive, noting)

    app.middleware_stack = watching  # type: ignore[assignment]
    with TestClient(app) as client:
        secret = make_runner(client, "ann")
        made = client.post("/api/tokens", json={"name": "phone"}, headers=bearer(secret)).json()

        @event.listens_for(Session, "after_commit")
        def committed(_session: Session) -> None:
            happened.append("commit")

        try:
            happened.clear()
            answer = client.delete(f"/api/tokens/{made['id']}", headers=bearer(secret))
        finally:
            event.remove(Session, "after_commit", committed)
        assert answer.status_code == 204
        assert "commit" in happened and happened[-1] == "answer 204", happened
        assert client.get("/api/me", headers=bearer(made["token"])).status_code == 401


def test_a_commit_that_fails_is_never_reported_as_success(client: TestClient) -> None:
    secret = make_runner(client, "ann")
    made = client.post("/api/tokens", json={"name": "phone"}, headers=bearer(secret)).json()

    def full_disk(session: Session) -> None:
        if any(isinstance(row, Token) and row.revoked_at is not None for row in session.dirty):
            raise OSError("the disk is full")

    event.listen(Session, "before_commit", full_disk)
    try:
        broken = TestClient(client.app, raise_server_exceptions=False)
        answer = broken.delete(f"/api/tokens/{made['id']}", headers=bearer(secret))
    finally:
        event.remove(Session, "before_commit", full_disk)
    assert answer.status_code >= 500
    assert client.get("/api/me", headers=bearer(made["token"])).status_code == 200
