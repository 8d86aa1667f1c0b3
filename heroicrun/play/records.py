"""A runner's records: the fastest time at each standard distance over all counted runs, the
best it beat, the best of this year, and where one run stands.

A run counts here as it counts for missions: on foot (the runner's mark first, then the file's
sport, then its speeds), not a second recording of an outing already stored, and timed. Each
run's best efforts are rows of `run_efforts` (heroicrun.play.efforts), so every answer is one
query over them joined to the runs. Years are calendar years in UTC: a run at 00:30 on
1 January in Athens belongs to the year before.

Ties go to the earlier run: a record is beaten, not equalled.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import (
    BindParameter,
    ColumnElement,
    DateTime,
    Executable,
    Integer,
    ScalarSelect,
    and_,
    bindparam,
    func,
    or_,
    select,
)
from sqlalchemy.orm import Session, aliased

from heroicrun.db.schema import Run, RunEffort, Runner
from heroicrun.play import snapshots
from heroicrun.play.missions import as_utc, on_foot


@dataclass(frozen=True)
class Effort:
    """One run's best time over one standard distance."""

    run_id: int
    start_time: datetime  # the run's start, aware UTC
    distance_m: float
    elapsed_s: float

    @property
    def pace_s_per_km(self) -> float:
        """The effort's pace, seconds per km."""
        return self.elapsed_s / self.distance_m * 1000.0


@dataclass(frozen=True)
class Record:
    """The best at one standard distance: the effort that holds it, the one it beat (None for
    the first effort at that distance), and the best of the year asked about (None without)."""

    name: str  # "5 km", "½ mile"
    distance_m: float
    best: Effort
    previous: Effort | None
    this_year: Effort | None
    history: tuple[Effort, ...]  # every effort that was the record when run, oldest first

    @property
    def beaten_by_s(self) -> float | None:
        """How much faster the record is than the one it beat, seconds; None for a first."""
        return None if self.previous is None else self.previous.elapsed_s - self.best.elapsed_s


@dataclass(frozen=True)
class Rank:
    """Where one run's effort stands at one distance: among all counted runs, and among the
    counted runs of its own calendar year."""

    name: str
    distance_m: float
    elapsed_s: float
    overall: int  # 1: the personal record; 2: not (ranks_of counts no further)
    in_year: int  # 1: the best of its year; 4: fourth or further
    year: int
    was_record: bool  # it was the record when it was run (it may have been beaten since)

    def words(self, today: date | None = None) -> str | None:
        """ "Personal record", "2nd best this year", "Best of 2025" (this year: `today`'s, UTC
        by default); None when it is none of these (third best of its year at most; a record
        since beaten says so)."""
        this_year = (today or datetime.now(UTC).date()).year
        if self.overall == 1:
            return "Personal record"
        if self.in_year <= 3:
            which = "Best" if self.in_year == 1 else f"{ORDINALS[self.in_year]} best"
            return f"{which} this year" if self.year == this_year else f"{which} of {self.year}"
        if self.was_record:
            return "Personal record when run"
        return None


ORDINALS = {2: "2nd", 3: "3rd"}
_MINE = aliased(RunEffort)  # the run's own efforts, against the others


def counted(runner: Runner | BindParameter[int]) -> ColumnElement[bool]:
    """The runner's runs that count for records: on foot, not a repeat, timed."""
    runner_id = runner if isinstance(runner, BindParameter) else runner.id
    return and_(
        Run.runner_id == runner_id,
        Run.overlaps_run_id.is_(None),  # the same outing, recorded twice, is one effort
        on_foot(),
        Run.kind == "run",
        Run.start_time.is_not(None),
    )


def records(session: Session, runner: Runner, today: date | None = None) -> list[Record]:
    """The runner's record at each standard distance they have run, shortest first, with the
    best before it and the best of `today`'s year (today in UTC by default)."""
    year = (today or datetime.now(UTC).date()).year
    this_year = Run.start_time >= datetime(year, 1, 1, tzinfo=UTC)
    order = (Run.start_time, Run.id)
    # The best at the distance before each effort: an effort faster than that set a record.
    best_before = func.min(RunEffort.elapsed_s).over(
        partition_by=RunEffort.distance_m, order_by=order, rows=(None, -1)
    )
    year_rank = func.row_number().over(
        partition_by=(RunEffort.distance_m, this_year), order_by=(RunEffort.elapsed_s, *order)
    )
    ranked = (
        select(
            RunEffort.distance_m,
            RunEffort.name,
            RunEffort.elapsed_s,
            Run.id.label("run_id"),
            Run.start_time,
            best_before.label("best_before"),
            this_year.label("this_year"),
            year_rank.label("year_rank"),
        )
        .join(Run, Run.id == RunEffort.run_id)
        # Which runs count is found once, not once per effort: their sport and repeat columns
        # are the costly ones to read (on SQLite they sit behind the summary).
        .where(RunEffort.run_id.in_(select(Run.id).where(counted(runner))))
        .subquery()
    )
    rows = session.execute(
        select(ranked)
        .where(
            or_(
                ranked.c.best_before.is_(None),
                ranked.c.elapsed_s < ranked.c.best_before,
                and_(ranked.c.this_year, ranked.c.year_rank == 1),
            )
        )
        .order_by(ranked.c.distance_m, ranked.c.start_time, ranked.c.run_id)
    ).all()
    names: dict[float, str] = {}
    chains: dict[float, list[Effort]] = {}
    year_best: dict[float, Effort] = {}
    for row in rows:
        effort = Effort(row.run_id, as_utc(row.start_time), row.distance_m, row.elapsed_s)
        names[row.distance_m] = row.name
        if row.best_before is None or row.elapsed_s < row.best_before:
            chains.setdefault(row.distance_m, []).append(effort)
        if row.this_year and row.year_rank == 1:
            year_best[row.distance_m] = effort
    return [
        Record(
            name=names[distance_m],
            distance_m=distance_m,
            best=chain[-1],
            previous=chain[-2] if len(chain) > 1 else None,
            this_year=year_best.get(distance_m),
            history=tuple(chain),
        )
        for distance_m, chain in sorted(chains.items())
    ]


