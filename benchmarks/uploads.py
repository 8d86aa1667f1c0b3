"""Uploads through the HTTP API against a running `heroicrun serve`, on SQLite and PostgreSQL.

    python benchmarks/uploads.py                 # SQLite, then PostgreSQL if reachable
    python benchmarks/uploads.py --runs 200 --clients 8
    python benchmarks/uploads.py --only stall --heroicrun /tmp/other/.venv/bin/heroicrun

For each database, each scenario on a fresh database, heroicrun driven only by its executable
(`--heroicrun`, default the project's .venv) through its CLI and HTTP API:

throughput: start `heroicrun serve --workers 2`, add a runner and a token with the CLI, upload
distinct one-hour 1 Hz GPX runs from concurrent clients, and print throughput, p50/p95 latency
and a count check (every run stored exactly once, no 5xx). Then time mission progress requests
for a runner with 1,000 stored runs. Targets: at least 20 uploads/s with SQLite on 2 cores, p95
under 1 s; a progress request under 50 ms p95.

stall: start `heroicrun serve` (one server process with its two reading workers) and upload two
honestly slow files (48-hour runs recorded every second as FIT, 2.8 MB gzipped, each several
seconds of reading); while they are read, 48 small uploads arrive at once from four runners,
one of whom sends half of them, and /api/health is probed every 100 ms throughout. Prints
/api/health p50/p95/max during the stall, how the small uploads were answered (stored, 503 with
Retry-After, failed) and how long they took, for the busy runner and for the others. Target:
/api/health p95 under 250 ms while the files are read.
"""

from __future__ import annotations

import argparse
import collections
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import generate  # noqa: E402
import serving  # noqa: E402

PROGRESS_RUNS = 1000
SLOW_HOURS = 48
SMALL_UPLOADS = (("busy", 24), ("second", 8), ("third", 8), ("fourth", 8))
SMALL_POINTS = 600  # ten minutes at 1 Hz
PROBE_EVERY_S = 0.1
PROBE_TIMEOUT_S = 10.0
PROBES_AT_ONCE = 8  # a few monitors; alone they cannot take all 15 of a database pool's connections
HEALTH_TARGET_S = 0.25
UPLOAD_TIMEOUT_S = 300
PASSWORD = "benchmark-password"


def make_runs(folder: Path, count: int) -> list[Path]:
    return [generate.write_run(folder / f"run-{i:04d}.gpx", 3600, seed=i) for i in range(count)]


def post_files(base: str, headers: dict[str, str], path: Path) -> httpx.Response:
    with httpx.Client(timeout=UPLOAD_TIMEOUT_S) as client:
        return client.post(
            f"{base}/api/runs",
            headers=headers,
            files={"files": (path.name, path.read_bytes(), "application/octet-stream")},
        )


def met(ok: bool) -> str:
    return "met" if ok else "MISSED"


def throughput(label: str, cli: serving.Cli, files: list[Path], clients: int) -> None:
    cli("db", "upgrade")
    cli.add_runner("bench", PASSWORD)
    token = cli.token("bench")
    with serving.served(cli, workers=2) as base:
        headers = {"Authorization": f"Bearer {token}"}
        latencies: list[float] = []
        statuses: list[int] = []

        def upload(path: Path) -> None:
            start = time.perf_counter()
            answer = post_files(base, headers, path)
            latencies.append(time.perf_counter() - start)
            statuses.append(answer.status_code)

        started = time.perf_counter()
        with ThreadPoolExecutor(clients) as pool:
            list(pool.map(upload, files))
        wall = time.perf_counter() - started
        listed = httpx.get(f"{base}/api/runs?limit=1", headers=headers, timeout=30).json()
        again = [0]

        def duplicate(path: Path) -> None:
            if post_files(base, headers, path).json()["runs"][0]["duplicate"]:
                again[0] += 1

        with ThreadPoolExecutor(clients) as pool:
            list(pool.map(duplicate, files[:20]))
        after = httpx.get(f"{base}/api/runs?limit=1", headers=headers, timeout=30).json()
        progress_p50, progress_p95 = progress_latency(base, cli, clients)
    p95 = serving.percentile(latencies, 0.95)
    rate = len(files) / wall
    server_errors = sum(1 for status in statuses if status >= 500)
    print(
        f"{label:<11} {len(files)} uploads, {clients} clients: {rate:6.1f} uploads/s,"
        f" p50 {statistics.median(latencies) * 1000:5.0f} ms, p95 {p95 * 1000:5.0f} ms;"
        f" stored {listed['total']} (expected {len(files)}), 5xx {server_errors},"
        f" re-uploads seen as duplicates {again[0]}/20, stored after {after['total']}"
        f" (target 20 uploads/s, p95 under 1 s: {met(rate >= 20 and p95 < 1)})"
    )
    print(
        f"{label:<11} progress of a runner with {PROGRESS_RUNS} runs: p50"
        f" {progress_p50 * 1000:5.1f} ms, p95 {progress_p95 * 1000:5.1f} ms"
        f" (target p95 under 50 ms: {met(progress_p95 < 0.05)})"
    )


