"""Every page against `/api/health` on the same server, for a runner of 1,000 runs over three
years and all the bundled missions, measured in one run.

    python benchmarks/pages.py                      # a fresh SQLite database
    python benchmarks/pages.py --postgres postgresql+psycopg://postgres@127.0.0.1:5432/test
    python benchmarks/pages.py --runs 200           # a quicker look

It builds its own database: one runner, enrolled in every bundled mission a runner can start
alone (the 17 that are not team missions) three years ago, then
`--runs` ten-minute runs, one every ~26 hours since, each stored as an upload stores it
(`play.runs.record`, the reading workers) but for judging the missions, which an upload does
over every run and would make the building quadratic; then an ordinary one-hour run and a
36-hour run of 130,000 points stored as uploads are, missions judged over all the runs.
Then it starts `heroicrun serve`, signs in through the form, and times each page over one
keep-alive connection (the median of `--repeats`, pages interleaved so that a slow moment of
the machine falls on every page alike). Per page: the median, its ratio to
/api/health, its size uncompressed and gzipped, and PASS/FAIL against the targets:

- the dashboard, a run page, the runs list and a mission page within 3x of /api/health;
- the 36-hour run page within 2x of the ordinary run page;
- every page under 100 KB uncompressed, and gzipped when the client accepts it.

A page that is not there yet (404) is printed as "absent".
"""

from __future__ import annotations

import argparse
import gzip
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import generate  # noqa: E402
import serving  # noqa: E402

RUNNER = "bench"
PASSWORD = "benchmark-password"
POINTS = 600  # a ten-minute run at 1 Hz
HOUR_POINTS = 3_600
LONG_POINTS = 130_000  # 36 hours at 1 Hz
YEARS = 3
RATIO_TARGET = 3.0  # a page within 3x of /api/health
LONG_TARGET = 2.0  # the 36-hour run page within 2x of an ordinary one
MAX_BYTES = 100 * 1024
JOURNEY = "reach-sparta"
FORM_TOKEN = re.compile(r'name="csrf" value="([0-9a-f]+)"')


@dataclass(frozen=True)
class Built:
    """What the database holds that the pages are asked for."""

    hour_run: int
    long_run: int


@dataclass
class Page:
    """One page as timed: its path, what it was, and what it answered."""

    label: str
    path: str
    took_s: list[float] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)  # sent with every request
    status: int = 0
    raw_bytes: int = 0
    gzip_bytes: int = 0
    encoding: str = ""

    @property
    def median_ms(self) -> float:
        return statistics.median(self.took_s) * 1000 if self.took_s else float("nan")


def build(url: str, runs: int, scratch: Path, workers: int) -> Built:
    """Store the runner, the enrolments and the runs, as uploads store them."""
    from heroicrun.db import engine as db_engine
    from heroicrun.db import migrate
    from heroicrun.missions import catalog as bundled
    from heroicrun.play import accounts
    from heroicrun.play import missions as play_missions
    from heroicrun.play import runs as play_runs
    from heroicrun.play.pool import Parser

    engine = db_engine.connect(url)
    migrate.upgrade(engine)
    writers = db_engine.writers(engine)
    catalog = bundled.bundled()
    now = datetime.now(UTC)
    first = now - timedelta(days=365 * YEARS)
    with writers() as session:
        runner = accounts.add_runner(session, RUNNER, PASSWORD)
        for mission in catalog.missions:  # every mission a runner can start alone
            if mission.team:
                continue
            play_missions.enrol(session, catalog, runner, mission.id, first - timedelta(hours=1))
        session.commit()
        runner_id = runner.id
    step = (now - timedelta(days=2) - first) / max(runs, 1)
    starts = [first + i * step for i in range(runs)]
    parser = Parser(workers, 300.0)
    started = time.perf_counter()

    def store(name: str, points: int, seed: int, start: datetime, judged: bool = True) -> int:
        path = generate.write_run(scratch / name, points, seed=seed, start=start)
        data = path.read_bytes()
        path.unlink()
        with writers() as session:
            from heroicrun.db.schema import Runner

            who = session.get(Runner, runner_id)
            assert who is not None
            recorded = play_runs.record(
                session, who, name, data, parser, catalog if judged else None
            )
            return recorded[0].run.id

    try:
        with ThreadPoolExecutor(workers) as pool:
            done = pool.map(
                lambda i: store(f"run-{i:04d}.gpx", POINTS, 1_000 + i, starts[i], False),
                range(runs),
            )
            for count, _ in enumerate(done, 1):
                if count % 100 == 0:
                    print(f"  {count} runs stored ({time.perf_counter() - started:.0f} s)")
        hour_run = store("hour.gpx", HOUR_POINTS, 7, now - timedelta(days=1, hours=2))
        long_run = store("spartathlon.gpx", LONG_POINTS, 8, now - timedelta(days=400))
    finally:
        parser.close()
        engine.dispose()
    print(f"  built in {time.perf_counter() - started:.0f} s")
    return Built(hour_run, long_run)


def sign_in(web: httpx.Client, base: str) -> None:
    """Sign in through the form, as a browser does; the session cookie stays in `web`."""
    form = web.get(f"{base}/signin")
    token = FORM_TOKEN.search(form.text)
    if token is None:
        raise SystemExit(f"/signin has no form token: {form.status_code}")
    answer = web.post(
        f"{base}/signin",
        data={"name": RUNNER, "password": PASSWORD, "csrf": token.group(1)},
        follow_redirects=False,
    )
    if answer.status_code != 303:
        raise SystemExit(f"signing in failed: {answer.status_code} {answer.text[:300]}")