_RECORDS: snapshots.Memo[list[Record]] = snapshots.Memo(256)


def kept(session: Session, runner: Runner, today: date) -> list[Record]:
    """`records`, worked out once for the runs as they are (heroicrun.play.snapshots.runs_key:
    a run stored, deleted, re-marked or measured anew changes it) and for `today`'s year."""
    key = snapshots.runs_key(session, runner.id)
    return _RECORDS.get(
        session, ("records", runner.id, key, today.year), lambda: records(session, runner, today)
    )


_RANKS: snapshots.Memo[list[Rank]] = snapshots.Memo(1024)


def kept_ranks(session: Session, runner: Runner, run_id: int) -> list[Rank]:
    """`ranks_of`, worked out once for the runs as they are (heroicrun.play.snapshots.runs_key)."""
    key = snapshots.runs_key(session, runner.id)
    return _RANKS.get(
        session, ("ranks", runner.id, key, run_id), lambda: ranks_of(session, runner, run_id)
    )


def ranks_of(session: Session, runner: Runner, run_id: int) -> list[Rank]:
    """Where each of the run's best efforts stands, shortest distance first; empty for a run
    that does not count (a ride, a repeat, a route) or is not the runner's.

    For the run page, cheap at any number of runs: per effort it looks for the few efforts
    ahead of it, fastest first along the index on distance and time, and stops there. So
    `overall` is 1 or 2 (not the record) and `in_year` 1 to 4 (fourth or further).
    """
    start = session.scalar(select(Run.start_time).where(Run.id == run_id, counted(runner)))
    if start is None:
        return []
    start = as_utc(start)
    year = start.year
    rows = session.execute(
        _ranking(),
        {
            "run_id": run_id,
            "runner_id": runner.id,
            "start": start,
            "year_start": datetime(year, 1, 1, tzinfo=UTC),
            "year_end": datetime(year + 1, 1, 1, tzinfo=UTC),
        },
    ).all()
    return [
        Rank(
            name=row[1],
            distance_m=row[0],
            elapsed_s=row[2],
            overall=1 if row[3] is None else 2,
            in_year=1 + sum(1 for found in row[4:7] if found is not None),
            year=year,
            was_record=row[7] is None,
        )
        for row in rows
    ]


@functools.cache
def _ranking() -> Executable:
    """The query behind ranks_of, built once: its values are bound at each call."""
    mine = _MINE
    runner_id = bindparam("runner_id", type_=Integer)
    run_id = bindparam("run_id", type_=Integer)
    start = bindparam("start", type_=DateTime(timezone=True))
    # Ahead of this effort: faster, or as fast and run earlier (the earlier holds a tie).
    # Whether a run counts is read only for the few efforts looked at: its sport and repeat
    # columns are the costly ones to read (on SQLite they sit behind the summary).
    earlier = or_(Run.start_time < start, and_(Run.start_time == start, Run.id < run_id))
    ahead = and_(
        RunEffort.distance_m == mine.distance_m,
        RunEffort.elapsed_s <= mine.elapsed_s,
        or_(RunEffort.elapsed_s < mine.elapsed_s, earlier),
        counted(runner_id),
    )
    in_year = and_(
        Run.start_time >= bindparam("year_start", type_=DateTime(timezone=True)),
        Run.start_time < bindparam("year_end", type_=DateTime(timezone=True)),
    )

    def nth_ahead(n: int, *which: ColumnElement[bool]) -> ScalarSelect[float]:
        """The time of the n-th effort (from 0) that meets `which`, fastest first; NULL when
        there are not that many."""
        return (
            select(RunEffort.elapsed_s)
            .join(Run, Run.id == RunEffort.run_id)
            .where(*which)
            .order_by(RunEffort.elapsed_s)
            .limit(1)
            .offset(n)
            .scalar_subquery()
        )

    before = and_(
        RunEffort.distance_m == mine.distance_m,
        RunEffort.elapsed_s <= mine.elapsed_s,
        earlier,
        counted(runner_id),
    )
    return (
        select(
            mine.distance_m,
            mine.name,
            mine.elapsed_s,
            nth_ahead(0, ahead),
            *(nth_ahead(n, ahead, in_year) for n in range(3)),
            nth_ahead(0, before),
        )
        .where(mine.run_id == run_id)
        .order_by(mine.distance_m)
    )
