"""Fixtures for the server: a fresh database per test, on SQLite and (when configured) PostgreSQL.

Set HEROICRUN_TEST_DATABASE_URL (e.g. postgresql+psycopg://postgres@127.0.0.1:5432/test) to run
every database test on PostgreSQL too; each test gets a schema of its own, dropped afterwards.

Running every migration costs a test ~65 ms on SQLite and ~100 ms on PostgreSQL, and most tests
want the current schema: the migrations run once per test process, and a test gets a copy of
the file they made (SQLite) or a schema made or emptied as tests/helpers/postgres.py tells.
"""

from __future__ import annotations

import atexit
import os
import shutil
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
from heroicrun.missions import catalog, loading
from heroicrun.play import accounts
from heroicrun.server import create_app
from heroicrun.settings import Settings
from tests.helpers import postgres

# The command line keeps checked missions in the user's cache folder; tests (and the commands
# they start) keep theirs in a folder of their own, removed when the test process ends.
os.environ["XDG_CACHE_HOME"] = tempfile.mkdtemp(prefix="heroicrun-tests-cache-")
atexit.register(shutil.rmtree, os.environ["XDG_CACHE_HOME"], ignore_errors=True)

POSTGRES = os.environ.get("HEROICRUN_TEST_DATABASE_URL")
BACKENDS = ["sqlite", *(["postgresql"] if POSTGRES else [])]
# A test using one of these sees its database only once it is migrated (create_app migrates
# too), so it may start from a migrated copy. Any other test (the migrations' own, `db upgrade`)
# gets an empty database.
MIGRATED_FOR = frozenset({"engine", "client"})


@pytest.fixture(autouse=True, scope="session")
def bundled_missions_checked_once() -> Iterator[None]:
    """The bundled missions checked once per test process, as a server checks them once, not
    for every app a test makes (40 of its 60 ms); checked again if their files change."""
    check = loading.load_all
    bundled = catalog.directory().resolve()
    checked: dict[tuple[str, tuple[catalog.Stamp, ...]], loading.Catalog] = {}

    def load_all(directory: Path) -> loading.Catalog:
        if directory.resolve() != bundled:
            return check(directory)
        key = (str(directory), catalog.stamps(directory))
        if key not in checked:
            checked[key] = check(directory)
        return checked[key]

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(loading, "load_all", load_all)
        yield


@pytest.fixture(scope="session")
def postgres_admin() -> Iterator[Engine]:
    """An engine on HEROICRUN_TEST_DATABASE_URL that creates and drops the tests' schemas."""
    assert POSTGRES is not None
    admin = create_engine(POSTGRES, isolation_level="AUTOCOMMIT", pool_size=1)
    yield admin
    admin.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file migrated to the current schema, for tests to copy."""
    path = tmp_path_factory.mktemp("migrated") / "heroicrun.db"
    engine = db_engine.connect(f"sqlite:///{path}")
    migrate.upgrade(engine)
    engine.dispose()  # the last connection folds the WAL back into the file
    return path


@pytest.fixture(scope="session")
def postgres_schemas(postgres_admin: Engine) -> Iterator[postgres.MigratedSchemas]:
    """PostgreSQL schemas at the current migration, lent to one test at a time."""
    assert POSTGRES is not None
    schemas = postgres.MigratedSchemas(postgres_admin, postgres.recorded(postgres_admin, POSTGRES))
    yield schemas
    schemas.close()


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A new database: a SQLite file, or a PostgreSQL schema of its own; migrated when the
    test uses `engine` or `client`, else empty."""
    migrated = not MIGRATED_FOR.isdisjoint(request.fixturenames)
    if request.param == "sqlite":
        path = tmp_path / "heroicrun.db"
        if migrated:
            shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        yield f"sqlite:///{path}"
        return
    if migrated:
        schemas: postgres.MigratedSchemas = request.getfixturevalue("postgres_schemas")
        schema = schemas.take()
        yield postgres.url(POSTGRES, schema)
        schemas.give_back(schema)
        return
    admin: Engine = request.getfixturevalue("postgres_admin")
    schema = postgres.new_name()
    with admin.connect() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    yield postgres.url(POSTGRES, schema)
    with admin.connect() as connection:
        connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    """An engine over the fresh database, migrated to the current schema."""
    engine = db_engine.connect(database_url)
    # Asked for by name only (request.getfixturevalue), the database started empty.
    if not migrate.is_current(engine):
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
