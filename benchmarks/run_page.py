"""How long a run's page takes to draw, against reading its file alone, measured in one run.

    python benchmarks/run_page.py              # a 36-hour run (130,000 points) and a 1-hour one

The page reads the original again for its map and charts, so the baseline is that reading
(heroicrun's reader and `course_of` on the same bytes); the ratio says what the page costs on
top of it (the database, the missions, thinning and drawing). Best of five, in this process,
through the app in-process (no network). Targets: the 36-hour page under 1.5 s, and under 2x
its own reading.
"""

from __future__ import annotations

import gzip
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

from fastapi.testclient import TestClient

from heroicrun import measuring, reading
from heroicrun.play import accounts
from heroicrun.server import create_app
from heroicrun.settings import Settings

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import generate  # noqa: E402

REPEATS = 5
SIZES = (3_600, 130_000)


HEADING = f"{'points':>8} {'MB':>6} {'read s':>8} {'page s':>8} {'ratio':>6} {'page KB':>8}"


def _read(data: bytes, name: str) -> object:
    return measuring.course_of(reading.read_bytes(data, name))


def best(task: Callable[[], object], repeats: int = REPEATS) -> float:
    timings = []
    for _ in range(repeats):
        started = time.perf_counter()
        task()
        timings.append(time.perf_counter() - started)
    return min(timings)


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        settings = Settings(database_url=f"sqlite:///{folder}/bench.db", parse_workers=1)
        with TestClient(create_app(settings)) as client:
            with client.app.state.writers() as session:  # type: ignore[attr-defined]
                runner = accounts.add_runner(session, "bench", None)
                secret = accounts.create_token(session, runner, "bench")
                session.commit()
            headers = {"Authorization": f"Bearer {secret}"}
            client.post("/api/missions/reach-sparta/enrol", headers=headers)
            print(
                f"{'points':>8} {'MB':>6} {'read s':>8} {'page s':>8} {'ratio':>6} {'page KB':>8}"
            )
            for points in SIZES:
                path = generate.write_run(Path(folder) / f"run-{points}.gpx", points)
                data = path.read_bytes()
                sent = client.post(
                    "/api/runs",
                    files={"files": (f"{points}.gpx.gz", gzip.compress(data, 1))},
                    headers=headers,
                )
                run_id = sent.json()["runs"][0]["id"]
                url = f"/runs/{run_id}"
                read_s = best(partial(_read, data, path.name))
                html = client.get(url, headers=headers).text
                page_s = best(partial(client.get, url, headers=headers))
                print(
                    f"{points:>8} {len(data) / 2**20:>6.1f} {read_s:>8.3f} {page_s:>8.3f} "
                    f"{page_s / read_s:>5.1f}x {len(html) / 1024:>8.0f}"
                )


if __name__ == "__main__":
    main()
