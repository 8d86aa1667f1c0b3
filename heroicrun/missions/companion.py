"""What the live companion says during a run of a mission: the plan for one run, from the mission
and where the runner stands in it.

The run page records in the phone's browser and speaks from this plan: the briefing, what the
run can earn, the places ahead and the chapters waiting at route marks (km from this run's
start), scripted chases and the surges a goal asks for. It is a guide: the finished file is
judged by the engine like any other.

What one run can earn: the beats from the first not yet unlocked, in order, as long as one run
may unlock them one after another (one-run goals, best-of, marks on the route within a long
run's reach); a goal that takes several runs (a plan, a relay) ends the list, as its first step.
"""

from __future__ import annotations

from collections.abc import Sequence

from heroicrun.missions import describe
from heroicrun.missions.model import (
    Beat,
    BestOfGoal,
    ChaseGoal,
    Mission,
    RelayGoal,
    RouteKmGoal,
    RunsGoal,
    StreakGoal,
    SurgesGoal,
)
from heroicrun.missions.progress import MissionProgress
from heroicrun.values import frozen

# Places and chapters further than this from the start of a run are left out of its plan: no
# run on foot goes further in one go.
REACH_KM = 250.0
MOST_EARNED = 6
# A mark further than this is for later runs: the next one is told however far it is.
EARN_REACH_KM = 50.0


@frozen
class Place:
    """A place on the route ahead, `km` from this run's start."""

    name: str
    km: float


@frozen
class Chapter:
    """A chapter waiting at a mark on the route, `km` from this run's start, read when reached."""

    km: float
    title: str
    text: str


@frozen
class Chase:
    """A scripted chase: from `at_s` seconds into the run, cover `metres` within `within_s`."""

    at_s: float
    metres: float
    within_s: float
    title: str


@frozen
class Surges:
    """Surges a goal asks for: `count` of them, each `boost` faster than the previous
    `baseline_s`, held `hold_s` (the goal engine's rule)."""

    count: int
    boost: float
    baseline_s: float
    hold_s: float
    title: str


@frozen
class Plan:
    """One run of a mission as the companion tells it (a free run: no mission, km only)."""

    id: str | None
    title: str
    briefing: str | None
    earn: tuple[str, ...]
    progress_km: float | None
    route_km: float | None
    places: tuple[Place, ...]
    chapters: tuple[Chapter, ...]
    chases: tuple[Chase, ...]
    surges: Surges | None


FREE_RUN = Plan(None, "Free run", None, (), None, None, (), (), (), None)


def plan(mission: Mission, progress: MissionProgress) -> Plan:
    """The plan for the runner's next run of `mission`, standing at `progress`."""
    done_km = progress.progress_km or 0.0
    earnable = _earnable(mission, progress)
    route = mission.route
    places = (
        ()
        if route is None
        else tuple(
            Place(point.name, point.km - done_km)
            for point in route.waypoints
            if 0 < point.km - done_km <= REACH_KM
        )
    )
    met = {beat.beat for beat in progress.beats if beat.met}
    chapters = tuple(
        Chapter(beat.goal.km - done_km, beat.title, beat.text)
        for beat in mission.beats
        if isinstance(beat.goal, RouteKmGoal)
        and beat.id not in met
        and 0 < beat.goal.km - done_km <= REACH_KM
    )
    chases = tuple(
        Chase(goal.at_minute * 60.0, goal.metres, goal.within, beat.title)
        for beat in earnable
        if isinstance(goal := _inner(beat), ChaseGoal)
    )
    surges = [
        Surges(goal.count, goal.boost, goal.baseline, goal.hold, beat.title)
        for beat in earnable
        if isinstance(goal := _inner(beat), SurgesGoal)
    ]
    return Plan(
        id=mission.id,
        title=mission.title,
        briefing=mission.briefing,
        earn=tuple(
            f"{beat.title}: {describe.goal_words(beat.goal, route, progress.progress_km)}"
            for beat in earnable
        ),
        progress_km=progress.progress_km,
        route_km=None if route is None else route.length_km,
        places=places,
        chapters=chapters,
        chases=chases,
        surges=max(surges, key=lambda found: found.count, default=None),
    )


def _earnable(mission: Mission, progress: MissionProgress) -> Sequence[Beat]:
    """The beats one run may unlock from where the runner stands, in order."""
    if progress.status != "in_progress":
        return ()
    done_km = progress.progress_km or 0.0
    found: list[Beat] = []
    for beat, standing in zip(mission.beats, progress.beats, strict=True):
        if standing.met:
            continue
        far = isinstance(beat.goal, RouteKmGoal) and beat.goal.km - done_km > EARN_REACH_KM
        if far and found:
            break
        found.append(beat)
        if isinstance(beat.goal, RunsGoal | StreakGoal | RelayGoal):
            break  # several runs: this one is a step
        if len(found) == MOST_EARNED:
            break
    return found


def _inner(beat: Beat) -> object:
    """A beat's goal, or the one goal a best-of asks for."""
    return beat.goal.goal if isinstance(beat.goal, BestOfGoal) else beat.goal
