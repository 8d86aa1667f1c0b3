"""A team's credited runs summed up to one of them, so that judging the team reads only the runs
after it: a club of two hundred with twenty thousand runs is judged from its last chapter on.

A fold sums the runs in the order judging takes them (start, then id): the carry the mission's
goals are judged from (heroicrun.missions.carried), and what the club page shows of the runs,
each member's km and runs and the stretches of the route they covered. Added up in that order
from nothing, its sums are the ones judging every run makes, to the last bit.

It reaches no further than judging allows: up to the run that unlocked the team's latest
chapter (that run and the ones after it are judged again), or every run once every chapter is
unlocked. It is kept in `team_folds` under the mission's content, the team's enrolment and
`clubs.settled`, which the database changes whenever what a fold sums may have changed rather
than grown (migration 0012); a fold found under another key is no fold.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime

from pydantic import TypeAdapter
from sqlalchemy import Insert, delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from heroicrun.db.schema import Club, TeamEnrolment, TeamFold
from heroicrun.missions import carried as carries
from heroicrun.missions.carried import Carried
from heroicrun.missions.model import Mission, RouteKmGoal
from heroicrun.missions.progress import MissionProgress
from heroicrun.missions.runs import CountedRun
from heroicrun.play import missions, snapshots


@dataclass(frozen=True)
class Fold:
    """Runs summed up to `through` (start, id; None: none yet): the carry, each member's counted
    km and runs, the stretches of the route each member's runs took the team in the order run
    (member, km), and the route's km no stretch has reached (None: no route)."""

    through: tuple[datetime, int] | None
    carried: Carried | None
    km: dict[int, float]
    runs: dict[int, int]
    legs: tuple[tuple[int, float], ...]
    left_km: float | None


_FOLD = TypeAdapter(Fold)


def empty(mission: Mission) -> Fold:
    """No run summed yet."""
    left = None if mission.route is None else mission.route.length_km
    return Fold(None, None, {}, {}, (), left)


def add(
    fold: Fold, runs: Sequence[CountedRun], enrolled_at: datetime, window_from: datetime
) -> Fold:
    """`fold` and then `runs` (the team's next runs, timed, in judging's order, each with its
    `ref` and `member`); the weekly window kept from `window_from` on."""
    if not runs:
        return fold
    km = dict(fold.km)
    count = dict(fold.runs)
    legs = list(fold.legs)
    left = fold.left_km
    for run in runs:
        if not run.counts_for(enrolled_at):
            continue
        member = run.member
        assert member is not None, "a team's runs each have their member"
        km[member] = km.get(member, 0.0) + run.counted_km
        count[member] = count.get(member, 0) + 1
        if left is None:
            continue
        stretch = min(run.counted_km, left)
        if stretch <= 0:
            continue
        left -= stretch
        if legs and legs[-1][0] == member:
            legs[-1] = (member, legs[-1][1] + stretch)
        else:
            legs.append((member, stretch))
    last = runs[-1]
    assert last.start is not None and last.ref is not None
    carried = carries.carry(fold.carried, runs, enrolled_at, window_from)
    return Fold((last.start, last.ref), carried, km, count, tuple(legs), left)


def moved_on(
    fold: Fold,
    runs: Sequence[CountedRun],
    mission: Mission,
    found: MissionProgress,
    chapter_runs: Collection[int],
    enrolled_at: datetime,
    window_from: datetime,
) -> Fold:
    """The fold the next judging starts from, once `runs` (those after `fold`, in judging's
    order) were judged to `found`, with the chapters' runs now `chapter_runs` (by ref)."""
    marks = [
        beat.goal.km
        for beat, judged in zip(mission.beats, found.beats, strict=True)
        if not judged.met and isinstance(beat.goal, RouteKmGoal) and beat.goal.km > 0
    ]
    every_chapter = all(beat.met for beat in found.beats)
    taken = _reach(fold, runs, chapter_runs, every_chapter, min(marks, default=None), enrolled_at)
    return add(fold, runs[:taken], enrolled_at, window_from)


def _reach(
    fold: Fold,
    runs: Sequence[CountedRun],
    chapter_runs: Collection[int],
    every_chapter: bool,
    mark_km: float | None,
    enrolled_at: datetime,
) -> int:
    """How many of `runs` the next fold may take in. All once `every_chapter` is unlocked.
    Else those before the last counted run that unlocked a chapter (judging the next one starts
    from it), none when no run here did; and, of those, the ones before the run that reaches
    `mark_km` on the route (the nearest mark not yet unlocked: its deadline is checked at the
    end of that run)."""
    if every_chapter:
        return len(runs)
    taken = max(
        (
            index
            for index, run in enumerate(runs)
            if run.ref in chapter_runs and run.counts_for(enrolled_at)
        ),
        default=0,
    )
    if mark_km is not None:
        km = 0.0 if fold.carried is None else fold.carried.km
        for index, run in enumerate(runs[:taken]):
            if run.counts_for(enrolled_at):
                km += run.counted_km
                if km >= mark_km:
                    return index
    return taken


@dataclass(frozen=True)
class Kept:
    """A team's fold as read, and the key it holds under now (`fold` is empty when the kept one
    was made under another)."""

    fold: Fold
    key: str


def read(session: Session, team: TeamEnrolment, mission: Mission) -> Kept:
    """The team's fold, if it holds; one row read with the club's `settled`."""
    row = session.execute(
        select(Club.settled, TeamFold.key, TeamFold.content)
        .select_from(Club)
        .outerjoin(TeamFold, TeamFold.team_enrolment_id == team.id)
        .where(Club.id == team.club_id)
    ).first()
    settled = 0 if row is None else row[0]
    wanted = _key(mission, team, settled)
    if row is None or row[1] != wanted:
        return Kept(empty(mission), wanted)
    try:
        return Kept(_FOLD.validate_json(row[2]), wanted)
    except ValueError:  # written by a heroicrun that summed other things: start again
        return Kept(empty(mission), wanted)


def keep(session: Session, team_id: int, key: str, fold: Fold, now: datetime) -> None:
    """Keep a team's fold (flushed, not committed), replacing the one before. Only under the
    club's row lock, with the runs it sums read under it: a run credited meanwhile at or before
    it would otherwise be summed by no fold and judged by none."""
    if fold.through is None:  # nothing summed: no fold to keep, nor an old one to trust
        session.execute(delete(TeamFold).where(TeamFold.team_enrolment_id == team_id))
        return
    values = {
        "team_enrolment_id": team_id,
        "key": key,
        "through_start": fold.through[0],
        "through_run_id": fold.through[1],
        "content": _FOLD.dump_json(fold).decode(),
        "made_at": now,
    }
    changed = {name: value for name, value in values.items() if name != "team_enrolment_id"}
    statement: Insert
    if session.get_bind().dialect.name == "postgresql":
        statement = (
            postgresql.insert(TeamFold)
            .values(values)
            .on_conflict_do_update(index_elements=[TeamFold.team_enrolment_id], set_=changed)
        )
    else:
        statement = (
            sqlite.insert(TeamFold)
            .values(values)
            .on_conflict_do_update(index_elements=[TeamFold.team_enrolment_id], set_=changed)
        )
    session.execute(statement)


def _key(mission: Mission, team: TeamEnrolment, settled: int) -> str:
    began = missions.as_utc(team.enrolled_at).isoformat()
    said = f"fold|{snapshots.mission_key(mission)}|{team.id}|{began}|{settled}"
    return hashlib.sha256(said.encode()).hexdigest()