def measure(web: httpx.Client, base: str, pages: list[Page], repeats: int) -> None:
    """Time every page `repeats` times, in turns; keep each one's size and status."""
    for page in pages:  # warm up, and see what each one is
        plain = web.get(
            f"{base}{page.path}", headers={**page.headers, "Accept-Encoding": "identity"}
        )
        page.status = plain.status_code
        page.raw_bytes = len(plain.content)
        page.gzip_bytes = len(gzip.compress(plain.content, 6))
        zipped = web.get(f"{base}{page.path}", headers={**page.headers, "Accept-Encoding": "gzip"})
        page.encoding = zipped.headers.get("content-encoding", "")
    live = [page for page in pages if page.status == 200]
    for _ in range(repeats):
        for page in live:
            page.took_s.append(once(web, base, page))


def once(web: httpx.Client, base: str, page: Page) -> float:
    """Seconds one request of the page took; a failure stops the benchmark."""
    started = time.perf_counter()
    answer = web.get(f"{base}{page.path}", headers=page.headers)
    took = time.perf_counter() - started
    if not answer.is_success:
        raise SystemExit(f"{page.path}: {answer.status_code} {answer.text[:300]}")
    return took


Checks = Callable[[Page, float], list[tuple[str, bool]]]


def within_targets(page: Page, ratio: float) -> list[tuple[str, bool]]:
    """A page within RATIO_TARGET of health, under MAX_BYTES, and gzipped when it is worth it."""
    return [
        ("ratio", ratio <= RATIO_TARGET),
        ("size", page.raw_bytes < MAX_BYTES),
        ("gzip", page.raw_bytes < 1024 or page.encoding == "gzip"),
    ]


def table(pages: list[Page], checks: Checks = within_targets, width: int = 26) -> bool:
    """Print each page against the first (health) and its checks; True when every one holds."""
    health = pages[0].median_ms
    heading = f"{'ms':>7} {'x health':>9} {'KB':>7} {'gzip KB':>8}  verdict"
    print(f"{'page':<22} {'path':<{width}} {heading}")
    met = True
    for page in pages:
        if page.status == 404:
            print(f"{page.label:<22} {page.path:<{width}} {'absent':>7}")
            continue
        if page.status != 200:
            print(f"{page.label:<22} {page.path:<{width}} status {page.status}  FAIL")
            met = False
            continue
        ratio = page.median_ms / health
        found = [] if page is pages[0] else checks(page, ratio)
        failed = [name for name, ok in found if not ok]
        verdict = "" if page is pages[0] else "PASS" if not failed else "FAIL " + ", ".join(failed)
        met = met and not failed
        print(
            f"{page.label:<22} {page.path:<{width}} {page.median_ms:>7.1f} {ratio:>8.1f}x"
            f" {page.raw_bytes / 1024:>7.1f} {page.gzip_bytes / 1024:>8.1f}  {verdict}"
        )
    return met


def report(pages: list[Page]) -> bool:
    """Print the table; True when every target is met: the 36-hour run page is held to the
    hour's page, not to health."""
    hour = next(page for page in pages if page.label == "run page (1 h)").median_ms

    def checks(page: Page, ratio: float) -> list[tuple[str, bool]]:
        found = within_targets(page, ratio)
        if page.label == "run page (36 h)":
            found[0] = (f"{page.median_ms / hour:.1f}x the 1 h page", _long_ok(page, hour))
        return found

    return table(pages, checks)


def _long_ok(page: Page, hour_ms: float) -> bool:
    return page.median_ms <= LONG_TARGET * hour_ms


@contextmanager
def database(postgres: str | None, scratch: Path) -> Iterator[str]:
    """A fresh database: a SQLite file, or a new schema of the PostgreSQL server."""
    if postgres is None:
        yield f"sqlite:///{scratch / 'pages.db'}"
        return
    with serving.postgres_schema(postgres) as url:
        if url is None:
            raise SystemExit("PostgreSQL is not reachable")
        yield url


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1000, help="ten-minute runs to store")
    parser.add_argument("--repeats", type=int, default=30, help="requests per page")
    parser.add_argument("--postgres", metavar="URL", help="a PostgreSQL server instead of SQLite")
    parser.add_argument("--workers", type=int, default=2, help="reading workers while building")
    serving.add_heroicrun_option(parser)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="heroicrun-pages-") as folder:
        scratch = Path(folder)
        with database(options.postgres, scratch) as url:
            print(f"building: {options.runs} runs, every solo mission, a 36-hour run")
            built = build(url, options.runs, scratch, options.workers)
            cli = serving.Cli(options.heroicrun, url)
            with serving.served(cli, workers=1) as base, httpx.Client(timeout=120) as web:
                sign_in(web, base)
                pages = [
                    Page("health", "/api/health"),
                    Page("dashboard", "/"),
                    Page("run page (1 h)", f"/runs/{built.hour_run}"),
                    Page("run page (36 h)", f"/runs/{built.long_run}"),
                    Page("runs list", "/runs"),
                    Page("runs list, page 20", "/runs?page=20"),
                    Page("mission page", f"/missions/{JOURNEY}"),
                    Page("records", "/records"),
                ]
                measure(web, base, pages, options.repeats)
            met = report(pages)
    print("every target met" if met else "some targets MISSED")


if __name__ == "__main__":
    main()
