"""Enrolments and progress: a runner's missions, derived from their stored runs and the ledger
of what they already unlocked.

Each request reads the facts of the runner's runs (start, counted km, elapsed time, sport, GPS
or not) from their rows and evaluates the mission afresh, so an edited mission file needs no
migration; the chapters already unlocked stand with their credit (heroicrun.play.ledger). Only
the slow part is remembered: one run judged against one single-run goal, a Verdict row keyed by
a hash of the goal's content and the heroicrun version (`goal_key`), so an edited goal or a new
release is simply judged again. A run's file is read only to judge a verdict that is not yet
remembered, and then only its outing.

Who writes: storing an upload, enrolling, deleting or re-marking a run judge the missions with
`standings` and write down what they newly unlocked with `settle`; they collect the verdicts
their judging needed and keep them with one `remember` before committing, so a new run is
judged once, at upload. `progress` and `dashboard` only read: verdicts they had to judge (after
a mission was edited, or heroicrun upgraded) are collected in `learned`, and the caller may keep
them with `remember` in a write session.

A run marked as the same outing as an earlier one (`Run.overlaps_run_id`) counts for nothing.
"""

from __future__ import annotations

import gzip
import hashlib
import json
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cached_property, lru_cache
from typing import Any

from sqlalchemy import ColumnElement, Insert, Select, and_, func, insert, not_, or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from heroicrun import __version__, measuring, reading, sports
from heroicrun.db.schema import Enrolment, Original, Run, Runner, Verdict
from heroicrun.measuring import Measures
from heroicrun.missions import carried, goals
from heroicrun.missions import progress as mission_progress
from heroicrun.missions.checks import GoalCheck
from heroicrun.missions.loading import Catalog
from heroicrun.missions.model import (
    BestOfGoal,
    Mission,
    RelayGoal,
    RouteKmGoal,
    RunsGoal,
    SingleRunGoal,
    StreakGoal,
)
from heroicrun.missions.progress import MissionProgress, Unlocked
from heroicrun.missions.runs import (
    GRACE,
    RIDE_REST_S,
    RIDE_REST_SPEED_M_S,
    RIDE_VEHICLE_SHARE,
    CountedRun,
    RunFacts,
)
from heroicrun.play import NotFound, PlayError, ledger, pool, snapshots
from heroicrun.track import Track

Snapshot = dict[str, tuple[str, ...]]  # mission id → unlocked beat ids, for active enrolments
# Original files read again, by hash, as their outings: runs of one file share one reading.
Files = dict[str, list[Track]]
Learned = dict[tuple[int, str], GoalCheck]  # (run id, goal key) → a verdict judged afresh

DETAIL_CHARS = 500  # Verdict.detail's width


# --- enrolments ----------------------------------------------------------------------------


def enrol(
    session: Session, catalog: Catalog, runner: Runner, mission_id: str, now: datetime
) -> Enrolment:
    """A new enrolment from `now`; an active one in the same mission is closed (a restart).
    A team mission is refused: only a club starts one (heroicrun.play.teams)."""
    mission = _mission(catalog, mission_id)
    if mission.team:
        raise PlayError(
            f"{mission.title!r} is a team mission: start it with your club, from the club's page"
        )
    # Lock the runner's row (PostgreSQL; SQLite writers already hold the database's lock) so two
    # racing enrolments cannot both stay active.
    session.execute(select(Runner.id).where(Runner.id == runner.id).with_for_update())
    for active in session.scalars(_active(runner).where(Enrolment.mission_id == mission.id)):
        active.active = False
    enrolment = Enrolment(
        runner_id=runner.id, mission_id=mission.id, enrolled_at=as_utc(now), active=True
    )
    session.add(enrolment)
    session.flush()
    # A beat at km 0 unlocks on enrolment, and this morning's run, stored already, counts now.
    learned: Learned = {}
    judging = Judging(session, catalog, runner, [(mission, enrolment)], now, learned)
    judging.settle(judging.stand())
    remember(session, learned)
    return enrolment


def enrolments(session: Session, runner: Runner) -> list[Enrolment]:
    """The runner's enrolments, active and closed, the latest first."""
    query = (
        select(Enrolment)
        .where(Enrolment.runner_id == runner.id)
        .order_by(Enrolment.enrolled_at.desc(), Enrolment.id.desc())
    )
    return list(session.scalars(query))


def active_enrolment(
    session: Session, catalog: Catalog, runner: Runner, mission_id: str
) -> Enrolment:
    """The runner's active enrolment in the mission, or NotFound."""
    mission = _mission(catalog, mission_id)
    query = _active(runner).where(Enrolment.mission_id == mission.id)
    enrolment = session.scalars(query.limit(1)).first()
    if enrolment is None:
        raise NotFound(f"you are not enrolled in {mission.title!r} ({mission.id})")
    return enrolment


