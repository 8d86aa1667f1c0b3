"""A team mission judged over the runs credited to the team: the members' counted runs as one
list, its chapters written down with the member whose run crossed the mark, and what the club
page shows of it kept under the club's version (clubs.version, which the database changes
whenever the members, the team enrolments, the credited runs, those runs themselves or the
team's chapters change: migration 0010).

A view reads the kept standing: from this process's memory, else its team_snapshots row, while
its key holds (the mission's content, the team enrolment, the club's version) and the clock has
not passed what it holds until (snapshots.until); only then are the team's runs read again.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from pydantic import TypeAdapter
from sqlalchemy import ColumnElement, Insert, and_, bindparam, or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from heroicrun.db.schema import (
    Club,
    ClubMember,
    Run,
    Runner,
    TeamEnrolment,
    TeamRun,
    TeamSnapshot,
    TeamUnlock,
    Verdict,
)
from heroicrun.missions import progress as mission_progress
from heroicrun.missions.carried import WEEKLY_WINDOW, Uncarried
from heroicrun.missions.checks import GoalCheck
from heroicrun.missions.loading import Catalog
from heroicrun.missions.model import Mission
from heroicrun.missions.progress import MissionProgress, Unlocked
from heroicrun.play import ledger, missions, snapshots, team_folds

KEPT_IN_MEMORY = 4096
# A fold keeps the runs of a day more than the weekly window needs: a view whose clock was read
# a moment before the fold was made is judged from it too.
CLOCK_SLACK = timedelta(days=1)
MOST_LEGS = 250  # the stretches a route's bands are drawn from, at most


@dataclass(frozen=True)
class Tally:
    """What one member gave a team: counted km, counted runs, chapters credited."""

    runner_id: int
    name: str
    km: float
    runs: int
    chapters: int
    current: bool


@dataclass(frozen=True)
class Credit:
    """A team chapter and the member credited with it (None: on enrolment, no run)."""

    beat: str
    runner_id: int | None
    name: str | None
    unlocked_at: datetime


@dataclass(frozen=True)
class Judged:
    """A team mission as it stands: its progress (runs named by their member, no run ids), its
    chapters' credit, each member's tally (by km, most first) and the stretches of the route
    each member's runs took the team, in the order they were run (name, km)."""

    since: datetime
    until: datetime
    progress: MissionProgress
    credits: tuple[Credit, ...]
    members: tuple[Tally, ...]
    legs: tuple[tuple[str, float], ...]


_JUDGED = TypeAdapter(Judged)


def club_version(session: Session, club_id: int) -> int:
    """The club's version as the database holds it now (one row read)."""
    return int(session.scalar(_VERSION, {"club_id": club_id}) or 0)


_VERSION = select(Club.version).where(Club.id == bindparam("club_id"))


def key(mission: Mission, team: TeamEnrolment, version: int) -> str:
    """What a team's standing is kept under: the mission's content, the enrolment, the club's
    version."""
    began = missions.as_utc(team.enrolled_at).isoformat()
    said = f"{snapshots.mission_key(mission)}|{team.id}|{began}|{version}"
    return hashlib.sha256(said.encode()).hexdigest()


def kept(session: Session, team_id: int, wanted: str, now: datetime) -> Judged | None:
    """The standing kept for the team under `wanted`, if it holds at `now`."""
    where = (_database(session), team_id, wanted)
    found = _MEMORY.get(where)
    if found is None:
        row = session.execute(
            select(TeamSnapshot.key, TeamSnapshot.content).where(
                TeamSnapshot.team_enrolment_id == team_id
            )
        ).first()
        if row is None or row[0] != wanted:
            return None
        try:
            found = _JUDGED.validate_json(row[1])
        except ValueError:  # written by a heroicrun that kept other fields: a miss
            return None
        _remember(where, found)
    return found if found.since <= now < found.until else None


