"""A runner's dashboard: missions under way (the closest chapter first), then those won and
lost, lifetime totals, latest runs, and missions to start with a suggested first one.

How close a chapter is and how long a mission takes are told at the runner's own habits
(heroicrun.play.habits): "Nemea: 31 km ≈ 3 runs at your pace".
"""

from __future__ import annotations

import dataclasses
import math
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from heroicrun.db.schema import Enrolment, Run, Runner
from heroicrun.missions import describe, lengths
from heroicrun.missions.loading import Catalog
from heroicrun.missions.model import Beat, Level, Mission, RouteKmGoal, RunsGoal, StreakGoal
from heroicrun.missions.progress import BeatProgress, MissionProgress, MissionStatus
from heroicrun.play import habits as runner_habits
from heroicrun.play import snapshots, teams
from heroicrun.play.missions import (
    Learned,
    as_utc,
    current,
    enrolled_at,
    enrolled_missions,
    on_foot,
)
from heroicrun.summary import RunSummary

LATEST_RUNS = 5
LEVELS: tuple[Level, ...] = tuple(lengths.LEVELS)  # "first steps" to "epic"
# The shelf's order: the missions still to play first, then those won, then those lost.
SHELF: tuple[MissionStatus, ...] = ("in_progress", "completed", "failed")
PLAN_DONE = re.compile(r"^(?:streak )?(\d+) of (\d+)")  # "4 of 10 runs…", "streak 3 of 7 days"


@dataclass(frozen=True)
class Ahead:
    """How far the next chapter is: at least `runs` runs at the runner's habits, `km` left
    for a goal on the route, in words ("Nemea: 31 km ≈ 3 runs at your pace")."""

    runs: int
    km: float | None
    words: str


@dataclass(frozen=True)
class ActiveMission:
    """A mission the runner is in, as the dashboard shows it; km are counted km."""

    id: str
    title: str
    kind: str  # "journey" or "challenge"
    status: MissionStatus
    enrolled_at: datetime
    beats: int  # how many beats the mission has
    unlocked: tuple[str, ...]  # ids of the unlocked beats
    progress_km: float | None
    route_km: float | None
    next_beat: str | None  # the title of the beat to earn next
    next_detail: str | None  # how close it is: "km 31.2 of 42.5 (Megara), 12 days left"
    deadline_at: datetime | None  # when the next beat's deadline in days runs out
    days_left: float | None
    ahead: Ahead | None = None  # how far the next chapter is, while in progress
    club_id: int | None = None  # a team mission: the club that runs it
    club: str | None = None


@dataclass(frozen=True)
class Totals:
    """Everything the runner has run: timed runs only, vehicle stretches left out."""

    runs: int
    counted_distance_m: float
    moving_s: float


@dataclass(frozen=True)
class RecentRun:
    """One of the latest runs."""

    id: int
    file: str
    kind: str
    start_time: datetime | None
    distance_m: float
    moving_s: float | None
    pace_s_per_km: float | None


@dataclass(frozen=True)
class Unstarted:
    """A mission the runner is not in yet."""

    id: str
    title: str
    kind: str
    level: str
    summary: str  # the summary's first sentence
    level_means: str  # what the level asks of a runner
    runs: int  # the least runs it takes at the runner's habits ...
    weeks: float  # ... and weeks
    length: str  # "about 9 runs: 3 weeks at 3 runs a week"


@dataclass(frozen=True)
class LevelGroup:
    """Missions to start of one level, and what the level asks of a runner."""

    level: str
    means: str
    missions: tuple[Unstarted, ...]


@dataclass(frozen=True)
class Dashboard:
    """The runner's page at a glance."""

    runner: str
    missions: tuple[ActiveMission, ...]
    totals: Totals
    latest_runs: tuple[RecentRun, ...]
    not_started: tuple[Unstarted, ...]  # easiest first, then the fewest runs
    suggested: str | None = None  # the mission to start with, when the runner is in none
    habits_known: bool = False  # False: lengths are told for a new runner (5 km, 3 a week)
    team_missions: tuple[ActiveMission, ...] = ()  # what the runner's clubs run as teams

    def levels(self) -> tuple[LevelGroup, ...]:
        """The missions to start grouped by level, easiest first; the suggested one left out."""
        return tuple(
            LevelGroup(level, lengths.level_words(level), found)
            for level in LEVELS
            if (
                found := tuple(
                    m for m in self.not_started if m.level == level and m.id != self.suggested
                )
            )
        )