def progress_latency(base: str, cli: serving.Cli, clients: int) -> tuple[float, float]:
    """Enrol a second runner, upload 1,000 short runs after enrolment, time progress requests.

    Returns the p50 and p95 in seconds over 200 requests for each of two missions.
    """
    cli.add_runner("thousand", PASSWORD)
    headers = {"Authorization": f"Bearer {cli.token('thousand')}"}
    missions = ("reach-sparta", "run-from-the-horde")
    for mission in missions:
        httpx.post(f"{base}/api/missions/{mission}/enrol", headers=headers, timeout=30)
    first = datetime.now(UTC) + timedelta(minutes=5)
    with tempfile.TemporaryDirectory() as scratch:
        files = [
            generate.write_run(
                Path(scratch) / f"short-{i:04d}.gpx",
                600,
                seed=10_000 + i,
                start=first + timedelta(hours=6 * i),
            )
            for i in range(PROGRESS_RUNS)
        ]
        with ThreadPoolExecutor(clients) as pool:
            list(pool.map(lambda path: post_files(base, headers, path), files))
    times: list[float] = []
    with httpx.Client(timeout=60) as client:
        for mission in missions:
            client.get(f"{base}/api/missions/{mission}/progress", headers=headers)  # warm
            for _ in range(200):
                start = time.perf_counter()
                answer = client.get(f"{base}/api/missions/{mission}/progress", headers=headers)
                times.append(time.perf_counter() - start)
                assert answer.status_code == 200, answer.text
    return statistics.median(times), serving.percentile(times, 0.95)


@dataclass(frozen=True)
class Answer:
    """How one upload went: when it started and how long it took (seconds from the scenario's
    start), its status (None: no answer at all), Retry-After, and runs stored."""

    runner: str
    started_s: float
    took_s: float
    status: int | None
    retry_after: str | None
    stored: int
    said: str = ""  # the first error in the answer, if any

    @property
    def ended_s(self) -> float:
        return self.started_s + self.took_s


PROBE_SCRIPT = r"""
import sys, threading, time, httpx
url, origin, every, timeout, at_once = sys.argv[1], *map(float, sys.argv[2:5]), int(sys.argv[5])
out = threading.BoundedSemaphore(at_once)
lock = threading.Lock()
def emit(started, took, ok):
    with lock:
        print(f"{started - origin:.4f} {took:.4f} {int(ok)}", flush=True)
def probe():
    started = time.perf_counter()
    try:
        ok = httpx.get(url, timeout=timeout).status_code == 200
    except httpx.HTTPError:
        ok = False
    emit(started, min(time.perf_counter() - started, timeout), ok)
    out.release()
stop = threading.Event()
threading.Thread(target=lambda: (sys.stdin.read(), stop.set()), daemon=True).start()
next_s = time.perf_counter()
while not stop.is_set():
    if out.acquire(blocking=False):
        threading.Thread(target=probe, daemon=True).start()
    else:
        emit(time.perf_counter(), timeout, False)
    next_s += every
    stop.wait(max(0.0, next_s - time.perf_counter()))
for _ in range(at_once):  # the probes still out
    out.acquire(timeout=timeout + 5)
"""


