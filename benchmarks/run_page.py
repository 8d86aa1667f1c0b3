"""How long a run's page takes, drawn from the profile kept at upload, measured in one run.

    python benchmarks/run_page.py              # a 1-hour run (3,600 points) and a 36-hour one

Each run is uploaded once (its profile derived then, in the reading worker); its page is then
drawn from the kept profile, never from the original. Figures, best of REPEATS, in this
process through the app in-process (no network): GET /api/health (the floor every page pays),
the run page, and the run page with its pictures not yet drawn in this process (the first view
after a start: the profile decoded, the map's land clipped and its labels placed). Targets: a run
page within 3x of /api/health, the 36-hour run's page within 2x of the 1-hour run's, and every
page under 100 KB.
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

from heroicrun.play import accounts
from heroicrun.server import create_app
from heroicrun.server.pages import basemap, run_charts
from heroicrun.settings import Settings

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import generate  # noqa: E402

REPEATS = 20
SIZES = (3_600, 130_000)


def best(task: Callable[[], object], repeats: int = REPEATS) -> float:
    """The fastest of `repeats` calls, in seconds."""
    timings = []
    for _ in range(repeats):
        started = time.perf_counter()
        task()
        timings.append(time.perf_counter() - started)
    return min(timings)


def cold(task: Callable[[], object]) -> None:
    """The task with nothing drawn kept in memory: as the first view after a start."""
    run_charts._drawn.cache_clear()
    basemap.ground.cache_clear()
    task()


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
            health_s = best(lambda: client.get("/api/health"))
            print(f"GET /api/health: {health_s * 1000:.2f} ms")
            print(f"{'points':>8} {'page ms':>8} {'x health':>8} {'cold ms':>8} {'page KB':>8}")
            pages: dict[int, float] = {}
            for points in SIZES:
                path = generate.write_run(Path(folder) / f"run-{points}.gpx", points)
                sent = client.post(
                    "/api/runs",
                    files={"files": (f"{points}.gpx.gz", gzip.compress(path.read_bytes(), 1))},
                    headers=headers,
                )
                url = f"/runs/{sent.json()['runs'][0]['id']}"
                html = client.get(url, headers=headers).text
                view = partial(client.get, url, headers=headers)
                page_s = pages[points] = best(view)
                cold_s = best(partial(cold, view), 5)
                print(
                    f"{points:>8} {page_s * 1000:>8.2f} {page_s / health_s:>7.1f}x "
                    f"{cold_s * 1000:>8.2f} {len(html.encode()) / 1024:>8.1f}"
                )
            long, short = pages[SIZES[-1]], pages[SIZES[0]]
            print(f"36-hour page against the 1-hour one: {long / short:.2f}x")


if __name__ == "__main__":
    main()