def keep(session: Session, team_id: int, wanted: str, judged: Judged) -> None:
    """Keep a standing under its key (flushed, not committed), replacing the one before."""
    values = {
        "team_enrolment_id": team_id,
        "key": wanted,
        "content": _JUDGED.dump_json(judged).decode(),
        "made_at": judged.since,
    }
    statement: Insert
    if session.get_bind().dialect.name == "postgresql":
        pg = postgresql.insert(TeamSnapshot).values(values)
        statement = pg.on_conflict_do_update(
            index_elements=[TeamSnapshot.team_enrolment_id],
            set_={"key": pg.excluded.key, "content": pg.excluded.content, "made_at": judged.since},
        )
    else:
        lite = sqlite.insert(TeamSnapshot).values(values)
        statement = lite.on_conflict_do_update(
            index_elements=[TeamSnapshot.team_enrolment_id],
            set_={
                "key": lite.excluded.key,
                "content": lite.excluded.content,
                "made_at": judged.since,
            },
        )
    session.execute(statement)
    _remember((_database(session), team_id, wanted), judged)


def remember(session: Session, team_id: int, wanted: str, judged: Judged) -> None:
    """Keep a standing in this process only (a view with no write session): under the key read
    before judging, it cannot be newer than what it was judged from."""
    _remember((_database(session), team_id, wanted), judged)


_MEMORY: dict[tuple[int, int, str], Judged] = {}


def _remember(where: tuple[int, int, str], judged: Judged) -> None:
    if len(_MEMORY) >= KEPT_IN_MEMORY:
        _MEMORY.clear()
    _MEMORY[where] = judged


def _database(session: Session) -> int:
    bind = session.get_bind()
    return id(getattr(bind, "engine", bind))


@dataclass(frozen=True)
class Fresh:
    """A chapter the judging unlocked that team_unlocks lacks, with the member credited."""

    unlocked: Unlocked
    runner_id: int | None


def judge(
    session: Session,
    catalog: Catalog,
    mission: Mission,
    team: TeamEnrolment,
    now: datetime,
    learned: missions.Learned,
) -> tuple[Judged, list[Fresh], team_folds.Kept | None]:
    """The team's standing at `now` from its credited runs and chapters, the chapters it newly
    unlocks (not written down: see `write`), and the fold to keep for the next judging (see
    `team_folds.keep`; None: the kept one stands). Only the runs after the team's fold are
    read, unless what the fold sums cannot answer (heroicrun.missions.carried): then every
    run. Verdicts judged afresh go to `learned`."""
    enrolled_at = missions.as_utc(team.enrolled_at)
    kept = team_folds.read(session, team, mission)
    people = _people(session, team)
    names = {runner_id: name for runner_id, (name, _) in people.items()}
    book, credited = _book(session, team.id, names)
    current = [runner_id for runner_id, (_, now_member) in people.items() if now_member]
    fold = kept.fold
    while True:
        runs = runs_after(session, team, fold.through, names)
        try:
            found = mission_progress.evaluate(
                mission,
                runs,
                enrolled_at,
                now=now,
                base=catalog.directory,
                check=_checker(session, team.id, fold.through, mission, learned),
                ledger=book,
                members=current,
                carried=fold.carried,
            )
            break
        except Uncarried:
            assert fold.through is not None, "judging every run needs no carry"
            fold = team_folds.empty(mission)
    member_of = {run.run_id: run.member for run in runs}
    fresh = [
        Fresh(entry, None if entry.run is None else member_of.get(entry.run))
        for entry in mission_progress.newly_unlocked(found, book)
    ]
    for item in fresh:
        credited[item.unlocked.beat] = item.runner_id
    window_from = now - WEEKLY_WINDOW
    whole = team_folds.add(fold, runs, enrolled_at, window_from)
    judged = Judged(
        since=now,
        until=snapshots.until(mission, enrolled_at, now),
        progress=_unnamed(found, credited, names),
        credits=tuple(
            Credit(beat.beat, credited.get(beat.beat), _name(names, credited.get(beat.beat)), at)
            for beat in found.beats
            if beat.met and (at := beat.unlocked_at) is not None
        ),
        members=_tallies(whole, credited, people),
        legs=_legs(whole, names),
    )
    chapter_runs = {entry.run for entry in book.values() if entry.run is not None}
    chapter_runs |= {item.unlocked.run for item in fresh if item.unlocked.run is not None}
    following = team_folds.moved_on(
        fold, runs, mission, found, chapter_runs, enrolled_at, window_from - CLOCK_SLACK
    )
    if following is kept.fold:  # nothing taken in: the kept fold stands as it is
        return judged, fresh, None
    return judged, fresh, team_folds.Kept(following, kept.key)