# --- progress ------------------------------------------------------------------------------


def progress(
    session: Session,
    catalog: Catalog,
    runner: Runner,
    mission_id: str,
    now: datetime,
    learned: Learned | None = None,
    writing: Session | None = None,
    runs_key: str | None = None,
    enrolment: Enrolment | None = None,
) -> tuple[Mission, MissionProgress]:
    """Where the runner stands in the mission of their active enrolment (`enrolment`, when
    already read), at `now`: as kept (heroicrun.play.snapshots), else judged and, given
    `writing`, kept there.

    Verdicts judged afresh are added to `learned` when given (keep them with `remember`).
    """
    if enrolment is None:
        enrolment = active_enrolment(session, catalog, runner, mission_id)
    mission = _mission(catalog, mission_id)
    pairs = [(mission, enrolment)]
    [earned] = current(session, catalog, runner, pairs, now, learned, writing, runs_key)
    return mission, earned


def current(
    session: Session,
    catalog: Catalog,
    runner: Runner,
    pairs: Sequence[tuple[Mission, Enrolment]],
    now: datetime,
    learned: Learned | None = None,
    writing: Session | None = None,
    runs_key: str | None = None,
) -> list[MissionProgress]:
    """Each mission's progress at `now`, read from its snapshot while that holds; the others
    judged over the stored runs (verdicts judged afresh added to `learned` when given) and,
    given a `writing` session, kept there (flushed, not committed). `runs_key`: the runner's
    snapshots.runs_key, when already read."""
    now = as_utc(now)
    wanted = snapshots.keys(session, runner.id, pairs, runs_key)
    found = snapshots.read(session, wanted, now)
    missed = [(mission, enrolment) for mission, enrolment in pairs if enrolment.id not in found]
    if missed:
        judged: Learned = {} if learned is None else learned
        made = Judging(session, catalog, runner, missed, now, judged).stand()
        for standing in made:
            found[standing.enrolment_id] = standing.progress
        if writing is not None:
            snapshots.keep(writing, [_kept(standing) for standing in made], wanted, now)
    return [found[enrolment.id] for _, enrolment in pairs]


@dataclass(frozen=True)
class Standing:
    """A mission as it stands for the runner, and what it unlocks that the ledger lacks."""

    mission: Mission
    enrolment_id: int
    enrolled_at: datetime  # UTC
    progress: MissionProgress
    fresh: tuple[Unlocked, ...]  # unlocked now, not written down yet
    whole: bool = False  # judged over every run read (none left out): a snapshot to keep


def standings(
    session: Session,
    catalog: Catalog,
    runner: Runner,
    pairs: Sequence[tuple[Mission, Enrolment]],
    now: datetime,
    learned: Learned,
) -> list[Standing]:
    """Each mission of `pairs` as it stands at `now`, with what it newly unlocks; verdicts
    judged afresh are collected in `learned` (those already in it are reused)."""
    return Judging(session, catalog, runner, pairs, now, learned).stand()


def settle(session: Session, found: Sequence[Standing]) -> None:
    """Write down what the standings newly unlocked (flushed, not committed)."""
    for standing in found:
        ledger.append(session, standing.enrolment_id, standing.fresh)


def snapshot(
    session: Session, catalog: Catalog, runner: Runner, learned: Learned | None = None
) -> Snapshot:
    """The beats the runner has unlocked in each mission they are enrolled in (read only).

    Verdicts judged afresh are kept in `session`; or, given `learned`, collected there (and
    those already in it reused) for the caller to `remember` once.
    """
    pairs = enrolled_missions(session, catalog, runner)
    judged: Learned = {} if learned is None else learned
    found = standings(session, catalog, runner, pairs, datetime.now(UTC), judged)
    if learned is None:
        remember(session, judged)
    return {standing.mission.id: standing.progress.unlocked for standing in found}


def messages(mission: Mission, unlocked: Sequence[Unlocked]) -> list[dict[str, str]]:
    """Unlocks as messages, in beat order:
    "Reach Sparta: Megara reached — 'The Dust of the Sacred Way' unlocked"."""
    wanted = {entry.beat for entry in unlocked}
    found: list[dict[str, str]] = []
    for number, beat in enumerate(mission.beats, start=1):
        if beat.id not in wanted:
            continue
        place = _place(mission, beat.goal)
        reached = f"{place} reached — " if place else ""
        message = f"{mission.title}: {reached}'{beat.title}' unlocked"
        if beat is mission.beats[-1]:
            message += "; mission complete"
        item = {
            "mission": mission.id,
            "mission_title": mission.title,
            "beat": beat.id,
            "title": beat.title,
            "chapter": str(number),
            "message": message,
        }
        if place:
            item["place"] = place
        found.append(item)
    return found


