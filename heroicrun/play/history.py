"""The runs list: a page of a runner's runs as light rows read from the runs table's columns
(no summary parsed, no file read), filtered by sport and year, and which months hold runs.

Runs are newest first; routes, which have no start, come last. A run's date here is its UTC
date; its default title is worked out from its UTC start (the runs table keeps no start
position, from which the run page finds the local zone).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import ColumnElement, and_, func, select
from sqlalchemy.orm import Session, aliased

from heroicrun import localtime
from heroicrun.db.schema import Run, Runner, RunProfile
from heroicrun.play import snapshots, totals
from heroicrun.play.missions import as_utc, on_foot

UNDECLARED = "undeclared"  # the sport filter's value for runs whose file names no sport
_SAME_FILE = aliased(Run)  # the runs of one file: its outings


@dataclass(frozen=True)
class Filter:
    """Which runs a list shows: one sport (heroicrun's name, or UNDECLARED) and one year (UTC);
    None: all."""

    sport: str | None = None
    year: int | None = None


@dataclass(frozen=True)
class Row:
    """One run as the list shows it."""

    id: int
    title: str | None  # the runner's; None: `default_title`
    start_time: datetime | None  # aware UTC; None for a route
    sport: str | None  # the runner's mark, else the file's
    gps: bool
    kind: str  # "run" or "route"
    file_name: str
    outing: int
    outings: int
    distance_m: float
    counted_distance_m: float
    moving_s: float | None
    on_foot: bool  # False: a ride or the like, which counts for no mission
    repeat_of: int | None  # the earlier run of the same outing: this one does not count
    sketch: str | None  # an SVG path in a 100 x 100 box, y down; None without one
    time_zone: str | None = None  # where it started (IANA); None: not known, UTC is shown

    @property
    def local_start(self) -> localtime.LocalStart | None:
        """When it started, on the clocks where it started; None for a route."""
        return (
            None if self.start_time is None else localtime.in_zone(self.start_time, self.time_zone)
        )

    @property
    def default_title(self) -> str:
        """ "Saturday dawn run in Athens", from the local start and the sport."""
        return localtime.default_title(self.local_start, self.sport)

    @property
    def pace_s_per_km(self) -> float | None:
        """Moving time per km, seconds; None without both."""
        if not self.moving_s or self.distance_m <= 0 or self.kind != "run":
            return None
        return self.moving_s / self.distance_m * 1000.0

    @property
    def vehicle_m(self) -> float:
        """Metres ridden at vehicle speed, left out of what counts."""
        return max(self.distance_m - self.counted_distance_m, 0.0)


@dataclass(frozen=True)
class Month:
    """A month with runs: how many the list shows (under its filter), and all of them."""

    year: int
    month: int
    shown: int

    @property
    def key(self) -> str:
        """ "2026-05"."""
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def first_day(self) -> date:
        return date(self.year, self.month, 1)


@dataclass(frozen=True)
class Overview:
    """What the list's controls need: the runs a filter shows, the months that hold them
    (newest first), and every sport and year the runner has runs of."""

    total: int
    months: list[Month]
    sports: list[str]  # heroicrun's names, then UNDECLARED when some runs name none
    years: list[int]  # newest first

    def page_of(self, year: int, month: int, per_page: int) -> int:
        """The page of the filtered list (from 1) that holds the month's newest run; the page
        of the next older month with runs when that month has none."""
        newer = sum(m.shown for m in self.months if (m.year, m.month) > (year, month))
        return newer // per_page + 1


def default_title(start: datetime | None, sport: str | None, zone: str | None = None) -> str:
    """A run's title until the runner gives one, from its start in its zone ("Saturday dawn run
    in Athens"; without a zone, by the UTC clock and no place)."""
    local = None if start is None else localtime.in_zone(start, zone)
    return localtime.default_title(local, sport)


def _sport() -> ColumnElement[str | None]:
    return func.coalesce(Run.marked_sport, Run.sport)


def _shown(runner: Runner, chosen: Filter) -> ColumnElement[bool]:
    """The runner's runs the filter lets through."""
    which = [Run.runner_id == runner.id]
    if chosen.sport == UNDECLARED:
        which.append(_sport().is_(None))
    elif chosen.sport is not None:
        which.append(_sport() == chosen.sport)
    if chosen.year is not None:
        which += [
            Run.start_time >= datetime(chosen.year, 1, 1, tzinfo=UTC),
            Run.start_time < datetime(chosen.year + 1, 1, 1, tzinfo=UTC),
        ]
    return and_(*which)


def overview(entries: Sequence[totals.Entry], chosen: Filter) -> Overview:
    """How many runs the filter shows, in which months, and the sports and years to choose
    from, out of the runner's log (heroicrun.play.totals.log)."""
    total = 0
    months: dict[tuple[int, int], int] = {}
    sports: set[str] = set()
    undeclared = False
    years: set[int] = set()
    for entry in entries:
        if entry.sport is None:
            undeclared = True
        else:
            sports.add(entry.sport)
        if entry.day is not None:
            years.add(entry.day.year)
        if chosen.sport is not None and (entry.sport or UNDECLARED) != chosen.sport:
            continue
        if chosen.year is not None and (entry.day is None or entry.day.year != chosen.year):
            continue
        total += entry.runs
        if entry.day is not None:
            key = (entry.day.year, entry.day.month)
            months[key] = months.get(key, 0) + entry.runs
    return Overview(
        total=total,
        months=[Month(y, m, n) for (y, m), n in sorted(months.items(), reverse=True)],
        sports=sorted(sports) + ([UNDECLARED] if undeclared else []),
        years=sorted(years, reverse=True),
    )


_PAGES: snapshots.Memo[list[Row]] = snapshots.Memo(256)


def kept_page(
    session: Session, runner: Runner, chosen: Filter, limit: int, offset: int
) -> list[Row]:
    """`page`, read once for the runs as they are (heroicrun.play.snapshots.runs_key: any run
    stored, changed or deleted changes it)."""
    key = ("page", runner.id, snapshots.runs_key(session, runner.id), chosen, limit, offset)
    return _PAGES.get(session, key, lambda: page(session, runner, chosen, limit, offset))


def page(session: Session, runner: Runner, chosen: Filter, limit: int, offset: int) -> list[Row]:
    """A page of the runs the filter shows, newest first, routes last."""
    # The page's ids first, sorted on the index of starts alone; then those runs' columns. On
    # SQLite a run's later columns sit behind its summary: reading them for every run to sort
    # would cost a pass over all the summaries.
    newest_first = (Run.start_time.is_(None), Run.start_time.desc(), Run.id.desc())
    ids = list(
        session.scalars(
            select(Run.id)
            .where(_shown(runner, chosen))
            .order_by(*newest_first)
            .limit(limit)
            .offset(offset)
        )
    )
    if not ids:
        return []
    outings = (
        select(func.count(_SAME_FILE.id))
        .where(_SAME_FILE.runner_id == Run.runner_id, _SAME_FILE.sha256 == Run.sha256)
        .scalar_subquery()
    )
    rows = session.execute(
        select(
            Run.id,
            Run.title,
            Run.start_time,
            _sport(),
            Run.gps,
            Run.kind,
            Run.file_name,
            Run.outing,
            outings,
            Run.distance_m,
            Run.counted_distance_m,
            Run.moving_s,
            on_foot(),
            Run.overlaps_run_id,
            RunProfile.sketch,
            Run.time_zone,
        )
        .outerjoin(RunProfile, RunProfile.run_id == Run.id)
        .where(Run.id.in_(ids))
        .order_by(*newest_first)
    ).all()
    return [
        Row(
            id=row[0],
            title=row[1],
            start_time=None if row[2] is None else as_utc(row[2]),
            sport=row[3],
            gps=bool(row[4]),
            kind=row[5],
            file_name=row[6],
            outing=row[7],
            outings=row[8],
            distance_m=row[9],
            counted_distance_m=row[10],
            moving_s=row[11],
            on_foot=bool(row[12]),
            repeat_of=row[13],
            sketch=row[14],
            time_zone=row[15],
        )
        for row in rows
    ]


def titles(session: Session, runner: Runner, run_ids: Collection[int]) -> dict[int, str]:
    """The titles some of the runner's runs are shown with (the runner's, else the default
    one), by id; ids of other runners' runs are left out."""
    if not run_ids:
        return {}
    rows = session.execute(
        select(Run.id, Run.title, Run.start_time, _sport(), Run.time_zone).where(
            Run.runner_id == runner.id, Run.id.in_(sorted(run_ids))
        )
    ).all()
    return {
        run_id: title or default_title(None if start is None else as_utc(start), sport, zone)
        for run_id, title, start, sport, zone in rows
    }
