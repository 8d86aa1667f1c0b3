"""A runner's running added up by week (from Monday, UTC) and by calendar month."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from heroicrun.db.schema import Run, Runner
from heroicrun.play.missions import as_utc, on_foot


@dataclass(frozen=True)
class Period:
    """A week or a calendar month of running: runs, counted metres, moving seconds."""

    start: date
    runs: int
    distance_m: float
    moving_s: float


def period_totals(
    session: Session, runner: Runner, starts: Sequence[datetime]
) -> tuple[list[Period], list[Period]]:
    """Totals of the weeks and the months the given run starts span, newest first.

    Whole weeks and months, with runs on other pages too; one query over their stored columns.
    """
    if not starts:
        return [], []
    oldest, newest = min(starts).date(), max(starts).date()
    first_week, last_week = monday(oldest), monday(newest)
    first_month, last_month = oldest.replace(day=1), newest.replace(day=1)
    since = min(first_week, first_month)
    until = max(last_week + timedelta(days=7), _next_month(last_month))
    rows = session.execute(
        select(Run.start_time, Run.counted_distance_m, Run.moving_s).where(
            Run.runner_id == runner.id,
            Run.overlaps_run_id.is_(None),  # an outing recorded twice adds to a week once
            on_foot(),  # a ride is no running
            Run.start_time >= datetime.combine(since, datetime.min.time(), UTC),
            Run.start_time < datetime.combine(until, datetime.min.time(), UTC),
        )
    ).all()
    weeks: dict[date, list[float]] = {}
    months: dict[date, list[float]] = {}
    for start, distance_m, moving_s in rows:
        if start is None:
            continue
        started = as_utc(start).date()
        for key, bucket, low, high in (
            (monday(started), weeks, first_week, last_week),
            (started.replace(day=1), months, first_month, last_month),
        ):
            if low <= key <= high:
                total = bucket.setdefault(key, [0, 0.0, 0.0])
                total[0] += 1
                total[1] += distance_m or 0.0
                total[2] += moving_s or 0.0
    return _listed(weeks), _listed(months)


def _listed(bucket: dict[date, list[float]]) -> list[Period]:
    return [
        Period(key, int(runs), distance_m, moving_s)
        for key, (runs, distance_m, moving_s) in sorted(bucket.items(), reverse=True)
    ]


def monday(day: date) -> date:
    """The Monday of the week `day` is in."""
    return day - timedelta(days=day.weekday())


def _next_month(first: date) -> date:
    return date(first.year + first.month // 12, first.month % 12 + 1, 1)