def runs_after(
    session: Session,
    team: TeamEnrolment,
    through: tuple[datetime, int] | None,
    names: dict[int, str],
) -> list[missions.StoredRun]:
    """The runs credited to the team after `through` (start, id; None: all), in judging's order,
    each named by its member."""
    runs = Run.__table__.c
    query = (
        select(runs.id, TeamRun.runner_id, runs.sha256, runs.outing, *missions.FACT_COLUMNS)
        .join(Run.__table__, runs.id == TeamRun.run_id)
        .where(TeamRun.team_enrolment_id == team.id, runs.overlaps_run_id.is_(None))
        .order_by(TeamRun.start_time, TeamRun.run_id)
    )
    if through is not None:
        query = query.where(_after(through))
    files: missions.Files = {}
    return [
        missions.StoredRun(
            session,
            run_id,
            names.get(runner_id, "a member"),
            sha256,
            missions.facts_of(*facts, member=runner_id),
            outing,
            files,
        )
        for run_id, runner_id, sha256, outing, *facts in session.execute(query)
    ]


def _after(through: tuple[datetime, int]) -> ColumnElement[bool]:
    """Credited runs after `through` in judging's order: a later start, or the same and a
    greater id (the first clause is the index's range)."""
    start, run_id = through
    return and_(
        TeamRun.start_time >= start, or_(TeamRun.start_time > start, TeamRun.run_id > run_id)
    )


def write(session: Session, team_id: int, fresh: Sequence[Fresh], now: datetime) -> None:
    """Write down chapters a team unlocked (flushed, not committed); a chapter already written
    down keeps its credit (two uploads judging at once agree on the first)."""
    if not fresh:
        return
    rows = [
        {
            "team_enrolment_id": team_id,
            "beat": item.unlocked.beat,
            "run_id": item.unlocked.run,
            "runner_id": item.runner_id,
            "unlocked_at": item.unlocked.at,
            "detail": item.unlocked.detail[: ledger.DETAIL_CHARS],
            "recorded_at": now,
        }
        for item in fresh
    ]
    statement: Insert
    if session.get_bind().dialect.name == "postgresql":
        statement = postgresql.insert(TeamUnlock).on_conflict_do_nothing()
    else:
        statement = sqlite.insert(TeamUnlock).on_conflict_do_nothing()
    session.execute(statement, rows)


def _people(session: Session, team: TeamEnrolment) -> dict[int, tuple[str, bool]]:
    """Everyone who was ever a member of the team's club, or ran for it: name, and whether a
    current member."""
    found: dict[int, tuple[str, bool]] = {}
    for runner_id, name, left_at in session.execute(
        select(ClubMember.runner_id, Runner.name, ClubMember.left_at)
        .join(Runner, Runner.id == ClubMember.runner_id)
        .where(ClubMember.club_id == team.club_id)
    ):
        found[runner_id] = (name, left_at is None)
    return found


