"""The reading workers: they give way to the server that started them."""

from __future__ import annotations

import os

from heroicrun.play import pool


def niceness(_data: bytes, source: str) -> pool.Outcome:
    """A stand-in for reading a file: how nice the worker doing it is."""
    return "ok", [{"source": source, "niceness": os.nice(0)}]


def test_readers_run_below_the_server() -> None:
    parser = pool.Parser(1, 60.0, work=niceness)
    try:
        told = parser.describe(b"", "run.gpx")
    finally:
        parser.close()
    assert told[0]["niceness"] >= min(19, os.nice(0) + pool.WORKER_NICENESS)
