"""GET /api/health: is the server up, its database writable, and its schema current."""

from __future__ import annotations

import logging
import threading

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError, OperationalError, SQLAlchemyError

from heroicrun import __version__
from heroicrun.db import engine as db_engine
from heroicrun.db import migrate

router = APIRouter(tags=["health"])
RECENT_WRITE_S = 5.0  # a write this recent, committed or probed, proves the database writable
_probing = threading.Lock()
PROBE_WAIT_MS = 250
log = logging.getLogger("heroicrun.server")


class Health(BaseModel):
    status: str  # "ok"
    version: str
    database: str  # "sqlite" or "postgresql"
    schema_current: bool
    missions: int


class Unhealthy(BaseModel):
    status: str  # "unavailable"
    detail: str


@router.get(
    "/api/health",
    response_model=Health,
    responses={
        503: {
            "model": Unhealthy,
            "description": "The database cannot be written: read-only, gone, or unreachable",
        }
    },
)
def health(request: Request) -> Health | JSONResponse:
    """The server's version, its database backend and whether the schema is current; a 503
    when the database would refuse the next write."""
    engine = request.app.state.engine
    try:
        # A change committed moments ago proves what a probe would: while uploads are being
        # stored, health does not queue for SQLite's write lock behind them.
        if not db_engine.wrote_within(engine, RECENT_WRITE_S):
            with _probing:  # one probe at a time: those that waited take its answer
                if not db_engine.wrote_within(engine, RECENT_WRITE_S):
                    try_a_write(engine)
                    db_engine.noted_writable(engine)
        current = migrate.is_current(engine)
    except db_engine.Unavailable as error:
        return unhealthy(str(error), f"the database file {error.problem}")
    except SQLAlchemyError as error:
        reason = first_line(error)
        return unhealthy(reason, f"the database cannot be written: {reason}")
    return Health(
        status="ok",
        version=__version__,
        database=engine.dialect.name,
        schema_current=current,
        missions=len(request.app.state.catalog.missions),
    )


def try_a_write(engine: Engine) -> None:
    """Write to the database and roll back: raises what a real write would raise. Another
    writer holding the lock (an upload being stored) shows the database takes writes: the
    probe waits for it only briefly, and a busy database is a healthy one."""
    sqlite = engine.dialect.name == "sqlite"
    with engine.connect() as connection:
        try:
            if sqlite:
                connection.exec_driver_sql(f"PRAGMA busy_timeout={PROBE_WAIT_MS}")
            else:
                connection.exec_driver_sql(f"SET LOCAL lock_timeout = {PROBE_WAIT_MS}")
            # Changes nothing and is never committed, yet needs the write lock and a writable
            # file (SQLite) or a read-write transaction (PostgreSQL).
            connection.exec_driver_sql("UPDATE alembic_version SET version_num = version_num")
        except OperationalError as error:
            if not _busy(error):
                raise
        finally:
            connection.rollback()
            if sqlite:
                connection.exec_driver_sql(
                    f"PRAGMA busy_timeout={db_engine.SQLITE_BUSY_TIMEOUT_MS}"
                )


def _busy(error: OperationalError) -> bool:
    """Whether the write waited for another writer's lock and gave up (rather than failed)."""
    code = getattr(error.orig, "sqlstate", None)
    return code == "55P03" or "database is locked" in str(error.orig)


def unhealthy(logged: str, detail: str) -> JSONResponse:
    log.warning("health: %s", logged)
    return JSONResponse({"status": "unavailable", "detail": detail}, status_code=503)


def first_line(error: SQLAlchemyError) -> str:
    """What the database driver said, first line only (no SQL, no SQLAlchemy footer)."""
    cause = error.orig if isinstance(error, DBAPIError) and error.orig is not None else error
    lines = str(cause).strip().splitlines()
    return lines[0] if lines else type(cause).__name__