def _book(
    session: Session, team_id: int, names: dict[int, str]
) -> tuple[ledger.Ledger, dict[str, int | None]]:
    """The team's chapters already written down, as a ledger (credited to the member by name),
    and the member credited with each."""
    book: ledger.Ledger = {}
    credited: dict[str, int | None] = {}
    for beat, run_id, runner_id, unlocked_at, detail in session.execute(
        select(
            TeamUnlock.beat,
            TeamUnlock.run_id,
            TeamUnlock.runner_id,
            TeamUnlock.unlocked_at,
            TeamUnlock.detail,
        ).where(TeamUnlock.team_enrolment_id == team_id)
    ):
        at = missions.as_utc(unlocked_at)
        book[beat] = Unlocked(beat, run_id, _name(names, runner_id), at, detail)
        credited[beat] = runner_id
    return book, credited


def _checker(
    session: Session,
    team_id: int,
    through: tuple[datetime, int] | None,
    mission: Mission,
    learned: missions.Learned,
) -> mission_progress.Checker:
    """goals.check with the verdicts remembered for the team's runs after `through` (a
    journey's one-run goals: a climb, a place); those judged afresh are collected in
    `learned`."""
    keys = sorted({missions.goal_key(goal) for goal in missions._single_run_goals(mission)})
    known: dict[str, dict[int, GoalCheck]] = {goal_key: {} for goal_key in keys}
    if keys:
        query = (
            select(Verdict.goal_key, Verdict.run_id, Verdict.met, Verdict.detail, Verdict.closeness)
            .join(TeamRun, TeamRun.run_id == Verdict.run_id)
            .where(TeamRun.team_enrolment_id == team_id, Verdict.goal_key.in_(keys))
        )
        if through is not None:
            query = query.where(_after(through))
        for goal_key, run_id, met, detail, closeness in session.execute(query):
            known[goal_key][run_id] = GoalCheck(met, detail, closeness)
    return missions._Judge(known, learned)


def _name(names: dict[int, str], runner_id: int | None) -> str | None:
    return None if runner_id is None else names.get(runner_id, "a former member")


def _unnamed(
    found: MissionProgress, credited: dict[str, int | None], names: dict[int, str]
) -> MissionProgress:
    """The progress with each chapter credited to its member by name, and no run's id or file:
    members see one another's names, never their runs."""
    beats = tuple(
        replace(beat, unlocked_by=_name(names, credited.get(beat.beat)), run=None)
        if beat.met
        else beat
        for beat in found.beats
    )
    return replace(found, beats=beats)


def _tallies(
    whole: team_folds.Fold,
    credited: dict[str, int | None],
    people: dict[int, tuple[str, bool]],
) -> tuple[Tally, ...]:
    """Each current member and each who gave the team something: km, runs, chapters."""
    chapters: dict[int, int] = {}
    for runner_id in credited.values():
        if runner_id is not None:
            chapters[runner_id] = chapters.get(runner_id, 0) + 1
    shown = {runner_id for runner_id, (_, current) in people.items() if current}
    shown |= set(whole.km) | set(chapters)
    tallies = [
        Tally(
            runner_id,
            people.get(runner_id, ("a former member", False))[0],
            whole.km.get(runner_id, 0.0),
            whole.runs.get(runner_id, 0),
            chapters.get(runner_id, 0),
            people.get(runner_id, ("", False))[1],
        )
        for runner_id in shown
    ]
    tallies.sort(key=lambda tally: (-tally.km, -tally.chapters, tally.name))
    return tuple(tallies)


def _legs(whole: team_folds.Fold, names: dict[int, str]) -> tuple[tuple[str, float], ...]:
    """The stretches of the route each member's runs took the team, in the order run: one
    member's runs in a row make one stretch, none past the route's end, at most MOST_LEGS (the
    shortest given to the one before)."""
    legs = [(names.get(member, "a former member"), km) for member, km in whole.legs]
    while len(legs) > MOST_LEGS:  # pairs joined, the longer one's member keeps the stretch
        joined = [
            (first[0] if first[1] >= second[1] else second[0], first[1] + second[1])
            for first, second in zip(legs[::2], legs[1::2], strict=False)
        ]
        legs = joined + legs[len(joined) * 2 :]
    return tuple(legs)
