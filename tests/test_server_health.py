"""The server starts on a fresh database, migrated, and says so; and says when the database
cannot be written."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text

from heroicrun.db import engine as db_engine
from heroicrun.server import create_app
from heroicrun.settings import Settings
from tests.conftest import bearer, make_runner


def test_health_on_a_fresh_database(client: TestClient) -> None:
    answer = client.get("/api/health").json()
    assert answer["status"] == "ok" and answer["schema_current"] is True
    assert answer["missions"] >= 15


def test_an_oversized_body_is_refused_before_anything_reads_it(client: TestClient) -> None:
    limit = client.app.state.settings.max_upload_bytes  # type: ignore[attr-defined]
    answer = client.post("/api/health", content=b"x", headers={"content-length": str(limit + 1)})
    assert answer.status_code == 413
    assert "larger than 64 MiB" in answer.json()["detail"]


def test_a_token_identifies_its_runner(client: TestClient) -> None:
    secret = make_runner(client, "pheidippides")
    assert secret.startswith("hr_")
    assert bearer(secret)["Authorization"].endswith(secret)


def test_a_body_streaming_past_the_limit_is_a_413_on_any_route(settings: Settings) -> None:
    small = Settings(database_url=settings.database_url, max_upload_bytes=1000, parse_workers=1)
    with TestClient(create_app(small)) as client:

        def chunks() -> Iterator[bytes]:
            for _ in range(10):
                yield b'{"name": "' + b"x" * 500

        answer = client.post(
            "/api/session", content=chunks(), headers={"content-type": "application/json"}
        )
    assert answer.status_code == 413
    assert "larger than" in answer.json()["detail"]


def read_only(url: str) -> str:
    """The same database, opened so that every write fails (root ignores file permissions)."""
    if url.startswith("sqlite:///"):
        return f"sqlite:///file:{url.removeprefix('sqlite:///')}?mode=ro&uri=true"
    return f"{url}%20-cdefault_transaction_read_only%3Don"


def test_a_database_that_cannot_be_written_is_unavailable(
    engine: Engine, database_url: str
) -> None:
    settings = Settings(database_url=read_only(database_url), parse_workers=1)
    with TestClient(create_app(settings)) as client:
        answer = client.get("/api/health")
    assert answer.status_code == 503
    assert answer.json()["status"] == "unavailable"
    detail = answer.json()["detail"]
    assert detail.startswith("the database cannot be written: ")
    assert "readonly database" in detail or "read-only transaction" in detail


def test_a_deleted_database_file_is_unavailable(tmp_path: Path) -> None:
    path = tmp_path / "heroicrun.db"
    with TestClient(create_app(Settings(f"sqlite:///{path}", parse_workers=1))) as client:
        assert client.get("/api/health").status_code == 200
        path.unlink()
        answer = client.get("/api/health")
        assert answer.status_code == 503
        assert answer.json() == {
            "status": "unavailable",
            "detail": "the database file is gone (deleted or moved while heroicrun ran); "
            "restart heroicrun",
        }
        with pytest.raises(db_engine.Unavailable), client.app.state.writers() as session:  # type: ignore[attr-defined]
            session.execute(text("SELECT 1"))
    assert not path.exists()


def test_health_does_not_queue_behind_busy_writers(tmp_path: Path) -> None:
    # Uploads being stored hold SQLite's write lock in turn; a change committed moments ago
    # already proves the database takes writes, so health answers without waiting for it.
    url = f"sqlite:///{tmp_path / 'busy.db'}"
    with TestClient(create_app(Settings(database_url=url, parse_workers=1))) as client:
        secret = make_runner(client, "ann")
        made = client.post("/api/tokens", json={"name": "phone"}, headers=bearer(secret))
        assert made.status_code == 201
        holder = sqlite3.connect(tmp_path / "busy.db", isolation_level=None)
        try:
            holder.execute("BEGIN IMMEDIATE")  # another writer, mid-transaction
            answer = client.get("/api/health")
            holder.execute("ROLLBACK")
        finally:
            holder.close()
        assert answer.status_code == 200 and answer.json()["status"] == "ok"


def test_a_database_busy_with_another_writer_is_healthy(tmp_path: Path) -> None:
    # Nothing committed lately, so health probes; the lock it meets shows a writer at work.
    url = f"sqlite:///{tmp_path / 'busy.db'}"
    with TestClient(create_app(Settings(database_url=url, parse_workers=1))) as client:
        holder = sqlite3.connect(tmp_path / "busy.db", isolation_level=None)
        try:
            holder.execute("BEGIN IMMEDIATE")
            answer = client.get("/api/health")
            holder.execute("ROLLBACK")
        finally:
            holder.close()
        assert answer.status_code == 200 and answer.json()["status"] == "ok"
        assert client.get("/api/health").status_code == 200  # its patience is restored
