"""How fast heroicrun reads FIT files, against iterating the same bytes with fitdecode.

    python benchmarks/fit.py             # the real FIT files, and a generated 36-hour run
    python benchmarks/fit.py 3600 21600  # generated runs of these many 1 Hz records instead

fitdecode is timed as plainly as it goes: frames iterated with no data processor, checksums
computed (as heroicrun computes them) but not raised on. heroicrun is timed for the whole read,
FIT bytes to a checked Track, and for the decoding alone. Times are the best of several repeats
in this one process; the ratio is fitdecode's time over heroicrun's. Target: at least 10x on the
36-hour file.
"""

from __future__ import annotations

import contextlib
import functools
import io
import sys
import time
from collections.abc import Callable
from pathlib import Path

import fitdecode

from heroicrun.reading import fit, fitdecoding
from heroicrun.reading.errors import ReadError
from heroicrun.reading.limits import DEFAULT

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"
REAL = HERE.parent.parent / "shared" / "data" / "real"
LONG_RECORDS = 36 * 3600  # the Spartathlon's cut-off, one record a second
REPEATS = 3


def best_of(task: Callable[[], object], repeats: int) -> float:
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        task()
        best = min(best, time.perf_counter() - start)
    return best


def iterate_fitdecode(data: bytes) -> None:
    reader = fitdecode.FitReader(
        io.BytesIO(data),
        processor=None,
        check_crc=fitdecode.CrcCheck.READONLY,
        error_handling=fitdecode.ErrorHandling.IGNORE,
    )
    try:
        for _ in reader:
            pass
    except fitdecode.FitError:
        pass  # a damaged file: fitdecode stops where it stops, as heroicrun does
    finally:
        reader.close()


def read_heroicrun(data: bytes, name: str) -> None:
    with contextlib.suppress(ReadError):  # a file that is no run still costs its reading
        fit.read(data, name, DEFAULT)


def files(sizes: tuple[int, ...]) -> list[Path]:
    sys.path.insert(0, str(HERE))
    from generate import write_fit_run

    OUT.mkdir(exist_ok=True)
    generated = [write_fit_run(OUT / f"run-{n}.fit", n) for n in sizes or (LONG_RECORDS,)]
    real = sorted(REAL.rglob("*.fit")) if REAL.is_dir() and not sizes else []
    return [*real, *generated]


def main(sizes: tuple[int, ...]) -> None:
    header = (
        f"{'file':<40} {'KB':>7} {'records':>8} {'fitdecode s':>12} {'heroicrun s':>12}"
        f" {'decode s':>9} {'ratio':>7}"
    )
    print(header)
    print("-" * len(header))
    for path in files(sizes):
        data = path.read_bytes()
        records = len(fitdecoding.decode(data).table("record"))
        repeats = 1 if len(data) > 1_000_000 else REPEATS
        theirs = best_of(functools.partial(iterate_fitdecode, data), repeats)
        ours = best_of(functools.partial(read_heroicrun, data, path.name), REPEATS)
        decode = best_of(functools.partial(fitdecoding.decode, data), REPEATS)
        print(
            f"{path.name[:40]:<40} {len(data) / 1024:>7.0f} {records:>8} {theirs:>12.4f}"
            f" {ours:>12.4f} {decode:>9.4f} {theirs / ours:>6.1f}x"
        )


if __name__ == "__main__":
    main(tuple(int(arg) for arg in sys.argv[1:]))
