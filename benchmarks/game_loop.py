"""The moment after a run, for a runner with 1,000 stored runs: the upload's answer, the dashboard
and the runs list, against a running `heroicrun serve`, on SQLite and PostgreSQL.

    python benchmarks/game_loop.py                 # SQLite, then PostgreSQL if reachable
    python benchmarks/game_loop.py --runs 300 --heroicrun /tmp/other/.venv/bin/heroicrun

For each database, on a fresh one: start `heroicrun serve --workers 2`, add a runner and a token
with the CLI, enrol in five missions (journeys, a streak plan, single-run goals, best of three),
upload `--runs` ten-minute runs (each six hours after the last, from a few minutes after
enrolling, so that every one of them counts), then time, one request at a time:

- an upload of one more run, whose answer says what it did in every mission (20 uploads);
- GET /api/dashboard (50 requests);
- GET /api/runs, a page of 50 (50 requests), and GET /api/runs/{id} (50 requests).

Targets: an upload's answer under 250 ms p95, the dashboard and the lists under 100 ms p95.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import generate  # noqa: E402
import serving  # noqa: E402

MISSIONS = ("reach-sparta", "run-from-the-horde", "run", "original-marathon", "twenty-minutes")
POINTS = 600  # ten minutes at 1 Hz
UPLOADS_TIMED = 20
REQUESTS_TIMED = 50
PASSWORD = "benchmark-password"
UPLOAD_TARGET_S = 0.25
READ_TARGET_S = 0.1
SIX_H = timedelta(hours=6)  # between one stored run and the next


def post_file(client: httpx.Client, base: str, path: Path) -> httpx.Response:
    return client.post(
        f"{base}/api/runs",
        files={"files": (path.name, path.read_bytes(), "application/octet-stream")},
    )


def timed(call: Callable[[], httpx.Response], times: int) -> list[float]:
    """Seconds each of `times` calls took; a call that is not a 2xx stops the benchmark."""
    took: list[float] = []
    for _ in range(times):
        start = time.perf_counter()
        answer = call()
        took.append(time.perf_counter() - start)
        if not answer.is_success:
            raise SystemExit(f"{answer.request.url}: {answer.status_code} {answer.text[:300]}")
    return took


def figures(label: str, what: str, took: list[float], target_s: float) -> None:
    p95 = serving.percentile(took, 0.95)
    print(
        f"{label:<11} {what:<34} p50 {statistics.median(took) * 1000:6.1f} ms,"
        f" p95 {p95 * 1000:6.1f} ms (target p95 under {target_s * 1000:.0f} ms:"
        f" {'met' if p95 < target_s else 'MISSED'})"
    )


def scenario(label: str, cli: serving.Cli, runs: int, clients: int, scratch: Path) -> None:
    cli("db", "upgrade")
    cli.add_runner("thousand", PASSWORD)
    headers = {"Authorization": f"Bearer {cli.token('thousand')}"}
    with serving.served(cli, workers=2) as base, httpx.Client(headers=headers, timeout=120) as web:
        for mission in MISSIONS:
            web.post(f"{base}/api/missions/{mission}/enrol").raise_for_status()
        first = datetime.now(UTC) + timedelta(minutes=5)
        files = [
            generate.write_run(
                scratch / f"{label}-{i:04d}.gpx", POINTS, seed=20_000 + i, start=first + i * SIX_H
            )
            for i in range(runs + UPLOADS_TIMED)
        ]
        stored, extra = files[:runs], iter(files[runs:])

        def store(path: Path) -> None:
            with httpx.Client(headers=headers, timeout=300) as client:
                post_file(client, base, path).raise_for_status()

        started = time.perf_counter()
        with ThreadPoolExecutor(clients) as pool:
            list(pool.map(store, stored))
        print(f"{label:<11} {runs} runs stored in {time.perf_counter() - started:.0f} s")
        listed = web.get(f"{base}/api/runs", params={"limit": 1}).json()
        assert listed["total"] == runs, listed
        run_id = listed["runs"][0]["id"]
        figures(
            label,
            f"an upload's answer ({runs + 1}th run on)",
            timed(lambda: post_file(web, base, next(extra)), UPLOADS_TIMED),
            UPLOAD_TARGET_S,
        )
        figures(
            label,
            "GET /api/dashboard",
            timed(lambda: web.get(f"{base}/api/dashboard"), REQUESTS_TIMED),
            READ_TARGET_S,
        )
        figures(
            label,
            "GET /api/runs (a page of 50)",
            timed(lambda: web.get(f"{base}/api/runs", params={"limit": 50}), REQUESTS_TIMED),
            READ_TARGET_S,
        )
        figures(
            label,
            "GET /api/runs/{id}",
            timed(lambda: web.get(f"{base}/api/runs/{run_id}"), REQUESTS_TIMED),
            READ_TARGET_S,
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1000)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument(
        "--no-postgres", action="store_true", help="SQLite only, even if PostgreSQL is reachable"
    )
    serving.add_heroicrun_option(parser)
    options = parser.parse_args()
    print(f"heroicrun: {options.heroicrun}")
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        sqlite_url = f"sqlite:///{folder / 'game.db'}"
        scenario(
            "SQLite",
            serving.Cli(options.heroicrun, sqlite_url),
            options.runs,
            options.clients,
            folder,
        )
        if options.no_postgres:
            return
        with serving.postgres_schema(serving.POSTGRES) as url:
            if url is not None:
                cli = serving.Cli(options.heroicrun, url)
                scenario("PostgreSQL", cli, options.runs, options.clients, folder)


if __name__ == "__main__":
    main()
