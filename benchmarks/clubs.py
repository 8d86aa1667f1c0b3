"""A club's pages against `/api/health` on the same server, for a club of 200 runners with
20,000 runs between them, measured in one run.

    python benchmarks/clubs.py                      # a fresh SQLite database
    python benchmarks/clubs.py --postgres postgresql+psycopg://postgres@127.0.0.1:5432/test
    python benchmarks/clubs.py --runners 50 --runs 2000   # a quicker look

It builds its own database from the runs' facts, not from files: `--runners` runners in one
club, which starts The 182 Heroes' Charge (a route) and The Riders' Relay six months ago; then
`--runs` runs of 3-15 km, spread over those months among the members, written as rows of what
measuring a file gives (one measured file's summary, its figures changed per run), credited to
both teams as an upload credits a run (each run once per team, every one started after the team
enrolled and the member joined; written in bulk rather than one upload at a time), and the teams
judged once, as the last upload would, so that their chapters and kept standings exist.

Then it starts `heroicrun serve`, signs in through the form as a member, has another member
upload a run (the reading workers started, the teams judged again), and times each page
over one keep-alive connection (the median of `--repeats`, pages interleaved): the club page,
the team progress API (a member's token), the clubs page and the dashboard. Target: each within
3x of /api/health. Then a member uploads one run through the API and the club page is viewed
once: the first view after a change, which reads the club's week and feed again; it is told
apart (allowed to be slower), as a multiple of the steady club page.

Last, in this process, each team is judged as an upload judges it: from its fold (its runs up
to its last chapter summed: heroicrun.play.team_folds), and from every run. Target: from the
fold at least 10x faster.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import random
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import generate  # noqa: E402
import pages  # noqa: E402
import serving  # noqa: E402
from pages import Page  # noqa: E402

CLUB = "Runners of Megara"
MISSIONS = ("the-182-heroes", "riders-relay")
MONTHS = 6
FILES = 100  # originals shared by the runs: a runner's k-th run is an outing of the k-th file
UPLOAD_POINTS = 3_000  # the fresh upload: 50 minutes at 1 Hz
JUDGING_TARGET = 10.0  # a team judged from its fold, at least this many times faster


@dataclass(frozen=True)
class Built:
    """What the database holds that the pages are asked for."""

    club_id: int
    token: str  # an API token of the signed-in member
    other: str  # an API token of another member


def build(url: str, runners: int, runs: int) -> Built:
    """The club, its members, its two teams and their credited runs, as uploads leave them."""
    from sqlalchemy import insert

    from heroicrun import measuring, reading, summary
    from heroicrun.db import engine as db_engine
    from heroicrun.db import migrate
    from heroicrun.db.schema import Original, Run, TeamRun
    from heroicrun.missions import catalog as bundled
    from heroicrun.play import accounts, clubs, teams
    from heroicrun.play import runs as play_runs

    started = time.perf_counter()
    engine = db_engine.connect(url)
    migrate.upgrade(engine)
    writers = db_engine.writers(engine)
    catalog = bundled.bundled()
    now = datetime.now(UTC)
    enrolled = now - timedelta(days=30 * MONTHS)
    rng = random.Random(12)
    with tempfile.TemporaryDirectory(prefix="heroicrun-clubs-") as folder:
        files = [
            generate.write_run(Path(folder) / f"f{k}.gpx", 60, seed=k, start=enrolled)
            for k in range(FILES)
        ]
        contents = [path.read_bytes() for path in files]
    measured = summary.describe(
        track := reading.read_bytes(contents[0], "run.gpx"), measuring.measure(track)
    )
    digests = [hashlib.sha256(data).hexdigest() for data in contents]
    try:
        with writers() as session:
            session.execute(
                insert(Original),
                [
                    {"sha256": digest, "size": len(data), "content_gz": gzip.compress(data, 1)}
                    for digest, data in zip(digests, contents, strict=True)
                ],
            )
            owner = accounts.add_runner(session, pages.RUNNER, pages.PASSWORD)
            members = [owner] + [
                accounts.add_runner(session, f"runner-{n:03d}", None) for n in range(1, runners)
            ]
            club = clubs.create(session, owner, CLUB, enrolled - timedelta(days=2))
            for member in members[1:]:
                clubs.join(session, member, club.code, enrolled - timedelta(days=1))
            team_ids = [
                teams.enrol(session, catalog, owner, club.id, mission, enrolled).id
                for mission in MISSIONS
            ]
            token = accounts.create_token(session, owner, "bench")
            other = accounts.create_token(session, members[1], "bench")
            session.commit()
            club_id, member_ids = club.id, [member.id for member in members]
        span_s = (now - timedelta(hours=2) - enrolled).total_seconds()
        rows: list[dict[str, Any]] = []
        for at in range(runs):
            who = at % runners
            start = enrolled + timedelta(
                seconds=span_s * (at // runners + rng.random() * 0.5) / (runs // runners + 1)
            )
            distance_m = rng.uniform(3_000, 15_000)
            moving_s = distance_m / rng.uniform(2.4, 3.6)
            figures = replace(
                measured,
                file=f"run-{at}.gpx",
                start_time=start,
                sport="running",
                on_foot=True,
                distance_m=distance_m,
                counted_distance_m=distance_m,
                elapsed_s=moving_s + rng.uniform(0, 300),
                moving_s=moving_s,
                counted_moving_s=moving_s,
                pace_s_per_km=moving_s / distance_m * 1000,
                outing=1 + at // runners // FILES,
            )
            rows.append(
                {
                    **play_runs.measured_columns(figures),
                    "runner_id": member_ids[who],
                    "sha256": digests[at // runners % FILES],
                    "file_name": figures.file,
                    "uploaded_at": start + timedelta(hours=2),
                    "activity_key": hashlib.sha256(f"{club_id}-{at}".encode()).hexdigest(),
                }
            )
        with writers() as session:
            session.execute(insert(Run), rows)
            stored = session.execute(
                Run.__table__.select().with_only_columns(Run.id, Run.runner_id, Run.uploaded_at)
            ).all()
            session.execute(
                insert(TeamRun),
                [
                    {
                        "team_enrolment_id": team_id,
                        "run_id": run_id,
                        "runner_id": runner_id,
                        "credited_at": uploaded_at,
                    }
                    for run_id, runner_id, uploaded_at in stored
                    for team_id in team_ids
                ],
            )
            session.commit()
        print(f"  {runs} runs stored and credited ({time.perf_counter() - started:.0f} s)")
        with writers() as session:
            owner = accounts.runner_named(session, pages.RUNNER)
            judging = time.perf_counter()
            teams.standings(session, catalog, owner, club_id, datetime.now(UTC), session)
            session.commit()
            print(f"  both teams judged in {time.perf_counter() - judging:.1f} s")
    finally:
        engine.dispose()
    print(f"  built in {time.perf_counter() - started:.0f} s")
    return Built(club_id, token, other)


def upload(web: httpx.Client, base: str, token: str, path: Path) -> float:
    """Seconds a run sent through the API took to be stored and answered."""
    started = time.perf_counter()
    answer = web.post(
        f"{base}/api/runs",
        headers={"Authorization": f"Bearer {token}"},
        files={"files": (path.name, path.read_bytes(), "application/octet-stream")},
    )
    took = time.perf_counter() - started
    if not answer.is_success:
        raise SystemExit(f"the upload failed: {answer.status_code} {answer.text[:300]}")
    return took


def fresh_run(scratch: Path, name: str, seed: int, hours_ago: float) -> Path:
    start = datetime.now(UTC) - timedelta(hours=hours_ago)
    return generate.write_run(scratch / name, UPLOAD_POINTS, seed=seed, start=start)


def after_upload(web: httpx.Client, base: str, built: Built, scratch: Path) -> tuple[float, float]:
    """A member's fresh run sent through the API, then the club page's first view: the seconds
    each took."""
    upload_s = upload(web, base, built.token, fresh_run(scratch, "fresh.gpx", 99, 1))
    first_s = pages.once(web, base, Page("club page", f"/clubs/{built.club_id}"))
    return upload_s, first_s


@dataclass(frozen=True)
class Judging:
    """A team judged in this process: median ms from its fold and from every run."""

    mission: str
    runs: int  # the runs read from its fold on
    folded_ms: float
    whole_ms: float

    @property
    def ratio(self) -> float:
        return self.whole_ms / self.folded_ms


def judging(url: str, repeats: int = 7) -> list[Judging]:
    """Each team judged in this process as an upload judges it: from its fold (only the runs
    after it read), then from every run (the folds set aside in a transaction rolled back)."""
    from sqlalchemy import delete, select
    from sqlalchemy.orm import Session

    from heroicrun.db import engine as db_engine
    from heroicrun.db.schema import TeamEnrolment, TeamFold
    from heroicrun.missions import catalog as bundled
    from heroicrun.play import team_folds, team_judging

    catalog = bundled.bundled()
    engine = db_engine.connect(url)
    found = []
    try:
        with Session(engine) as session:
            for team in session.scalars(select(TeamEnrolment).order_by(TeamEnrolment.id)):
                mission = catalog.get(team.mission_id)
                assert mission is not None

                def judge(mission: Any = mission, team: Any = team) -> object:
                    now = datetime.now(UTC)
                    return team_judging.judge(session, catalog, mission, team, now, {})

                through = team_folds.read(session, team, mission).fold.through
                runs = len(team_judging.runs_after(session, team, through, {}))
                folded = _median_ms(judge, repeats)
                with session.begin_nested() as nested:
                    session.execute(delete(TeamFold))
                    whole = _median_ms(judge, repeats)
                    nested.rollback()
                found.append(Judging(mission.title, runs, folded, whole))
    finally:
        engine.dispose()
    return found


def _median_ms(call: Callable[[], object], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        call()
        times.append((time.perf_counter() - started) * 1000)
    return sorted(times)[repeats // 2]


def report(timed: list[Page], upload_s: float, first_s: float, judged: list[Judging]) -> bool:
    """Print the table; True when every target is met."""
    met = pages.table(timed, width=44)
    for team in judged:
        enough = team.ratio >= JUDGING_TARGET
        met = met and enough
        print(
            f"judging {team.mission}: {team.folded_ms:.1f} ms from its fold ({team.runs} runs"
            f" read), {team.whole_ms:.0f} ms from every run: {team.ratio:.0f}x"
            f" (target {JUDGING_TARGET:g}x) {'PASS' if enough else 'MISS'}"
        )
    health = timed[0].median_ms
    club = next(page for page in timed if page.label == "club page").median_ms
    print(
        f"a member's upload (one 50-minute run) took {upload_s * 1000:.0f} ms; the club page's"
        f" first view after it {first_s * 1000:.1f} ms ({first_s * 1000 / club:.1f}x the steady"
        f" page, {first_s * 1000 / health:.1f}x health)"
    )
    return met


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runners", type=int, default=200, help="members of the club")
    parser.add_argument("--runs", type=int, default=20_000, help="runs between them")
    parser.add_argument("--repeats", type=int, default=30, help="requests per page")
    parser.add_argument("--postgres", metavar="URL", help="a PostgreSQL server instead of SQLite")
    serving.add_heroicrun_option(parser)
    options = parser.parse_args()
    if options.runners < 3 or options.runs < options.runners:
        raise SystemExit("--runners must be at least 3 and --runs at least --runners")
    with tempfile.TemporaryDirectory(prefix="heroicrun-clubs-") as folder:
        scratch = Path(folder)
        with pages.database(options.postgres, scratch) as url:
            print(f"building: a club of {options.runners} runners, {options.runs} runs")
            built = build(url, options.runners, options.runs)
            cli = serving.Cli(options.heroicrun, url)
            with serving.served(cli, workers=1) as base, httpx.Client(timeout=300) as web:
                pages.sign_in(web, base)
                bearer = {"Authorization": f"Bearer {built.token}"}
                club = f"/api/clubs/{built.club_id}/missions"
                timed = [
                    Page("health", "/api/health"),
                    Page("club page", f"/clubs/{built.club_id}"),
                    Page("team progress", f"{club}/{MISSIONS[0]}/progress", headers=bearer),
                    Page("relay progress", f"{club}/{MISSIONS[1]}/progress", headers=bearer),
                    Page("clubs", "/clubs"),
                    Page("dashboard", "/"),
                ]
                # The server's reading workers started, as on a server that has been up a while.
                upload(web, base, built.other, fresh_run(scratch, "warm.gpx", 98, 2))
                pages.measure(web, base, timed, options.repeats)
                upload_s, first_s = after_upload(web, base, built, scratch)
            judged = judging(url)
            print("PostgreSQL" if options.postgres else "SQLite")
            met = report(timed, upload_s, first_s, judged)
    print("every target met" if met else "some targets MISSED")


if __name__ == "__main__":
    main()
