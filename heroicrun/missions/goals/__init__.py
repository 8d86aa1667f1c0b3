"""Goals one run can meet, checked against a run: met or not, how close, and in words.

Flagged vehicle stretches never count: a car ride meets no goal, nor does a file whose declared
sport is not on foot (a ride, a swim). A route (a file without timestamps) meets no goal that
needs time, and says so; distance and place goals still apply. A run without GPS reaches no
place.
"""

from __future__ import annotations

from typing import assert_never

from heroicrun.missions.checks import GoalCheck
from heroicrun.missions.goals import pacing, places, totals
from heroicrun.missions.model import (
    BestEffortGoal,
    ChaseGoal,
    ClimbGoal,
    DistanceGoal,
    FinishWithinGoal,
    MovingTimeGoal,
    NegativeSplitGoal,
    OutAndBackGoal,
    PaceGoal,
    ReachPlaceGoal,
    SingleRunGoal,
    SurgesGoal,
    TimeOfDayGoal,
)
from heroicrun.missions.runs import CountedRun

__all__ = ["check"]


def check(goal: SingleRunGoal, run: CountedRun) -> GoalCheck:
    """Return whether one run meets a single-run goal, how close it came (0..1), and a detail."""
    off_foot = run.facts.off_foot
    if off_foot is not None:
        return GoalCheck(False, off_foot, 0.0)
    match goal:
        case DistanceGoal():
            return totals.distance(goal, run)
        case MovingTimeGoal():
            return totals.moving_time(goal, run)
        case FinishWithinGoal():
            return totals.finish_within(goal, run)
        case PaceGoal():
            return totals.pace(goal, run)
        case BestEffortGoal():
            return totals.best_effort(goal, run)
        case ClimbGoal():
            return totals.climb(goal, run)
        case TimeOfDayGoal():
            return totals.time_of_day(goal, run)
        case NegativeSplitGoal():
            return pacing.negative_split(goal, run)
        case SurgesGoal():
            return pacing.surges(goal, run)
        case ChaseGoal():
            return pacing.chase(goal, run)
        case ReachPlaceGoal():
            return places.reach_place(goal, run)
        case OutAndBackGoal():
            return places.out_and_back(goal, run)
        case _:
            assert_never(goal)
