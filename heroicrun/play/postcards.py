"""Postcards: one for every named place a journey has reached and one for finishing a mission,
each with the place, the km, the date and a line of the story.

They are derived from what is stored, never kept: a place's date is when the counted run that
took the runner past it ended (the runs since enrolment, in the order they were run, summed as
progress sums them); a chapter unlocked at that place lends its credit from the ledger, which
stands whatever the runs say now; finishing is the last chapter's unlock. Numbers run from 1 in
the order the postcards were earned along the route, so /missions/{id}/postcards/3 stays the
same card as the runner goes on.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from heroicrun.db.schema import Enrolment, Run, Runner
from heroicrun.missions.loading import Catalog
from heroicrun.missions.model import Mission, RouteKmGoal
from heroicrun.missions.progress import BeatProgress, MissionProgress
from heroicrun.missions.runs import GRACE, RunFacts
from heroicrun.play import NotFound, missions, rewards, snapshots

LINE_CHARS = 160  # a postcard's line of the story: a sentence, seldom cut


@dataclass(frozen=True)
class Postcard:
    """A place reached, or a mission finished, as a postcard shows it."""

    number: int  # from 1, in the order earned
    mission_id: str
    mission_title: str
    place: str | None  # None: a mission without a route, finished
    km: float | None  # where on the route (km by its marks); None without a route
    reached_at: datetime  # when the run that got there ended (UTC)
    run_id: int | None  # that run; None for a place at the start
    line: str  # one line of the story
    finish: bool  # the mission's end


def postcards(
    session: Session,
    catalog: Catalog,
    runner: Runner,
    mission: Mission,
    earned: MissionProgress,
    runs_key: str | None = None,
    enrolment: Enrolment | None = None,
) -> list[Postcard]:
    """The runner's postcards of the mission of their active enrolment (`enrolment`, when
    already read), as `earned` (its progress, from missions.progress) stands; with the runs'
    key (snapshots.runs_key), where each run took the runner is kept in memory until the runs
    change."""
    if enrolment is None:
        enrolment = missions.active_enrolment(session, catalog, runner, mission.id)
    enrolled = missions.enrolled_at(enrolment)
    unlocked = {beat.beat: beat for beat in earned.beats if beat.met}
    last_beat = mission.beats[-1]
    finished = earned.status == "completed"
    found: list[tuple[str | None, float | None, datetime, int | None, str, bool]] = []
    if mission.route is not None and earned.progress_km is not None:
        if runs_key is None:
            passed = _passed(session, runner, enrolled)
        else:
            key = (runner.id, enrolled, runs_key)
            passed = _PASSED.get(session, key, lambda: _passed(session, runner, enrolled))
        end = mission.route.waypoints[-1]
        for place in mission.route.waypoints[1:]:
            beat = _beat_at(mission, place.km, unlocked)
            if place.km > earned.progress_km + 1e-9 and beat is None:
                continue
            when = _when(beat, passed, place.km)
            if when is None:
                continue
            at, run_id = when
            source = next((b for b in mission.beats if beat and b.id == beat.beat), None)
            line = rewards.opening(source.text if source else mission.summary, LINE_CHARS)
            found.append((place.name, place.km, at, run_id, line, place is end and finished))
    if finished and not any(card[-1] for card in found):
        final = unlocked.get(last_beat.id)
        if final is not None and final.unlocked_at is not None:
            line = rewards.opening(last_beat.text, LINE_CHARS)
            km = earned.progress_km
            found.append((None, km, final.unlocked_at, final.run, line, True))
    found.sort(key=lambda card: (card[2], card[1] or 0.0))
    return [
        Postcard(number, mission.id, mission.title, place, km, at, run_id, line, finish)
        for number, (place, km, at, run_id, line, finish) in enumerate(found, start=1)
    ]


def postcard(
    session: Session,
    catalog: Catalog,
    runner: Runner,
    mission_id: str,
    number: int,
    now: datetime,
    learned: missions.Learned | None = None,
) -> tuple[Mission, Postcard]:
    """One of the runner's postcards of a mission; NotFound when they have no such card."""
    mission, earned = missions.progress(session, catalog, runner, mission_id, now, learned)
    found = postcards(session, catalog, runner, mission, earned)
    if not 1 <= number <= len(found):
        raise NotFound(f"you have no postcard {number} of {mission.title!r}")
    return mission, found[number - 1]


def _beat_at(mission: Mission, km: float, unlocked: dict[str, BeatProgress]) -> BeatProgress | None:
    """The unlocked chapter whose goal is to reach that km of the route, if any."""
    for beat in mission.beats:
        if isinstance(beat.goal, RouteKmGoal) and abs(beat.goal.km - km) < 1e-6:
            return unlocked.get(beat.id)
    return None


def _when(
    beat: BeatProgress | None, passed: list[tuple[float, datetime, int]], km: float
) -> tuple[datetime, int | None] | None:
    """When the place at `km` was reached, and by which run: the ledger's credit when a chapter
    is unlocked there, else the first run that took the sum past it."""
    if beat is not None and beat.unlocked_at is not None:
        return beat.unlocked_at, beat.run
    for total_km, ended, run_id in passed:
        if total_km >= km - 1e-9:
            return ended, run_id
    return None


_PASSED: snapshots.Memo[list[tuple[float, datetime, int]]] = snapshots.Memo()


def _passed(
    session: Session, runner: Runner, enrolled: datetime
) -> list[tuple[float, datetime, int]]:
    """The km summed after each counted run since enrolment, with when that run ended and its
    id, in the order they were run (as progress sums them)."""
    columns = Run.__table__.c
    rows = session.execute(
        select(columns.id, *missions.FACT_COLUMNS)
        .where(columns.runner_id == runner.id, columns.start_time >= enrolled - GRACE)
        .where(columns.overlaps_run_id.is_(None))
        .order_by(columns.start_time, columns.id)
    ).all()
    total_km = 0.0
    found = []
    for run_id, *columns_of_run in rows:
        facts: RunFacts = missions.facts_of(*columns_of_run)
        if facts.start is None or facts.off_foot is not None:
            continue
        total_km += facts.counted_km
        ended = facts.start + timedelta(seconds=facts.elapsed_s or 0.0)
        found.append((total_km, ended, int(run_id)))
    return found


def earned_by(
    session: Session,
    catalog: Catalog,
    runner: Runner,
    mission_ids: Sequence[str],
    run_ids: Collection[int],
    now: datetime,
) -> dict[str, list[Postcard]]:
    """The postcards of each mission that the runs `run_ids` earned (an upload's), by mission."""
    found: dict[str, list[Postcard]] = {}
    learned: missions.Learned = {}
    for mission_id in mission_ids:
        try:
            mission, earned = missions.progress(session, catalog, runner, mission_id, now, learned)
        except NotFound:
            continue
        mine = [
            card
            for card in postcards(session, catalog, runner, mission, earned)
            if card.run_id in run_ids
        ]
        if mine:
            found[mission_id] = mine
    return found
