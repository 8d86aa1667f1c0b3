"""How long a journey's mission page and its maps take to draw, and how heavy they are.

    python benchmarks/mission_page.py
    PYTHONPATH=/tmp/older python benchmarks/mission_page.py   # another version, to compare

(/tmp/older: `git archive REV | tar -x -C /tmp/older`, with heroicrun/catalog and heroicrun/web
linked to ../missions and ../web as an install maps them.)

Three measures, in this process: the mission page through the app in-process (signed in,
enrolled, no network; best of five), the route's maps alone (the whole route and the closer look)
at several points along the route, first at points never drawn before (the closer look's land is
cut and simplified afresh), then again (best of five; its land is found in memory).
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from functools import partial

from fastapi.testclient import TestClient

from heroicrun.missions import catalog, routes
from heroicrun.play import accounts
from heroicrun.server import create_app
from heroicrun.server.pages import route_maps
from heroicrun.settings import Settings

REPEATS = 5
MISSIONS = ("original-marathon", "reach-sparta", "across-america", "around-the-world")
HEADING = (
    f"{'mission':<18} {'first ms':>9} {'page ms':>8} {'page KB':>8} {'new ms':>7}"
    f" {'maps ms':>8} {'maps KB':>8}"
)
SHARES = (0.0, 0.1, 0.37, 0.5, 0.81, 1.0)  # where along the route the runner is drawn


def best(task: Callable[[], object], repeats: int = REPEATS) -> float:
    timings = []
    for _ in range(repeats):
        started = time.perf_counter()
        task()
        timings.append(time.perf_counter() - started)
    return min(timings)


def main() -> None:
    bundled = catalog.bundled()
    print(HEADING)
    with tempfile.TemporaryDirectory() as folder:
        settings = Settings(database_url=f"sqlite:///{folder}/bench.db", parse_workers=1)
        with TestClient(create_app(settings)) as client:
            with client.app.state.writers() as session:  # type: ignore[attr-defined]
                accounts.add_runner(session, "bench", "correct horse")
                session.commit()
            client.post("/api/session", json={"name": "bench", "password": "correct horse"})
            for mission_id in MISSIONS:
                mission = bundled.get(mission_id)
                assert mission is not None and mission.route is not None
                client.post(f"/api/missions/{mission_id}/enrol")
                url = f"/missions/{mission_id}"
                started = time.perf_counter()
                html = client.get(url).text
                first_s = time.perf_counter() - started
                page_s = best(partial(client.get, url))
                line = routes.build(mission.route, bundled.directory)
                kms = [share * line.length_km for share in SHARES]

                def draw_all(line: routes.RouteLine = line, kms: list[float] = kms) -> int:
                    drawn = 0
                    for km in kms:
                        if hasattr(route_maps, "maps"):
                            whole, around = route_maps.maps("bench", line, km)
                        else:  # a version before the closer look: one map
                            whole, around = route_maps.route_map("bench", line, km), None
                        drawn += len(whole) + len(around or "")
                    return drawn

                started = time.perf_counter()
                draw_all()
                new_s = (time.perf_counter() - started) / len(kms)
                maps_s = best(draw_all) / len(kms)
                maps_kb = draw_all() / len(kms) / 1024
                print(
                    f"{mission_id:<18} {first_s * 1000:>9.1f} {page_s * 1000:>8.1f} "
                    f"{len(html) / 1024:>8.0f} {new_s * 1000:>7.1f} {maps_s * 1000:>8.1f}"
                    f" {maps_kb:>8.1f}"
                )


if __name__ == "__main__":
    main()
