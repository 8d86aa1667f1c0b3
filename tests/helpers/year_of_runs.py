"""Runs stored with their best efforts (as storing keeps them for records), one at a time or
a year of them: what the records, runs list and calendar tests read."""

from __future__ import annotations

import functools
import gzip
import hashlib
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy.orm import Session

from heroicrun import __version__, measuring, reading, summary
from heroicrun.db.schema import Original, Run, Runner
from heroicrun.play import efforts
from heroicrun.summary import RunSummary
from tests.helpers.stored_runs import a_track, gpx_of, store_run

YEAR_RUNS = 150


def stored(
    session: Session, runner: Runner, km: float, start: datetime, pace_s_per_km: float = 360.0
) -> Run:
    """`km` due north at an even pace from `start`, stored with its best efforts."""
    data, summary_json = _measured(km, start, pace_s_per_km)
    measured = RunSummary.model_validate_json(summary_json)
    digest = hashlib.sha256(data).hexdigest()
    if session.get(Original, digest) is None:
        session.add(Original(sha256=digest, size=len(data), content_gz=gzip.compress(data, 1)))
    run = Run(
        runner_id=runner.id,
        sha256=digest,
        file_name=f"{km:g}km-{start:%Y%m%d-%H%M}.gpx",
        format=measured.format,
        kind=measured.kind,
        start_time=measured.start_time,
        distance_m=measured.distance_m,
        counted_distance_m=measured.counted_distance_m,
        elapsed_s=measured.elapsed_s,
        moving_s=measured.moving_s,
        counted_moving_s=measured.counted_moving_s,
        summary_json=summary_json,
        measured_with=__version__,
        uploaded_at=measured.start_time,
    )
    session.add(run)
    session.flush()
    return kept(session, run)


@functools.lru_cache(maxsize=1024)
def _measured(km: float, start: datetime, pace_s_per_km: float) -> tuple[bytes, str]:
    """The GPX of such a run and its summary as JSON, measured once per test session: the same
    year of runs is stored by many tests."""
    data = gpx_of(a_track(km, start, pace_s_per_km))
    track = reading.read_bytes(data, "run.gpx")
    return data, summary.describe(track, measuring.measure(track)).model_dump_json()


def stored_file(session: Session, runner: Runner, path: Path) -> Run:
    """A file as uploaded, stored with its best efforts."""
    return kept(session, store_run(session, runner, path.read_bytes(), path.name))


def kept(session: Session, run: Run) -> Run:
    """The run's best efforts written down, as heroicrun.play.derived keeps them."""
    efforts.keep(session, run.id, RunSummary.model_validate_json(run.summary_json))
    session.flush()
    return run


def a_year_of_runs(session: Session, runner: Runner, last_day: date) -> list[Run]:
    """YEAR_RUNS runs over the 365 days up to `last_day`, at 7:00 UTC: 3 to 12 km at 5:00 to
    6:30 a km, one pattern repeated, so that sums and records are known (see `year_plan`)."""
    return [stored(session, runner, km, start, pace) for start, km, pace in year_plan(last_day)]


def year_plan(last_day: date) -> list[tuple[datetime, float, float]]:
    """The year's runs as (start, km, pace s/km), oldest first: every 2 or 3 days back from
    `last_day`, the km cycling through 3, 5, 8, 12, 6, 4 and the pace through 330, 300, 360,
    390 s/km."""
    kms = (3.0, 5.0, 8.0, 12.0, 6.0, 4.0)
    paces = (330.0, 300.0, 360.0, 390.0)
    plan = []
    day = last_day
    for n in range(YEAR_RUNS):
        start = datetime(day.year, day.month, day.day, 7, 0, tzinfo=UTC)
        plan.append((start, kms[n % len(kms)], paces[n % len(paces)]))
        day -= timedelta(days=2 if n % 3 else 3)
    return plan[::-1]
