"""A runner's running added up: by day (a year's calendar), week (from Monday), calendar month
and year, over all their runs, not one page of them.

Days, weeks, months and years are UTC's. Only running counts: on foot, not a second recording of
an outing already stored, and counted metres (stretches at vehicle speed left out), as missions
count them. Sums come from the database grouped by day and sport (`log`): one pass over the
runner's runs gives a page its calendar, its totals and its list's months and sports alike.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import ColumnElement, and_, case, func, select
from sqlalchemy.orm import Session

from heroicrun.db.schema import Run, Runner
from heroicrun.play import snapshots
from heroicrun.play.missions import on_foot

WEEKS = 12  # the weeks a calendar adds up, up to its last day


@dataclass(frozen=True)
class Period:
    """A day, week, calendar month or year of running: runs, counted metres, moving seconds."""

    start: date
    runs: int
    distance_m: float
    moving_s: float


@dataclass(frozen=True)
class Calendar:
    """A year of running day by day, its months, the weeks up to its end (or today), and every
    year the runner ran."""

    year: int
    days: dict[date, Period]  # the days of the year with running
    months: list[Period]  # January to December, empty months included
    weeks: list[Period]  # the last WEEKS weeks, oldest first, empty ones included
    years: list[Period] = field(default_factory=list)  # every year with running, newest first

    @property
    def total(self) -> Period:
        """The whole year."""
        return _sum(date(self.year, 1, 1), self.months)


def running(runner: Runner) -> ColumnElement[bool]:
    """The runner's runs that add to totals: on foot, not a repeat, with a start."""
    return and_(
        Run.runner_id == runner.id,
        Run.overlaps_run_id.is_(None),  # an outing recorded twice adds once
        on_foot(),  # a ride is no running
        Run.start_time.is_not(None),
    )


def start_day(session: Session) -> ColumnElement[str]:
    """A run's start day as "2026-05-30", in UTC on every database: one expression to group
    by (three date parts cost SQLite three times as much)."""
    if session.get_bind().dialect.name == "postgresql":
        # PostgreSQL would read a timestamptz on the connection's own zone.
        return func.to_char(func.timezone("UTC", Run.start_time), "YYYY-MM-DD")
    return func.substr(Run.start_time, 1, 10)  # stored as "2026-05-30 07:00:00.000000"


@dataclass(frozen=True)
class Entry:
    """The runs of one day and one sport: all of them, and those that add to totals."""

    day: date | None  # None for routes, which have no start
    sport: str | None  # the runner's mark, else the file's
    runs: int  # every run of that day and sport
    running: Period | None  # the runs that add to totals (on foot, not repeats), if any


def log(session: Session, runner: Runner) -> list[Entry]:
    """Every day the runner has runs on, by sport, in one grouped query over their runs."""
    day = start_day(session)
    sport = func.coalesce(Run.marked_sport, Run.sport)
    adds = case((running(runner), 1), else_=0)
    rows = session.execute(
        select(
            day,
            sport,
            func.count(Run.id),
            func.sum(adds),
            func.sum(adds * Run.counted_distance_m),
            func.sum(adds * func.coalesce(Run.moving_s, 0.0)),
        )
        .where(Run.runner_id == runner.id)
        .group_by(day, sport)
    ).all()
    entries = []
    for on, run_sport, runs, counted, distance_m, moving_s in rows:
        when = None if on is None else date.fromisoformat(on)
        total = None
        if when is not None and counted:
            total = Period(when, int(counted), distance_m or 0.0, moving_s or 0.0)
        entries.append(Entry(when, run_sport, runs, total))
    return entries


_LOGS: snapshots.Memo[tuple[list[Entry], dict[tuple[int, date], Calendar]]] = snapshots.Memo(256)


def kept(session: Session, runner: Runner, year: int, today: date) -> tuple[list[Entry], Calendar]:
    """The runner's log and the calendar of `year`, worked out once for the runs as they are
    (heroicrun.play.snapshots.runs_key: reading that key costs a third of the log's query)."""
    key = snapshots.runs_key(session, runner.id)
    found, calendars = _LOGS.get(
        session, ("log", runner.id, key), lambda: (log(session, runner), {})
    )
    shown = calendars.get((year, today))
    if shown is None:
        shown = calendars[year, today] = calendar_of(found, year, today)
    return found, shown