def dashboard(
    session: Session,
    catalog: Catalog,
    runner: Runner,
    now: datetime,
    learned: Learned | None = None,
    writing: Session | None = None,
) -> Dashboard:
    """Active missions with progress, lifetime totals, the latest runs, missions to start.

    Progress is read from the missions' snapshots; one judged afresh is kept in `writing`."""
    now = as_utc(now)
    pairs = enrolled_missions(session, catalog, runner)
    # What comes from the runs alone is read again only once they change (snapshots.Memo).
    runs = snapshots.runs_key(session, runner.id)
    earned = current(session, catalog, runner, pairs, now, learned, writing, runs)
    usual = runner_habits.habits(session, runner, now, runs)
    active = tuple(
        sorted(
            (
                _active_mission(mission, enrolment, found, now, usual)
                for (mission, enrolment), found in zip(pairs, earned, strict=True)
            ),
            key=_closest_first,
        )
    )
    totals = _TOTALS.get(session, (runner.id, runs), lambda: _totals(session, runner))
    latest = _LATEST.get(session, (runner.id, runs), lambda: _latest(session, runner))
    enrolled = {mission.id for mission, _ in pairs}
    # A team mission is started by a club (its page offers them), never by one runner.
    to_start = sorted(
        (
            _unstarted(mission, usual)
            for mission in catalog.missions
            if mission.id not in enrolled and not mission.team
        ),
        key=lambda m: (LEVELS.index(m.level), m.runs, m.title),
    )
    team_missions = tuple(
        _team_mission(found, mission, now)
        for found in teams.standings_of(session, catalog, runner, now, writing)
        if (mission := catalog.get(found.mission_id)) is not None
    )
    return Dashboard(
        runner=runner.name,
        missions=active,
        team_missions=team_missions,
        totals=totals,
        latest_runs=latest,
        not_started=tuple(to_start),
        suggested=None if pairs else suggest(to_start),
        habits_known=runner_habits.known(usual),
    )


_TOTALS: snapshots.Memo[Totals] = snapshots.Memo()
_LATEST: snapshots.Memo[tuple[RecentRun, ...]] = snapshots.Memo()


def _totals(session: Session, runner: Runner) -> Totals:
    """Everything the runner has run, as the dashboard counts it."""
    # An outing recorded twice (watch and phone) adds to the totals once; a ride not at all.
    timed = (
        (Run.runner_id == runner.id)
        & Run.start_time.is_not(None)
        & Run.overlaps_run_id.is_(None)
        & on_foot()
    )
    count, distance_m, moving_s = session.execute(
        select(
            func.count(Run.id),
            func.coalesce(func.sum(Run.counted_distance_m), 0.0),
            func.coalesce(func.sum(Run.moving_s), 0.0),
        ).where(timed)
    ).one()
    return Totals(int(count or 0), float(distance_m or 0.0), float(moving_s or 0.0))


def _latest(session: Session, runner: Runner) -> tuple[RecentRun, ...]:
    """The runner's latest runs, the newest first."""
    latest = session.execute(
        select(Run.id, Run.file_name, Run.kind, Run.start_time, Run.distance_m, Run.moving_s)
        .add_columns(Run.summary_json)
        .where(Run.runner_id == runner.id)
        .order_by(Run.start_time.desc().nulls_last(), Run.id.desc())
        .limit(LATEST_RUNS)
    ).all()
    return tuple(
        RecentRun(
            id=row.id,
            file=row.file_name,
            kind=row.kind,
            start_time=None if row.start_time is None else as_utc(row.start_time),
            distance_m=row.distance_m,
            moving_s=row.moving_s,
            pace_s_per_km=RunSummary.model_validate_json(row.summary_json).pace_s_per_km,
        )
        for row in latest
    )


def suggest(to_start: list[Unstarted]) -> str | None:
    """The mission to start with: a journey (a marker to move along a real road), the easiest,
    then the one of the fewest runs; a challenge when no journey is left."""
    ranked = sorted(
        to_start,
        key=lambda m: (m.kind != "journey", LEVELS.index(m.level), m.runs),
    )
    return ranked[0].id if ranked else None


def _unstarted(mission: Mission, usual: lengths.Runner) -> Unstarted:
    length = lengths.length(mission, usual)
    return Unstarted(
        mission.id,
        mission.title,
        mission.kind,
        mission.level,
        first_sentence(mission.summary),
        level_means=lengths.level_words(mission.level),
        runs=length.runs,
        weeks=round(length.weeks, 1),
        length=length.words,
    )


