"""Fixtures for the server: a fresh database per test, on SQLite and (when configured) PostgreSQL.

Set HEROICRUN_TEST_DATABASE_URL (e.g. postgresql+psycopg://postgres@127.0.0.1:5432/test) to run
every database test on PostgreSQL too; each test gets a schema of its own, dropped afterwards.
"""

from __future__ import annotations

import os
import secrets
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.orm import Session, sessionmaker

from heroicrun.db import engine as db_engine
from heroicrun.db import migrate
from heroicrun.db.schema import Runner
from heroicrun.play import accounts
from heroicrun.server import create_app
from heroicrun.settings import Settings

# The command line keeps checked missions in the user's cache folder; tests (and the commands
# they start) keep theirs in a folder of their own, gone with the machine's temporary files.
os.environ["XDG_CACHE_HOME"] = tempfile.mkdtemp(prefix="heroicrun-tests-cache-")

POSTGRES = os.environ.get("HEROICRUN_TEST_DATABASE_URL")
BACKENDS = ["sqlite", *(["postgresql"] if POSTGRES else [])]


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A new, empty database: a SQLite file, or a PostgreSQL schema of its own."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'heroicrun.db'}"
        return
    assert POSTGRES is not None
    schema = f"test_{secrets.token_hex(6)}"
    admin = create_engine(POSTGRES, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    separator = "&" if "?" in POSTGRES else "?"
    yield f"{POSTGRES}{separator}options=-csearch_path%3D{schema}"
    with admin.connect() as connection:
        connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    """An engine over the fresh database, migrated to the current schema."""
    engine = db_engine.connect(database_url)
    migrate.upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def db(engine: Engine) -> sessionmaker[Session]:
    """Write sessions over the fresh, migrated database."""
    return db_engine.writers(engine)


@pytest.fixture
def session(db: sessionmaker[Session]) -> Iterator[Session]:
    """A write session over the fresh, migrated database."""
    with db() as opened:
        yield opened


@pytest.fixture
def ann(session: Session) -> Runner:
    """A runner named ann, without a password."""
    return accounts.add_runner(session, "ann", None)


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(database_url=database_url, parse_workers=1)


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings)) as test_client:
        yield test_client


def make_runner(client: TestClient, name: str, password: str | None = "correct horse") -> str:
    """A runner with an API token; returns the token."""
    with client.app.state.writers() as session:  # type: ignore[attr-defined]
        runner = accounts.add_runner(session, name, password)
        secret = accounts.create_token(session, runner, "tests")
        session.commit()
    return secret


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}