class Prober:
    """GET /api/health every `every_s` seconds on a fresh connection each, as a monitor would,
    none waiting for another; each given up after PROBE_TIMEOUT_S. At most PROBES_AT_ONCE are
    out at a time, so that the probing cannot bury a stalled server: a tick that finds them all
    still out sends nothing and counts as one more timed-out probe.

    The probes run in a process of their own: in this one, the threads sending uploads would
    hold the interpreter and make the server look slower than it is. Times are on the same
    monotonic clock in both processes (Linux)."""

    def __init__(self, base: str, origin_s: float, every_s: float = PROBE_EVERY_S) -> None:
        self.url = f"{base}/api/health"
        self.origin_s = origin_s
        self.every_s = every_s
        self.samples: list[tuple[float, float, bool]] = []  # started, took, answered 200
        self._process: subprocess.Popen[str] | None = None

    def start(self) -> None:
        self._process = subprocess.Popen(
            [
                sys.executable,
                "-c",
                PROBE_SCRIPT,
                self.url,
                repr(self.origin_s),
                repr(self.every_s),
                repr(PROBE_TIMEOUT_S),
                str(PROBES_AT_ONCE),
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )

    def stop(self) -> None:
        """Stop probing; the probes still out are waited for."""
        assert self._process is not None
        output, _ = self._process.communicate(input="", timeout=PROBE_TIMEOUT_S + 30)
        for line in output.splitlines():
            started, took, ok = line.split()
            self.samples.append((float(started), float(took), ok == "1"))

    def between(self, start_s: float, end_s: float) -> tuple[list[float], int]:
        """Latencies of the probes due in [start_s, end_s], and how many of them failed."""
        chosen = [sample for sample in self.samples if start_s <= sample[0] <= end_s]
        return [took for _, took, _ in chosen], sum(1 for *_, ok in chosen if not ok)


def stored_and_said(answer: httpx.Response) -> tuple[int, str]:
    """Runs an upload stored, and its first error (else the start of the answer's text)."""
    try:
        body = answer.json()
    except ValueError:
        return 0, answer.text[:160]
    runs = body.get("runs") or []
    errors = body.get("errors") or []
    said = str(errors[0].get("error", "")) if errors else str(body.get("detail") or "")
    return len(runs), (said or (answer.text if not runs else ""))[:160]


def failures(answers: list[Answer]) -> str:
    """The statuses of failed uploads and what the first of them said."""
    failed = [answer for answer in answers if answer.status not in (201, 503)]
    if not failed:
        return ""
    statuses = collections.Counter(str(answer.status or "no answer") for answer in failed)
    counted = ", ".join(f"{status} x{count}" for status, count in statuses.most_common())
    return f" [failed: {counted}; first said: {failed[0].said!r}]"


def waited(seconds: float) -> str:
    """A probe's wait in ms; one given up on shows as at least the probe timeout."""
    if seconds >= PROBE_TIMEOUT_S:
        return f">={PROBE_TIMEOUT_S * 1000:.0f} ms (timed out)"
    return f"{seconds * 1000:.0f} ms"


def make_stall_files(folder: Path) -> tuple[list[Path], dict[str, list[Path]]]:
    """Two slow FIT files and, per runner, its distinct small GPX runs."""
    slow = [
        generate.write_fit_run(folder / f"ultra-{n}.fit.gz", SLOW_HOURS * 3600, seed=500 + n)
        for n in (1, 2)
    ]
    small: dict[str, list[Path]] = {}
    seed = 20_000
    for runner, count in SMALL_UPLOADS:
        small[runner] = []
        for _ in range(count):
            path = folder / f"{runner}-{seed}.gpx"
            small[runner].append(generate.write_run(path, SMALL_POINTS, seed=seed))
            seed += 1
    return slow, small


def stall(label: str, cli: serving.Cli, slow: list[Path], small: dict[str, list[Path]]) -> None:
    cli("db", "upgrade")
    tokens: dict[str, str] = {}
    for runner in ["slow", *small]:
        cli.add_runner(runner, PASSWORD)
        tokens[runner] = cli.token(runner)
    with serving.served(cli, workers=1) as base:
        origin = time.perf_counter()
        answers: list[Answer] = []

        def upload(runner: str, path: Path) -> Answer:
            started = time.perf_counter()
            headers = {"Authorization": f"Bearer {tokens[runner]}"}
            try:
                answer = post_files(base, headers, path)
            except httpx.HTTPError as error:
                took = time.perf_counter() - started
                return Answer(runner, started - origin, took, None, None, 0, type(error).__name__)
            return Answer(
                runner,
                started - origin,
                time.perf_counter() - started,
                answer.status_code,
                answer.headers.get("retry-after"),
                *stored_and_said(answer),
            )

        prober = Prober(base, origin)
        prober.start()
        time.sleep(2)  # a baseline while the server is idle
        idle_end_s = time.perf_counter() - origin
        count = sum(len(paths) for paths in small.values())
        with ThreadPoolExecutor(len(slow) + count) as pool:
            slow_started_s = time.perf_counter() - origin
            reading: list[Future[Answer]] = [pool.submit(upload, "slow", p) for p in slow]
            time.sleep(1)  # the slow files are in the readers now
            queued = [
                pool.submit(upload, runner, path)
                for runner, paths in small.items()
                for path in paths
            ]
            answers = [future.result() for future in queued]
            slow_answers = [future.result() for future in reading]
        stall_end_s = time.perf_counter() - origin
        time.sleep(1)
        prober.stop()
    idle, _ = prober.between(0, idle_end_s)
    during, probe_failures = prober.between(slow_started_s, stall_end_s)
    small_start_s = min(answer.started_s for answer in answers)
    stored = sum(answer.stored for answer in answers)
    busy = [answer.status for answer in answers if answer.status == 503]
    with_retry = sum(1 for answer in answers if answer.status == 503 and answer.retry_after)
    failed = sum(1 for answer in answers if answer.status not in (201, 503))
    took = [answer.took_s for answer in answers]
    health_p95 = serving.percentile(during, 0.95)
    print(
        f"{label:<11} stall, 1 server process: 2 slow uploads ({SLOW_HOURS} h FIT at 1 Hz,"
        f" {slow[0].stat().st_size / 1e6:.1f} MB gzipped each) answered"
        f" {' '.join(str(answer.status) for answer in slow_answers)} after"
        f" {' and '.join(f'{answer.took_s:.1f} s' for answer in slow_answers)}"
        f"{failures(slow_answers)}"
    )
    print(
        f"{label:<11} stall: /api/health every {PROBE_EVERY_S * 1000:.0f} ms, {len(during)}"
        f" probes during the stall: p50 {waited(serving.percentile(during, 0.5))},"
        f" p95 {waited(health_p95)}, max {waited(max(during))},"
        f" failed or timed out {probe_failures} (idle before: p50"
        f" {serving.percentile(idle, 0.5) * 1000:.0f} ms)"
        f" (target p95 under {HEALTH_TARGET_S * 1000:.0f} ms: {met(health_p95 < HEALTH_TARGET_S)})"
    )
    print(
        f"{label:<11} stall: {count} small uploads from {len(small)} runners at once: stored"
        f" {stored}, answered 503 {len(busy)} (with Retry-After {with_retry}), failed {failed};"
        f" took p50 {statistics.median(took):.1f} s, p95 {serving.percentile(took, 0.95):.1f} s,"
        f" max {max(took):.1f} s{failures(answers)}"
    )
    busiest, *others = (runner for runner, _ in SMALL_UPLOADS)
    busy_last = max(a.ended_s for a in answers if a.runner == busiest) - small_start_s
    others_last = max(a.ended_s for a in answers if a.runner in others) - small_start_s
    print(
        f"{label:<11} stall: last answer to the runner sending {len(small[busiest])} after"
        f" {busy_last:.1f} s; to the {len(others)} runners sending"
        f" {len(small[others[0]])} each after {others_last:.1f} s"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument(
        "--only", choices=("throughput", "stall"), help="run one scenario (default: both)"
    )
    parser.add_argument(
        "--no-postgres", action="store_true", help="SQLite only, even if PostgreSQL is reachable"
    )
    serving.add_heroicrun_option(parser)
    options = parser.parse_args()
    print(f"heroicrun: {options.heroicrun}")
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        files = make_runs(folder, options.runs) if options.only != "stall" else []
        slow, small = make_stall_files(folder) if options.only != "throughput" else ([], {})

        def scenarios(label: str, url_of: dict[str, str]) -> None:
            if files:
                throughput(
                    label,
                    serving.Cli(options.heroicrun, url_of["throughput"]),
                    files,
                    options.clients,
                )
            if slow:
                stall(label, serving.Cli(options.heroicrun, url_of["stall"]), slow, small)

        scenarios(
            "SQLite",
            {name: f"sqlite:///{folder / f'{name}.db'}" for name in ("throughput", "stall")},
        )
        if options.no_postgres:
            return
        with serving.postgres_schema(serving.POSTGRES) as first:
            if first is None:
                return
            with serving.postgres_schema(serving.POSTGRES) as second:
                assert second is not None
                scenarios("PostgreSQL", {"throughput": first, "stall": second})


if __name__ == "__main__":
    main()
