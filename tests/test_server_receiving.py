"""Uploads wait for a reader in turn, and long files never take every reader."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from fastapi.testclient import TestClient

from heroicrun.play import imports
from heroicrun.reading import archives
from heroicrun.server import create_app, receiving
from heroicrun.settings import Settings
from tests.conftest import bearer, make_runner

LONG = b"\x1f\x8b" + b"x" * (receiving.LONG_FILE_BYTES // receiving.GZIP_FACTOR + 1)


def test_what_counts_as_a_long_file() -> None:
    assert receiving.is_long(LONG)
    assert receiving.is_long(b"<gpx>" + b"x" * receiving.LONG_FILE_BYTES)
    assert not receiving.is_long(b"<gpx>" + b"x" * (2 * 2**20))  # an hour at 1 Hz, and more
    assert not receiving.is_long(b"\x1f\x8b" + b"x" * (2**19))


def test_one_reader_stays_free_for_short_files_while_long_ones_wait(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    finished: list[str] = []
    reading_now: list[str] = []
    most_long_at_once = 0
    lock = threading.Lock()

    def slow_record(
        _sessions: Any,
        _runner: Any,
        entry: archives.Entry,
        _parser: Any,
        _catalog: Any,
        _tally: imports.Tally,
    ) -> None:
        nonlocal most_long_at_once
        with lock:
            reading_now.append(entry.label)
            most_long_at_once = max(
                most_long_at_once, sum(label.startswith("long") for label in reading_now)
            )
        time.sleep(1.0 if entry.label.startswith("long") else 0.05)
        with lock:
            reading_now.remove(entry.label)
            finished.append(entry.label)

    monkeypatch.setattr(imports, "record", slow_record)
    app = create_app(Settings(database_url=settings.database_url, parse_workers=2))
    with TestClient(app) as client:
        secret = make_runner(client, "ann")

        def send(name: str, data: bytes) -> None:
            client.post("/api/runs", files={"files": (name, data)}, headers=bearer(secret))

        longs = [threading.Thread(target=send, args=(f"long{n}.gpx.gz", LONG)) for n in (1, 2)]
        for thread in longs:
            thread.start()
        time.sleep(0.3)  # both long files have arrived: one is read, one waits its lane
        short = threading.Thread(target=send, args=("short.gpx", b"<gpx/>"))
        short.start()
        for thread in [*longs, short]:
            thread.join(30)
    assert most_long_at_once == 1
    assert finished[0] == "short.gpx"  # it did not wait for a long file to be read
    assert sorted(finished) == ["long1.gpx.gz", "long2.gpx.gz", "short.gpx"]
