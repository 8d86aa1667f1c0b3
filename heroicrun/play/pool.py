"""Reading and measuring uploaded files in a few worker processes, each file under a time limit.

A hostile or absurd file must not stall a server: the parsing runs outside the server process,
at most `workers` files at once, and a file still unread after `timeout_s` is refused while the
pool that held it is replaced. The worker processes come from a fork server that has already
imported the readers, so a new one starts in milliseconds, and each exits when its parent dies.

This module imports no database or web code: the fork server preloads it.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
import threading
import traceback
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from multiprocessing.context import BaseContext
from pathlib import Path
from typing import Any

from heroicrun import activity, measuring, outings, reading, summary
from heroicrun.measuring import profile

# The readers of every format, imported here so the fork server has them before any worker starts.
from heroicrun.reading import fit, gpx, tcx  # noqa: F401
from heroicrun.track import Track


class Described(tuple[summary.RunSummary, activity.Activity | None]):
    """An outing's summary and what activity it is (activity.of; None when unknown), a pair;
    with, as `profile`, what its pictures are drawn from (profile.to_bytes; None when not
    derived), made in the worker while the points are in memory."""

    profile: bytes | None

    def __new__(
        cls,
        described: summary.RunSummary,
        known: activity.Activity | None,
        drawn: bytes | None = None,
    ) -> Described:
        pair = super().__new__(cls, (described, known))
        pair.profile = drawn
        return pair

    def __getnewargs__(
        self,
    ) -> tuple[summary.RunSummary, activity.Activity | None, bytes | None]:
        return self[0], self[1], self.profile


def profile_of(described: tuple[summary.RunSummary, activity.Activity | None]) -> bytes | None:
    """The profile bytes an outing was described with, if any."""
    return getattr(described, "profile", None)


# ("ok", [Described per outing]) or ("error", (source, problem, line))
Outcome = tuple[str, Any]
Work = Callable[[bytes, str], Outcome]


def _context() -> BaseContext:
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")  # Windows: each worker starts from scratch
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload([__name__])
    return context


_CONTEXT = _context()
START_TIMEOUT_S = 60.0  # a cold fork server imports numpy and the readers first
# A logger's year of daily trips is a few hundred outings. Each is a run to store and judge in
# one transaction, which holds the database's writers back: past this, the file is refused.
MAX_OUTINGS = 1_000


def read_and_describe(data: bytes, source: str) -> Outcome:
    """Read and measure one file (in a worker): for each of its outings (heroicrun.outings),
    its `summary.describe()` and what activity it is (`activity.of`); or the read error."""
    try:
        parts = outings.split(reading.read_bytes(data, source))
        if len(parts) > MAX_OUTINGS:
            problem = (
                f"holds {len(parts):,} outings, and heroicrun takes at most {MAX_OUTINGS:,} "
                "from one file: send them in smaller files"
            )
            return "error", (source, problem, None)
        return "ok", [_described(part) for part in parts]
    except reading.ReadError as error:
        return "error", (error.source, error.problem, error.line)
    except MemoryError:
        return "error", (source, "is too large to measure", None)
    except Exception as error:  # a reader bug must still be a sentence about the file
        # One line for the log, naming the file, the error and where it was raised: enough to
        # reproduce it with the file, without a traceback for every odd upload.
        where = traceback.extract_tb(error.__traceback__)[-1]
        print(
            f"heroicrun: {source}: could not be measured: {type(error).__name__}: {error} "
            f"({Path(where.filename).name}:{where.lineno})",
            file=sys.stderr,
            flush=True,
        )
        return "error", (source, f"could not be measured ({type(error).__name__})", None)


def _described(part: Track) -> Described:
    measures = measuring.measure(part)
    drawn = profile.to_bytes(profile.of(measuring.course_of(part), measures.flags))
    return Described(summary.describe(part, measures), activity.of(part), drawn)


def read_outing(data: bytes, source: str, outing: int) -> Track:
    """Outing number `outing` (from 1) of a file, read again (in the caller's process); a
    ReadError when the file no longer holds that many outings."""
    return outing_of(read_outings(data, source), source, outing)


def read_outings(data: bytes, source: str) -> list[Track]:
    """Every outing of a file, read again (in the caller's process)."""
    return outings.split(reading.read_bytes(data, source))


def outing_of(parts: list[Track], source: str, outing: int) -> Track:
    """Outing number `outing` (from 1) of a file's outings; a ReadError when it has fewer."""
    if not 1 <= outing <= len(parts):
        held = "one outing" if len(parts) == 1 else f"{len(parts)} outings"
        raise reading.ReadError(source, f"now reads as {held}, so it has no outing {outing}")
    return parts[outing - 1]


def _ready() -> int:
    return os.getpid()


WORKER_NICENESS = 10  # reading files is batch work: answering requests comes first


def _start_worker() -> None:
    """Worker initializer: yield the CPU to the server that started the pool, and exit when it
    dies (kill -9 included)."""
    if hasattr(os, "nice"):
        # On a small machine the readers would otherwise take every core from the server, and
        # a runner's page, or a health check, would wait behind a day-long file being read.
        os.nice(WORKER_NICENESS)
    parent = multiprocessing.parent_process()
    if parent is None:
        return

    def wait() -> None:
        parent.join()
        os._exit(0)

    threading.Thread(target=wait, name="watch-parent", daemon=True).start()


class Parser:
    """A bounded pool of worker processes that turn bytes into run summaries, one per outing,
    started lazily."""

    def __init__(self, workers: int, timeout_s: float, work: Work = read_and_describe) -> None:
        self.workers = max(1, workers)
        self.timeout_s = timeout_s
        self._work = work
        self._slots = threading.BoundedSemaphore(self.workers)
        self._lock = threading.Lock()
        self._pool: ProcessPoolExecutor | None = None
        self._generation = 0
        self._closed = False

    def describe(self, data: bytes, source: str) -> list[Described]:
        """The `summary.describe()` of each outing of the file and what activity it is, in
        order, or ReadError (unreadable, too slow, crashed)."""
        with self._slots:  # one file per worker: a submitted file starts at once
            for attempt in (1, 2):
                pool, generation = self._current()
                try:
                    outcome = pool.submit(self._work, data, source).result(self.timeout_s)
                except TimeoutError:
                    self._replace(generation)
                    raise reading.ReadError(
                        source,
                        f"took longer than {self.timeout_s:g} s to read; heroicrun gave up on it",
                    ) from None
                except (BrokenProcessPool, RuntimeError):
                    # Another file's timeout took this pool down (while this file ran, or just
                    # before it was submitted, which shut the pool): try once more.
                    self._replace(generation)
                    if attempt == 2:
                        raise reading.ReadError(
                            source, "made the reader crash; it is not a file heroicrun can read"
                        ) from None
                    continue
                status, value = outcome
                if status == "ok":
                    return list(value)
                where, problem, line = value
                raise reading.ReadError(where, problem, line)
        raise AssertionError("unreachable")

    def _current(self) -> tuple[ProcessPoolExecutor, int]:
        with self._lock:
            if self._closed:
                raise RuntimeError("the parser is closed")
            if self._pool is None:
                pool = ProcessPoolExecutor(
                    self.workers, mp_context=_CONTEXT, initializer=_start_worker
                )
                pool.submit(_ready).result(START_TIMEOUT_S)
                self._pool = pool
                self._generation += 1
            return self._pool, self._generation

    def _replace(self, generation: int) -> None:
        """Kill the pool of this generation, its stuck worker with it; the next file starts anew."""
        with self._lock:
            if self._pool is None or generation != self._generation:
                return  # someone already replaced it
            pool, self._pool = self._pool, None
        _kill(pool)

    def close(self) -> None:
        """Stop the workers; waits for files being read, kills nothing that is not stuck."""
        with self._lock:
            self._closed = True
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)


def _kill(pool: ProcessPoolExecutor) -> None:
    processes = list((pool._processes or {}).values())
    for process in processes:
        process.kill()
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        process.join(5)