def calendar_of(entries: Sequence[Entry], year: int, today: date) -> Calendar:
    """The year `year` of a runner's log day by day, month by month, and the WEEKS weeks up to
    its last day of running (up to `today`, or the year's end, in a year without any); with
    every year's totals."""
    every_day: dict[date, list[Period]] = {}
    by_year: dict[int, list[Period]] = {}
    for entry in entries:
        if entry.running is not None:
            every_day.setdefault(entry.running.start, []).append(entry.running)
            by_year.setdefault(entry.running.start.year, []).append(entry.running)
    days = {day: _sum(day, found) for day, found in every_day.items() if day.year == year}
    # A runner back from a break sees the weeks they last ran, rather than twelve empty ones.
    last_day = max(days, default=min(today, date(year, 12, 31)))
    first_week = monday(last_day) - timedelta(weeks=WEEKS - 1)
    after_weeks = first_week + timedelta(weeks=WEEKS)
    by_month: dict[int, list[Period]] = {}
    by_week: dict[date, list[Period]] = {}
    for day, period in days.items():
        by_month.setdefault(day.month, []).append(period)
    for day, found in every_day.items():
        if first_week <= day < after_weeks:
            by_week.setdefault(monday(day), []).extend(found)
    months = [_sum(date(year, month, 1), by_month.get(month, [])) for month in range(1, 13)]
    week_starts = [first_week + timedelta(weeks=n) for n in range(WEEKS)]
    weeks = [_sum(start, by_week.get(start, [])) for start in week_starts]
    years = [_sum(date(y, 1, 1), found) for y, found in sorted(by_year.items(), reverse=True)]
    return Calendar(year, days, months, weeks, years)


def _days(session: Session, runner: Runner, since: date, until: date) -> list[Period]:
    """The runner's running day by day from `since` up to `until` (excluded), days with none
    left out."""
    day = start_day(session)
    rows = session.execute(
        select(day, *_sums())
        .where(running(runner), Run.start_time >= _at(since), Run.start_time < _at(until))
        .group_by(day)
    ).all()
    return [
        Period(date.fromisoformat(on), runs, distance_m or 0.0, moving_s or 0.0)
        for on, runs, distance_m, moving_s in rows
    ]


def calendar(session: Session, runner: Runner, year: int, today: date) -> Calendar:
    """The runner's year `year`, as `calendar_of` tells it, from their log."""
    return calendar_of(log(session, runner), year, today)


def period_totals(
    session: Session, runner: Runner, starts: Sequence[datetime]
) -> tuple[list[Period], list[Period]]:
    """Totals of the weeks and the months the given run starts span, newest first: whole
    weeks and months, with runs outside `starts` too."""
    if not starts:
        return [], []
    oldest, newest = min(starts).date(), max(starts).date()
    first_week, last_week = monday(oldest), monday(newest)
    first_month, last_month = oldest.replace(day=1), newest.replace(day=1)
    since = min(first_week, first_month)
    until = max(last_week + timedelta(days=7), _next_month(last_month))
    days = _days(session, runner, since, until)
    weeks: dict[date, list[Period]] = {}
    months: dict[date, list[Period]] = {}
    for day in days:
        week, month = monday(day.start), day.start.replace(day=1)
        if first_week <= week <= last_week:
            weeks.setdefault(week, []).append(day)
        if first_month <= month <= last_month:
            months.setdefault(month, []).append(day)
    return (
        [_sum(key, found) for key, found in sorted(weeks.items(), reverse=True)],
        [_sum(key, found) for key, found in sorted(months.items(), reverse=True)],
    )


def _sums() -> tuple[ColumnElement[int], ColumnElement[float], ColumnElement[float]]:
    return (
        func.count(Run.id),
        func.sum(Run.counted_distance_m),
        func.sum(func.coalesce(Run.moving_s, 0.0)),
    )


def _sum(start: date, periods: Sequence[Period]) -> Period:
    return Period(
        start,
        sum(p.runs for p in periods),
        sum(p.distance_m for p in periods),
        sum(p.moving_s for p in periods),
    )


def _at(day: date) -> datetime:
    return datetime.combine(day, datetime.min.time(), UTC)


def monday(day: date) -> date:
    """The Monday of the week `day` is in."""
    return day - timedelta(days=day.weekday())


def _next_month(first: date) -> date:
    return date(first.year + first.month // 12, first.month % 12 + 1, 1)
