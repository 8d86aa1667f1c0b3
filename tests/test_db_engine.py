"""SQLite refuses to acknowledge writes to a database file deleted or replaced under it."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url

from heroicrun.db import engine as db_engine
from heroicrun.db import migrate

PROBE = "UPDATE alembic_version SET version_num = version_num"


@pytest.fixture
def sqlite(tmp_path: Path) -> tuple[Engine, Path]:
    path = tmp_path / "heroicrun.db"
    engine = db_engine.connect(f"sqlite:///{path}")
    migrate.upgrade(engine)
    return engine, path


def write(engine: Engine) -> None:
    with db_engine.writers(engine)() as session:
        session.execute(text(PROBE))
        session.commit()


def test_writes_go_through_while_the_file_is_there(sqlite: tuple[Engine, Path]) -> None:
    engine, path = sqlite
    write(engine)
    write(engine)
    assert path.is_file()
    engine.dispose()


def test_a_deleted_file_refuses_writes_on_open_connections(sqlite: tuple[Engine, Path]) -> None:
    engine, path = sqlite
    write(engine)  # a pooled connection now holds the file open
    path.unlink()
    with pytest.raises(db_engine.Unavailable, match=r"heroicrun\.db is gone"):
        write(engine)
    with pytest.raises(db_engine.Unavailable):  # the connection went back and says so again
        write(engine)
    engine.dispose()


def test_a_deleted_file_is_not_recreated_empty_by_a_new_connection(
    sqlite: tuple[Engine, Path],
) -> None:
    engine, path = sqlite
    engine.dispose()
    path.unlink()
    sessions = db_engine.readers(engine)
    with pytest.raises(db_engine.Unavailable, match="restart heroicrun"), sessions() as session:
        session.execute(text("SELECT 1"))
    assert not path.exists()
    engine.dispose()


def test_a_replaced_file_refuses_writes(sqlite: tuple[Engine, Path], tmp_path: Path) -> None:
    engine, path = sqlite
    write(engine)
    other = tmp_path / "restored.db"
    other.write_bytes(path.read_bytes())
    os.replace(other, path)
    with pytest.raises(db_engine.Unavailable, match="was replaced"):
        write(engine)
    engine.dispose()


def test_reads_of_a_deleted_file_still_answer_on_open_connections(
    sqlite: tuple[Engine, Path],
) -> None:
    engine, path = sqlite
    with db_engine.readers(engine)() as session:
        session.execute(text("SELECT 1"))
    path.unlink()
    with db_engine.readers(engine)() as session:
        assert session.execute(text("SELECT count(*) FROM alembic_version")).scalar() == 1
    engine.dispose()


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("sqlite:////srv/heroicrun/heroicrun.db", "/srv/heroicrun/heroicrun.db"),
        ("sqlite:///relative.db", "relative.db"),
        ("sqlite:///file:/srv/h.db?mode=ro&uri=true", "/srv/h.db"),
        ("sqlite:///file:memory?mode=memory&uri=true", None),
        ("sqlite://", None),
        ("sqlite:///:memory:", None),
    ],
)
def test_the_file_a_url_opens(url: str, expected: str | None) -> None:
    assert db_engine.database_file(make_url(url)) == expected


def test_an_in_memory_database_has_no_file_to_lose() -> None:
    engine = db_engine.connect("sqlite://")
    with db_engine.writers(engine)() as session:
        session.execute(text("CREATE TABLE t (x INTEGER)"))
        session.commit()
    engine.dispose()


def test_every_server_thread_may_hold_a_reader_while_it_takes_a_writer(engine: Engine) -> None:
    # The server runs synchronous routes on 40 threads; a route may read, then write in a
    # session of its own. Had the pool fewer connections than that needs, threads holding a
    # reader would wait for a writer until the pool gave up.
    threads = 40
    together = threading.Barrier(threads, timeout=20)
    readers, writers = db_engine.readers(engine), db_engine.writers(engine)
    failures: list[BaseException] = []

    def route() -> None:
        try:
            with readers() as reading:
                reading.execute(text("SELECT 1"))
                together.wait()  # every thread holds a reading connection now
                with writers() as writing:
                    writing.execute(text("SELECT 1"))
                    writing.commit()
        except BaseException as error:  # surfaced below
            failures.append(error)

    running = [threading.Thread(target=route) for _ in range(threads)]
    for thread in running:
        thread.start()
    for thread in running:
        thread.join(60)
    assert failures == []