def goal_key(goal: SingleRunGoal) -> str:
    """The key a verdict on `goal` is remembered under: SHA-256 of its content and the version."""
    return _goal_key(goal)


@lru_cache(maxsize=4096)
def _goal_key(goal: SingleRunGoal) -> str:
    content = json.dumps(goal.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(f"{content}\n{__version__}".encode()).hexdigest()


def remember(session: Session, learned: Learned) -> int:
    """Store verdicts judged afresh (those already there, or of runs since deleted, are skipped)."""
    if not learned:
        return 0
    # In key order: two transactions inserting overlapping rows in different orders deadlock
    # on PostgreSQL (each waits for the other's uncommitted row).
    rows = [
        {
            "run_id": run_id,
            "goal_key": key,
            "met": verdict.met,
            "detail": verdict.detail[:DETAIL_CHARS],
            "closeness": verdict.closeness,
        }
        for (run_id, key), verdict in sorted(learned.items(), key=lambda item: item[0])
    ]
    dialect = session.get_bind().dialect.name
    statement: Insert
    if dialect == "postgresql":
        statement = postgresql.insert(Verdict).on_conflict_do_nothing()
    elif dialect == "sqlite":
        statement = sqlite.insert(Verdict).on_conflict_do_nothing()
    else:  # pragma: no cover - heroicrun supports the two
        statement = insert(Verdict)
    try:
        with session.begin_nested():
            session.execute(statement, rows)
    except IntegrityError:  # a run deleted meanwhile: the cache is only a cache
        return 0
    return len(rows)


# --- evaluating stored runs ----------------------------------------------------------------


class StoredRun(CountedRun):
    """A stored run as missions see it: facts from its row; its file read only when a goal
    not yet judged needs the points."""

    def __init__(
        self,
        session: Session,
        run_id: int,
        name: str,
        sha256: str,
        facts: RunFacts,
        outing: int = 1,
        files: Files | None = None,
    ) -> None:
        super().__init__(name, _never, _never, facts, ref=run_id)
        self.run_id = run_id
        self._session = session
        self._sha256 = sha256
        self._outing = outing
        self._files = {} if files is None else files

    @cached_property
    def track(self) -> Track:
        """The run's points (its outing of the file), read again from its original file."""
        parts = self._files.get(self._sha256)
        if parts is None:
            parts = self._files[self._sha256] = _read(self._session, self._sha256, self.name)
        return pool.outing_of(parts, self.name, self._outing)

    @cached_property
    def measures(self) -> Measures:
        """The run measured again by this heroicrun."""
        return measuring.measure(self.track)


def _never() -> Any:
    raise AssertionError("a stored run loads its own file")


class _Judge:
    """goals.check with a memory: verdicts remembered up front, the rest judged and collected."""

    def __init__(self, known: dict[str, dict[int, GoalCheck]], learned: Learned) -> None:
        self.known = known  # goal key → run id → verdict
        self.learned = learned
        self.keys: dict[int, str] = {}  # id(goal) → its key: the missions outlive the judge

    def __call__(self, goal: SingleRunGoal, run: CountedRun) -> GoalCheck:
        assert isinstance(run, StoredRun)
        key = self.keys.get(id(goal))
        if key is None:
            key = self.keys[id(goal)] = goal_key(goal)
        remembered = self.known.setdefault(key, {})
        verdict = remembered.get(run.run_id)
        if verdict is None:
            try:
                verdict = goals.check(goal, run)
            except reading.ReadError as error:  # not remembered: a later read may succeed
                return GoalCheck(False, f"{run.name} could not be read again ({error})", 0.0)
            remembered[run.run_id] = self.learned[run.run_id, key] = verdict
        return verdict


def evaluate_enrolled(
    session: Session,
    catalog: Catalog,
    runner: Runner,
    pairs: Sequence[tuple[Mission, Enrolment]],
    now: datetime,
    learned: Learned | None,
) -> list[MissionProgress]:
    """Each mission's progress from one read of the runs, one of the remembered verdicts and
    one of the ledger. Verdicts judged afresh are added to `learned` when given."""
    judged: Learned = {} if learned is None else learned
    return [each.progress for each in Judging(session, catalog, runner, pairs, now, judged).stand()]


class Judging:
    """The runner's missions judged over their stored runs, as many times as a request needs
    (before and after each run of an upload): the runs, the remembered verdicts and the ledger
    are read once, when made.

    The reads are plain column queries: no ORM objects for a thousand runs. Verdicts already
    in `learned` are taken as judged, and those judged afresh are added to it. Runs of an
    outing already counted are left out.
    """

    def __init__(
        self,
        session: Session,
        catalog: Catalog,
        runner: Runner,
        pairs: Sequence[tuple[Mission, Enrolment]],
        now: datetime,
        learned: Learned,
    ) -> None:
        self.catalog = catalog
        self.pairs = list(pairs)
        self.now = as_utc(now)
        self.session = session
        self.runner_id = runner.id
        self.books = ledger.read(session, [enrolment.id for _, enrolment in pairs])
        self.runs: list[StoredRun] = []
        self.judge = _Judge({}, learned)
        if pairs:
            self._read(session, runner, learned)

    def _read(self, session: Session, runner: Runner, learned: Learned) -> None:
        first = min(enrolled_at(enrolment) for _, enrolment in self.pairs) - GRACE
        # Runs recorded before that count for nothing but the weekly distance (28 days).
        since = min(first, self.now - carried.WEEKLY_WINDOW)
        runs_table, verdicts_table = Run.__table__.c, Verdict.__table__.c
        rows = session.execute(
            select(
                runs_table.id,
                runs_table.file_name,
                runs_table.sha256,
                runs_table.outing,
                *FACT_COLUMNS,
            )
            .where(runs_table.runner_id == runner.id, runs_table.start_time >= since)
            .where(runs_table.overlaps_run_id.is_(None))
            .order_by(runs_table.start_time, runs_table.id)
        ).all()
        files: Files = {}
        self.runs = [
            StoredRun(session, run_id, name, sha256, facts_of(*facts), outing, files)
            for run_id, name, sha256, outing, *facts in rows
        ]
        keys = {goal_key(goal) for mission, _ in self.pairs for goal in _single_run_goals(mission)}
        known: dict[str, dict[int, GoalCheck]] = {key: {} for key in keys}
        if keys and self.runs:
            verdicts = session.execute(
                select(
                    verdicts_table.goal_key,
                    verdicts_table.run_id,
                    verdicts_table.met,
                    verdicts_table.detail,
                    verdicts_table.closeness,
                )
                .join(Run.__table__, runs_table.id == verdicts_table.run_id)
                .where(runs_table.runner_id == runner.id, runs_table.start_time >= first)
                .where(verdicts_table.goal_key.in_(sorted(keys)))
            ).all()
            for key, run_id, met, detail, closeness in verdicts:
                known[key][run_id] = GoalCheck(met, detail, closeness)
        for (run_id, key), verdict in learned.items():
            known.setdefault(key, {})[run_id] = verdict
        self.judge.known = known

    def stand(self, leaving_out: Collection[int] = ()) -> list[Standing]:
        """Each mission as it stands over the runs read, but those of `leaving_out` (ids):
        its progress, and what it unlocks that the ledger lacks."""
        runs = (
            [run for run in self.runs if run.run_id not in leaving_out]
            if leaving_out
            else self.runs
        )
        found = []
        for mission, enrolment in self.pairs:
            book = self.books.get(enrolment.id, {})
            since = enrolled_at(enrolment)
            progress_now = mission_progress.evaluate(
                mission,
                runs,
                since,
                now=self.now,
                base=self.catalog.directory,
                check=self.judge,
                ledger=book,
            )
            fresh = tuple(mission_progress.newly_unlocked(progress_now, book))
            found.append(
                Standing(mission, enrolment.id, since, progress_now, fresh, not leaving_out)
            )
        return found

    def settle(self, found: Sequence[Standing]) -> None:
        """Write down what the standings newly unlocked (flushed, not committed), and judge
        from now on with it in the ledger. Standings over every run read are kept as the
        missions' snapshots: what a store leaves, the pages then read."""
        settle(self.session, found)
        for standing in found:
            book = self.books.setdefault(standing.enrolment_id, {})
            for entry in standing.fresh:
                book.setdefault(entry.beat, entry)
        whole = [standing for standing in found if standing.whole]
        if whole:
            pairs = [(mission, enrolment) for mission, enrolment in self.pairs]
            wanted = snapshots.keys(self.session, self.runner_id, pairs)
            snapshots.keep(self.session, [_kept(standing) for standing in whole], wanted, self.now)


def _kept(standing: Standing) -> tuple[Mission, int, datetime, MissionProgress]:
    return standing.mission, standing.enrolment_id, standing.enrolled_at, standing.progress


# The columns a run's RunFacts are made from, in facts_of's order.
FACT_COLUMNS = (
    Run.__table__.c.start_time,
    Run.__table__.c.counted_distance_m,
    Run.__table__.c.elapsed_s,
    Run.__table__.c.sport,
    Run.__table__.c.marked_sport,
    Run.__table__.c.gps,
    Run.__table__.c.distance_m,
    Run.__table__.c.counted_moving_s,
)


def facts_of(
    start: datetime | None,
    counted_m: float,
    elapsed_s: float | None,
    sport: str | None,
    marked_sport: str | None,
    gps: bool,
    distance_m: float | None,
    counted_moving_s: float | None,
    *,
    member: int | None = None,
) -> RunFacts:
    """What missions read of a stored run, from its columns (FACT_COLUMNS): the runner's mark,
    when there is one, is its sport; `member`, for a team, who ran it."""
    return RunFacts(
        None if start is None else as_utc(start),
        (counted_m or 0.0) / 1000.0,
        elapsed_s,
        sport=marked_sport if marked_sport is not None else sport,
        gps=gps,
        marked=marked_sport is not None,
        distance_km=None if distance_m is None else distance_m / 1000.0,
        counted_moving_s=counted_moving_s,
        member=member,
    )


def _single_run_goals(mission: Mission) -> Iterable[SingleRunGoal]:
    for beat in mission.beats:
        goal = beat.goal.goal if isinstance(beat.goal, BestOfGoal) else beat.goal
        if not isinstance(goal, RouteKmGoal | RunsGoal | StreakGoal | RelayGoal):
            yield goal


def _read(session: Session, sha256: str, name: str) -> list[Track]:
    """The outings of a stored run's original file, read again."""
    original = session.get(Original, sha256)
    if original is None:
        raise reading.ReadError(name, "its original file is missing from the database")
    try:
        data = gzip.decompress(original.content_gz)
    except (OSError, EOFError) as error:
        raise reading.ReadError(name, f"its stored original is damaged ({error})") from None
    return pool.read_outings(data, name)


def enrolled_missions(
    session: Session, catalog: Catalog, runner: Runner
) -> list[tuple[Mission, Enrolment]]:
    """The runner's active enrolments in missions of the catalog, in catalog order."""
    latest: dict[str, Enrolment] = {}
    for enrolment in session.scalars(_active(runner)):
        latest.setdefault(enrolment.mission_id, enrolment)
    return [(mission, latest[mission.id]) for mission in catalog.missions if mission.id in latest]


def _active(runner: Runner) -> Select[Enrolment]:
    return (
        select(Enrolment)
        .where(Enrolment.runner_id == runner.id, Enrolment.active.is_(True))
        .order_by(Enrolment.enrolled_at.desc(), Enrolment.id.desc())
    )


def _mission(catalog: Catalog, mission_id: str) -> Mission:
    mission = catalog.get(mission_id)
    if mission is None:
        raise NotFound(f"there is no mission {mission_id!r}")
    return mission


def _place(mission: Mission, goal: object) -> str | None:
    """The waypoint a route beat's kilometre mark names, if any."""
    if not isinstance(goal, RouteKmGoal) or mission.route is None or goal.km <= 0:
        return None
    at = [point.name for point in mission.route.waypoints if abs(point.km - goal.km) < 0.05]
    return at[0] if at else f"km {goal.km:g}"


@lru_cache(maxsize=1)
def on_foot() -> ColumnElement[bool]:
    """Runs that may count, as RunFacts.off_foot judges them: on foot by the runner's mark or
    the file's sport, or naming none and not ridden by their speeds; for totals, which a ride or
    a swim must not swell (built once: building it costs more than a query's run)."""
    sport = func.coalesce(Run.marked_sport, Run.sport)
    rest_s = func.coalesce(Run.counted_moving_s, 0.0)
    ridden = and_(
        or_(sport.is_(None), sport.not_in(sorted(sports.ON_FOOT))),
        rest_s >= RIDE_REST_S,
        Run.counted_distance_m <= Run.distance_m * (1 - RIDE_VEHICLE_SHARE),
        Run.counted_distance_m >= rest_s * RIDE_REST_SPEED_M_S,
    )
    return or_(sport.is_(None), sport.not_in(sorted(sports.NOT_ON_FOOT))) & not_(ridden)


def enrolled_at(enrolment: Enrolment) -> datetime:
    """When the enrolment began, aware UTC."""
    return as_utc(enrolment.enrolled_at)


def as_utc(moment: datetime) -> datetime:
    """A database datetime as aware UTC (SQLite hands them back naive)."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