def _closest_first(mission: ActiveMission) -> tuple[int, float, float, str]:
    """Missions under way by how close their next chapter is, then those won, then lost."""
    ahead = mission.ahead
    runs = math.inf if ahead is None else ahead.runs
    km = math.inf if ahead is None or ahead.km is None else ahead.km
    return SHELF.index(mission.status), runs, km, mission.title


def ahead(
    mission: Mission,
    beat: Beat,
    shown: BeatProgress,
    progress_km: float | None,
    usual: lengths.Runner,
) -> Ahead:
    """How far `beat`, the next to earn, is for a runner of habits `usual` at `progress_km`."""
    goal = beat.goal
    pace = "at your pace" if runner_habits.known(usual) else f"of {usual.run_km:g} km"
    if isinstance(goal, RouteKmGoal):
        left_km = max(goal.km - (progress_km or 0.0), 0.0)
        runs = max(1, math.ceil(left_km / usual.run_km - 1e-9))
        place = _place(mission, goal.km)
        distance = f"{left_km:.1f} km" if left_km < 10 else f"{left_km:,.0f} km"
        plural = "" if runs == 1 else "s"
        return Ahead(runs, round(left_km, 3), f"{place}: {distance} ≈ {runs} run{plural} {pace}")
    if isinstance(goal, RunsGoal | StreakGoal):
        # The plan's count so far is in the judged detail; the goal itself gives the total.
        total = goal.count if isinstance(goal, RunsGoal) else goal.days
        done = PLAN_DONE.match(shown.detail)
        runs = max(1, total - int(done.group(1)) if done else total)
        plural = "" if runs == 1 else "s"
        more = f"more run{plural}" if isinstance(goal, RunsGoal) else f"more day{plural} in a row"
        return Ahead(runs, None, f"{beat.title}: {runs} {more}")
    return Ahead(1, None, f"{beat.title}: one run away")


def _place(mission: Mission, km: float) -> str:
    """The place at `km` of the mission's route as a sentence names it, or "km 81"."""
    if mission.route is not None:
        for point in mission.route.waypoints:
            if abs(point.km - km) < describe.PLACE_KM:
                return point.short_name
    return f"km {km:g}"


def first_sentence(text: str) -> str:
    """The first sentence of a summary, for a one-line listing."""
    for end, char in enumerate(text):
        if char in ".!?" and (end + 1 == len(text) or text[end + 1] == " "):
            return text[: end + 1]
    return text


def _team_mission(found: teams.TeamStanding, mission: Mission, now: datetime) -> ActiveMission:
    """A club's team mission as the dashboard shows it: no "runs like yours" ahead, the team
    runs it."""
    shown = _active_mission(mission, found.enrolled_at, found.progress, now, None)
    return dataclasses.replace(shown, club_id=found.club_id, club=found.club)


def _active_mission(
    mission: Mission,
    enrolment: Enrolment | datetime,
    earned: MissionProgress,
    now: datetime,
    usual: lengths.Runner | None,
) -> ActiveMission:
    began = enrolment if isinstance(enrolment, datetime) else enrolled_at(enrolment)
    upcoming = next(
        (
            (source, beat)
            for source, beat in zip(mission.beats, earned.beats, strict=True)
            if not beat.met
        ),
        None,
    )
    deadline_at = days_left = None
    if upcoming is not None:
        within_days = getattr(upcoming[0].goal, "within_days", None)
        if within_days is not None:
            deadline_at = began + timedelta(days=within_days)
            days_left = round(max((deadline_at - now).total_seconds(), 0.0) / 86400, 1)
    return ActiveMission(
        id=mission.id,
        title=mission.title,
        kind=mission.kind,
        status=earned.status,
        enrolled_at=began,
        beats=len(mission.beats),
        unlocked=earned.unlocked,
        progress_km=None if earned.progress_km is None else round(earned.progress_km, 3),
        route_km=None if mission.route is None else mission.route.length_km,
        next_beat=None if upcoming is None else upcoming[1].title,
        next_detail=None if upcoming is None else upcoming[1].detail,
        deadline_at=deadline_at,
        days_left=days_left,
        ahead=None
        if upcoming is None or earned.status != "in_progress" or usual is None
        else ahead(mission, upcoming[0], upcoming[1], earned.progress_km, usual),
    )
