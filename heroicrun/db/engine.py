"""Connecting to SQLite or PostgreSQL, with SQLite set up to survive concurrent writers."""

from __future__ import annotations

import math
import os
import threading
import time
import weakref
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.orm import Session, sessionmaker

SQLITE_BUSY_TIMEOUT_MS = 30_000
WRITE_OPTION = "heroicrun_writes"
# A request may hold a reading connection while it takes a writing one (a page that keeps the
# verdicts it judged, a token's last use). With fewer connections than the server's 40 threads
# could want, 15 such requests at once each held one and waited for another until the pool
# gave up. So there are enough for every thread to hold two, opened only when wanted. (A
# PostgreSQL server that reaches its own connection limit refuses the extra ones: a 503 at
# once, not a hang.)
POOL = {"pool_size": 10, "max_overflow": 70}


class Unavailable(Exception):
    """The database cannot take writes: its file was deleted or replaced under heroicrun."""

    def __init__(self, path: str, problem: str) -> None:
        super().__init__(f"the database file {path} {problem}")
        self.path = path
        self.problem = problem


class _FileGuard:
    """Which file a SQLite engine opened first (device and inode), so a swap can be noticed."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._identity: tuple[int, int] | None = None
        self._lock = threading.Lock()

    def note(self) -> None:
        """Remember the file the first connection opened (sqlite creates a new one on connect)."""
        with self._lock:
            if self._identity is None:
                self._identity = self._current()

    def check(self) -> None:
        """Raise Unavailable if the file is gone or is no longer the one first opened."""
        if self._identity is None:
            return
        current = self._current()
        if current is None:
            raise Unavailable(
                self.path, "is gone (deleted or moved while heroicrun ran); restart heroicrun"
            )
        if current != self._identity:
            raise Unavailable(
                self.path, "was replaced by another file while heroicrun ran; restart heroicrun"
            )

    def _current(self) -> tuple[int, int] | None:
        try:
            found = os.stat(self.path)
        except FileNotFoundError:
            return None
        return found.st_dev, found.st_ino


class _Writes:
    """When an engine last committed a transaction that changed something (monotonic seconds):
    proof that the database took a write, which a health check need not take again."""

    def __init__(self, guard: _FileGuard | None) -> None:
        self.guard = guard
        self.last_s = -math.inf

    def watch(self, engine: Engine) -> None:
        @event.listens_for(engine, "after_cursor_execute")
        def _changed(connection: Any, _cursor: Any, statement: str, *_args: Any) -> None:
            if statement.lstrip()[:6].upper() in ("INSERT", "UPDATE", "DELETE"):
                connection.info[CHANGED] = True

        @event.listens_for(engine, "commit")
        def _committed(connection: Any) -> None:
            if connection.info.pop(CHANGED, False):
                self.last_s = time.monotonic()

        @event.listens_for(engine, "rollback")
        def _rolled_back(connection: Any) -> None:
            connection.info.pop(CHANGED, None)


CHANGED = "heroicrun_changed"
_writes: weakref.WeakKeyDictionary[Engine, _Writes] = weakref.WeakKeyDictionary()


def noted_writable(engine: Engine) -> None:
    """Record that a write to `engine` just went through (a probe that was rolled back)."""
    writes = _writes.get(engine)
    if writes is not None:
        writes.last_s = time.monotonic()


def wrote_within(engine: Engine, seconds: float) -> bool:
    """Whether `engine` committed a change in the last `seconds` and, for SQLite, its file is
    still the one it opened (else Unavailable)."""
    writes = _writes.get(engine)
    if writes is None:
        return False
    if writes.guard is not None:
        writes.guard.check()
    return time.monotonic() - writes.last_s <= seconds


def database_file(parsed: URL) -> str | None:
    """The file a SQLite URL opens, or None for an in-memory database."""
    name = parsed.database or ""
    if str(parsed.query.get("uri", "")).lower() in ("true", "1"):
        name = name.removeprefix("file:").partition("?")[0]
        if parsed.query.get("mode") == "memory":
            return None
    if not name or name == ":memory:":
        return None
    return name


def connect(url: str) -> Engine:
    """An engine for `url`; SQLite gets WAL, a busy timeout and BEGIN IMMEDIATE transactions,
    and refuses to write once its file is deleted or replaced (Unavailable)."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        engine = create_engine(url, pool_pre_ping=True, **POOL)
        _watch(engine, None)
        return engine
    path = database_file(parsed)
    if path is not None:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(
        url,
        connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000, "isolation_level": None},
        **({} if path is None else POOL),  # an in-memory database has a pool of its own
    )
    guard = _FileGuard(path) if path is not None else None

    @event.listens_for(engine, "do_connect")
    def _refuse_a_vanished_file(*_args: Any) -> None:
        # Opening a deleted file's path would create an empty database in its place.
        if guard is not None:
            guard.check()

    @event.listens_for(engine, "connect")
    def _configure(connection: Any, _record: Any) -> None:
        cursor = connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        # 32 MB of pages kept per connection (the default is 2 MB): a runner's thousand runs
        # are read whole by the aggregates pages key their kept values on.
        cursor.execute("PRAGMA cache_size=-32000")
        cursor.close()
        if guard is not None:
            guard.note()

    @event.listens_for(engine, "begin")
    def _begin(connection: Any) -> None:
        # A deferred transaction that reads then writes loses the race to another writer and
        # fails with "database is locked"; writers take the lock up front and queue instead.
        # Readers stay deferred, so WAL lets them run beside a writer.
        writes = connection.get_execution_options().get(WRITE_OPTION, False)
        if writes and guard is not None:
            # Open connections keep writing to a deleted file's inode: the write would be
            # acknowledged and then lost with the last connection. Refuse it instead.
            guard.check()
        connection.exec_driver_sql("BEGIN IMMEDIATE" if writes else "BEGIN")

    _watch(engine, guard)
    return engine


def _watch(engine: Engine, guard: _FileGuard | None) -> None:
    writes = _writes[engine] = _Writes(guard)
    writes.watch(engine)


def readers(engine: Engine) -> sessionmaker[Session]:
    """Sessions for requests that only read."""
    return sessionmaker(engine, expire_on_commit=False)


def writers(engine: Engine) -> sessionmaker[Session]:
    """Sessions for requests that write (on SQLite they begin with the write lock held)."""
    return sessionmaker(engine.execution_options(**{WRITE_OPTION: True}), expire_on_commit=False)
