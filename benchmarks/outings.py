"""How long storing a file of many outings takes, against the same runs sent one file each.

    python benchmarks/outings.py              # 20, 200 and 1,000 outings
    python benchmarks/outings.py 50 500       # chosen counts

Each count stores, for a new runner enrolled in every bundled mission, one GPX file holding that
many 1 km runs four hours apart (a logger's trips); the baseline, measured in the same run, is
the same runs uploaded as one file each (up to 200 of them: past that the baseline alone takes
minutes). Reading happens in a worker as on a server; the database is a fresh SQLite file.
Target: a file of 1,000 outings stored in under 15 s, and a file of n outings never slower than
n files of one.
"""

from __future__ import annotations

import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from heroicrun.db import engine as db_engine
from heroicrun.db import migrate
from heroicrun.db.schema import Runner
from heroicrun.missions import catalog as bundled
from heroicrun.play import accounts, missions, pool, runs

COUNTS = (20, 200, 1000)
BASELINE_UP_TO = 200
START = datetime(2024, 5, 1, 7, 0, tzinfo=UTC)
APART = timedelta(hours=4)


def gpx(first: int, count: int) -> bytes:
    """Runs number first..first + count - 1, each 1 km due north in 400 s, in one GPX file."""
    tracks = []
    for number in range(first, first + count):
        begin = START + number * APART
        points = "".join(
            f'<trkpt lat="{46.05 + k * 0.0009:.7f}" lon="14.5">'
            f"<time>{(begin + timedelta(seconds=40 * k)).strftime('%Y-%m-%dT%H:%M:%SZ')}</time>"
            "</trkpt>"
            for k in range(11)
        )
        tracks.append(f"<trk><trkseg>{points}</trkseg></trk>")
    return (
        '<?xml version="1.0"?><gpx version="1.1" creator="benchmark" '
        f'xmlns="http://www.topografix.com/GPX/1/1">{"".join(tracks)}</gpx>'
    ).encode()


def store(folder: Path, label: str, files: list[bytes], parser: pool.Parser) -> float:
    """Seconds to store the files, in order, for a new enrolled runner on a new database."""
    engine = db_engine.connect(f"sqlite:///{folder / label}.db")
    migrate.upgrade(engine)
    writers = db_engine.writers(engine)
    catalog = bundled.bundled()
    with writers() as session:
        runner = accounts.add_runner(session, "ann", None)
        for mission in catalog.missions:  # every mission a runner can start alone
            if mission.team:
                continue
            missions.enrol(session, catalog, runner, mission.id, START - timedelta(days=1))
        session.commit()
        runner_id = runner.id
    began = time.perf_counter()
    for number, data in enumerate(files):
        with writers() as session:
            who = session.get(Runner, runner_id)
            assert who is not None
            runs.record(session, who, f"{number}.gpx", data, parser, catalog)
    elapsed = time.perf_counter() - began
    engine.dispose()
    return elapsed


def main() -> None:
    counts = [int(arg) for arg in sys.argv[1:]] or list(COUNTS)
    parser = pool.Parser(1, 300.0)
    try:
        parser.describe(gpx(0, 1), "warm.gpx")  # the worker's start is no part of a figure
        print(f"{'outings':>8} {'one file s':>11} {'per outing ms':>14} {'one each s':>11} ratio")
        with tempfile.TemporaryDirectory() as folder:
            for count in counts:
                together = store(Path(folder), f"one-{count}", [gpx(0, count)], parser)
                apart = None
                if count <= BASELINE_UP_TO:
                    files = [gpx(number, 1) for number in range(count)]
                    apart = store(Path(folder), f"each-{count}", files, parser)
                ratio = "–" if apart is None else f"{together / apart:.2f}"
                shown = "–" if apart is None else f"{apart:.2f}"
                print(
                    f"{count:>8} {together:>11.2f} {together / count * 1000:>14.1f} "
                    f"{shown:>11} {ratio}"
                )
    finally:
        parser.close()


if __name__ == "__main__":
    main()
