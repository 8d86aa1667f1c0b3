"""Uploads through the HTTP API against a running `heroicrun serve`, on SQLite and PostgreSQL.

    python benchmarks/uploads.py                 # SQLite, then PostgreSQL if reachable
    python benchmarks/uploads.py --runs 200 --clients 8

For each database: start `heroicrun serve` on a fresh database, add a runner and a token with
the CLI, upload distinct one-hour 1 Hz GPX runs from concurrent clients, and print throughput,
p50/p95 latency and a count check (every run stored exactly once, no 5xx). Then time mission
progress requests for a runner with 1,000 stored runs (stored directly, not over HTTP, to keep
the benchmark short). Targets: at least 20 uploads/s with SQLite on 2 cores, p95 under 1 s; a
progress request under 50 ms p95.
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

HERE = Path(__file__).resolve().parent
POSTGRES = os.environ.get(
    "HEROICRUN_BENCH_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def heroicrun(*args: str, env: dict[str, str], stdin: str | None = None) -> str:
    command = shutil.which("heroicrun")
    argv = [command] if command else [sys.executable, "-m", "heroicrun"]
    done = subprocess.run(
        [*argv, *args], env=env, input=stdin, capture_output=True, text=True, check=True
    )
    return done.stdout.strip()


def make_runs(folder: Path, count: int) -> list[Path]:
    sys.path.insert(0, str(HERE))
    from generate import write_run

    return [write_run(folder / f"run-{i:04d}.gpx", 3600, seed=i) for i in range(count)]


def fresh_postgres_schema(url: str) -> str | None:
    """A URL whose search_path is a new, empty schema (None when PostgreSQL is unreachable)."""
    from sqlalchemy import create_engine, text

    schema = f"bench_{os.getpid()}_{int(time.time())}"
    try:
        admin = create_engine(url, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        admin.dispose()
    except Exception as error:  # any failure means: skip PostgreSQL
        print(f"PostgreSQL not reachable ({type(error).__name__}): skipped")
        return None
    return f"{url}{'&' if '?' in url else '?'}options=-csearch_path%3D{schema}"


def bench(label: str, database_url: str, files: list[Path], clients: int) -> None:
    env = {**os.environ, "HEROICRUN_DATABASE_URL": database_url}
    heroicrun("db", "upgrade", env=env)
    heroicrun("runner", "add", "bench", env=env, stdin="benchmark-password\n")
    token = heroicrun("token", "create", "--runner", "bench", "--name", "bench", env=env)
    port = free_port()
    command = shutil.which("heroicrun")
    argv = [command] if command else [sys.executable, "-m", "heroicrun"]
    server = subprocess.Popen(
        [*argv, "serve", "--port", str(port), "--workers", "2"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{base}/api/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise SystemExit(f"{label}: the server did not start")
            time.sleep(0.2)
        headers = {"Authorization": f"Bearer {token}"}
        latencies: list[float] = []
        statuses: list[int] = []

        def upload(path: Path) -> None:
            start = time.perf_counter()
            with httpx.Client(timeout=120) as client:
                answer = client.post(
                    f"{base}/api/runs",
                    headers=headers,
                    files={"files": (path.name, path.read_bytes(), "application/gpx+xml")},
                )
            latencies.append(time.perf_counter() - start)
            statuses.append(answer.status_code)

        started = time.perf_counter()
        with ThreadPoolExecutor(clients) as pool:
            list(pool.map(upload, files))
        wall = time.perf_counter() - started
        listed = httpx.get(f"{base}/api/runs?limit=1", headers=headers, timeout=30).json()
        again = [0]

        def duplicate(path: Path) -> None:
            with httpx.Client(timeout=120) as client:
                answer = client.post(
                    f"{base}/api/runs",
                    headers=headers,
                    files={"files": (path.name, path.read_bytes(), "application/gpx+xml")},
                )
            if answer.json()["runs"][0]["duplicate"]:
                again[0] += 1

        with ThreadPoolExecutor(clients) as pool:
            list(pool.map(duplicate, files[:20]))
        after = httpx.get(f"{base}/api/runs?limit=1", headers=headers, timeout=30).json()
        progress_p50, progress_p95 = progress_latency(base, database_url, clients)
    finally:
        server.terminate()
        server.wait(timeout=30)
    latencies.sort()
    p95 = latencies[int(0.95 * (len(latencies) - 1))]
    server_errors = sum(1 for status in statuses if status >= 500)
    print(
        f"{label:<11} {len(files)} uploads, {clients} clients: {len(files) / wall:6.1f} uploads/s,"
        f" p50 {statistics.median(latencies) * 1000:5.0f} ms, p95 {p95 * 1000:5.0f} ms;"
        f" stored {listed['total']} (expected {len(files)}), 5xx {server_errors},"
        f" re-uploads seen as duplicates {again[0]}/20, stored after {after['total']}"
    )
    print(
        f"{label:<11} progress of a runner with {PROGRESS_RUNS} runs: p50"
        f" {progress_p50 * 1000:5.1f} ms, p95 {progress_p95 * 1000:5.1f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--clients", type=int, default=8)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        files = make_runs(folder, options.runs)
        bench("SQLite", f"sqlite:///{folder / 'bench.db'}", files, options.clients)
        postgres = fresh_postgres_schema(POSTGRES)
        if postgres:
            bench("PostgreSQL", postgres, files, options.clients)


PROGRESS_RUNS = 1000


def progress_latency(base: str, database_url: str, clients: int) -> tuple[float, float]:
    """Enrol a second runner, upload 1,000 short runs after enrolment, time progress requests.

    Returns the p50 and p95 in seconds over 200 requests for each of two missions.
    """
    env = {**os.environ, "HEROICRUN_DATABASE_URL": database_url}
    heroicrun("runner", "add", "thousand", env=env, stdin="benchmark-password\n")
    token = heroicrun("token", "create", "--runner", "thousand", env=env)
    headers = {"Authorization": f"Bearer {token}"}
    missions = ("reach-sparta", "run-from-the-horde")
    for mission in missions:
        httpx.post(f"{base}/api/missions/{mission}/enrol", headers=headers, timeout=30)
    sys.path.insert(0, str(HERE))
    from generate import write_run

    first = datetime.now(UTC) + timedelta(minutes=5)
    with tempfile.TemporaryDirectory() as scratch:
        files = [
            write_run(
                Path(scratch) / f"short-{i:04d}.gpx",
                600,
                seed=10_000 + i,
                start=first + timedelta(hours=6 * i),
            )
            for i in range(PROGRESS_RUNS)
        ]

        def upload(path: Path) -> None:
            with httpx.Client(timeout=120) as client:
                client.post(
                    f"{base}/api/runs",
                    headers=headers,
                    files={"files": (path.name, path.read_bytes(), "application/gpx+xml")},
                )

        with ThreadPoolExecutor(clients) as pool:
            list(pool.map(upload, files))
    times: list[float] = []
    with httpx.Client(timeout=60) as client:
        for mission in missions:
            client.get(f"{base}/api/missions/{mission}/progress", headers=headers)  # warm
            for _ in range(200):
                start = time.perf_counter()
                answer = client.get(f"{base}/api/missions/{mission}/progress", headers=headers)
                times.append(time.perf_counter() - start)
                assert answer.status_code == 200, answer.text
    times.sort()
    return statistics.median(times), times[int(0.95 * (len(times) - 1))]


if __name__ == "__main__":
    main()
