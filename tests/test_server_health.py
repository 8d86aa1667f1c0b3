"""The server starts on a fresh database, migrated, and says so."""

from __future__ import annotations

from fastapi.testclient import TestClient

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


def test_a_body_streaming_past_the_limit_is_a_413_on_any_route(settings: object) -> None:
    from heroicrun.server import create_app
    from heroicrun.settings import Settings

    assert isinstance(settings, Settings)
    small = Settings(database_url=settings.database_url, max_upload_bytes=1000, parse_workers=1)
    with TestClient(create_app(small)) as client:

        def chunks() -> object:
            for _ in range(10):
                yield b'{"name": "' + b"x" * 500

        answer = client.post(
            "/api/session", content=chunks(), headers={"content-type": "application/json"}
        )
    assert answer.status_code == 413
    assert "larger than" in answer.json()["detail"]
