"""How long a mission is in a runner's own terms: runs, and weeks at the runs a week they keep
("about 99 runs: 33 weeks at 3 runs a week"), and what each level asks of a runner.

A runner is told by their habits: a typical run's distance, runs a week and pace. A new
runner, with too few runs to tell, is taken to run 5 km three times a week at 7:00 a km.
The counts are the least a mission takes, goal by goal:

- a journey's route takes its length in typical runs; its other goals (a climb on the way)
  are met on those runs;
- a one-run goal takes a run (a best of N, its first attempt); `runs` goals count every run
  since enrolling, so they take only the runs not yet made; a streak of N days takes N runs
  on N days in a row, whatever the runs a week.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import datetime, timedelta

from heroicrun import units
from heroicrun.missions.model import (
    EFFORT_DISTANCES_M,
    BestEffortGoal,
    BestOfGoal,
    ChaseGoal,
    DistanceGoal,
    FinishWithinGoal,
    Goal,
    Level,
    Mission,
    MovingTimeGoal,
    NegativeSplitGoal,
    OutAndBackGoal,
    PaceGoal,
    RouteKmGoal,
    RunsGoal,
    StreakGoal,
    TimeOfDayGoal,
)
from heroicrun.values import frozen

WINDOW = timedelta(weeks=8)  # the runs a runner's habits are read from
MIN_RUNS = 3  # fewer than this, and the runner is taken as new
DAYS_PER_WEEK = 7

# What each level asks of a runner, in one line (missions/README.md's levels, in brief).
LEVELS: dict[Level, str] = {
    "first steps": "new to running: runs of 1–5 km, walking breaks welcome",
    "steady": "for runners who run most weeks: runs of 3–10 km, over weeks",
    "hard": "fast sessions, hills or a tight deadline: for runners who train",
    "epic": "a season or more, or an ultra distance against the clock",
}


@frozen
class Runner:
    """How a runner usually runs: a typical run's km, runs a week, and pace."""

    run_km: float
    runs_per_week: float
    pace_s_per_km: float


NEW_RUNNER = Runner(run_km=5.0, runs_per_week=3.0, pace_s_per_km=420.0)


@frozen
class Length:
    """What a mission takes of one runner: at least `runs` runs over `weeks` weeks, runs of
    up to `longest_km`, and whether its deadlines can be met at the runner's habits."""

    runs: int
    weeks: float
    longest_km: float  # the longest one run a goal asks for (a timed goal at the runner's pace)
    fits: bool  # False when a deadline asks for more than the runner's km a week or pace
    words: str  # "about 99 runs: 33 weeks at 3 runs a week"


def level_words(level: Level) -> str:
    """What a level means, in one line: "new to running: runs of 1–5 km, …"."""
    return LEVELS[level]


def typical(runs: Sequence[tuple[datetime, float, float | None]], now: datetime) -> Runner:
    """A runner's habits from their runs, each (start, km, moving seconds or None), over the
    8 weeks before `now`: the median run and pace, and runs a week since the first of them.
    A runner with fewer than 3 runs there is taken as new (NEW_RUNNER)."""
    recent = [(start, km, moving) for start, km, moving in runs if km > 0 and start <= now]
    recent = [run for run in recent if now - run[0] <= WINDOW]
    if len(recent) < MIN_RUNS:
        return NEW_RUNNER
    first = min(start for start, _, _ in recent)
    weeks = max(1.0, (now - first).total_seconds() / timedelta(weeks=1).total_seconds())
    paces = [moving / km for _, km, moving in recent if moving]
    return Runner(
        run_km=_median([km for _, km, _ in recent]),
        runs_per_week=len(recent) / weeks,
        pace_s_per_km=_median(paces) if paces else NEW_RUNNER.pace_s_per_km,
    )


def length(mission: Mission, runner: Runner = NEW_RUNNER) -> Length:
    """How long `mission` takes `runner`, in runs and weeks (see the module's counts)."""
    week = runner.runs_per_week
    runs = 0
    weeks = 0.0
    longest = 0.0
    route_km = 0.0
    for beat in mission.beats:
        goal = beat.goal
        if isinstance(goal, RouteKmGoal):
            route_km = max(route_km, goal.km)
        elif isinstance(goal, RunsGoal):
            more = max(0, goal.count - runs)
            runs += more
            weeks += more / week
            longest = max(longest, goal.km)
        elif isinstance(goal, StreakGoal):
            runs += goal.days
            weeks += goal.days / DAYS_PER_WEEK
            longest = max(longest, goal.km)
        else:
            longest = max(longest, _run_km(goal, runner))
            if mission.route is None:
                runs += 1
                weeks += 1 / week
    if route_km:
        route_runs = math.ceil(route_km / runner.run_km - 1e-9)
        runs = max(runs, route_runs)
        weeks = max(weeks, route_runs / week)
    asks = _deadline_words(mission, runner)
    words = f"about {runs:,} run{'' if runs == 1 else 's'}: {_weeks_words(weeks)}"
    if runs > 1:
        words += f" at {week:.2g} run{'' if week == 1 else 's'} a week"
    return Length(runs, weeks, longest, not asks, words + "".join(f"; {ask}" for ask in asks))


def _run_km(goal: Goal, runner: Runner) -> float:
    """The km of the one run a goal asks for; timed goals at the runner's pace, and 0 where a
    goal says nothing of distance (a climb, a place)."""
    match goal:
        case BestOfGoal(goal=inner):
            return _run_km(inner, runner)
        case (
            DistanceGoal(km=km)
            | FinishWithinGoal(km=km)
            | PaceGoal(km=km)
            | NegativeSplitGoal(km=km)
            | TimeOfDayGoal(km=km)
        ):
            return km
        case MovingTimeGoal(minutes=minutes):
            return minutes * 60 / runner.pace_s_per_km
        case BestEffortGoal(distance=name):
            return EFFORT_DISTANCES_M[name] / 1000
        case ChaseGoal(at_minute=at_minute, metres=metres):
            return at_minute * 60 / runner.pace_s_per_km + metres / 1000
        case OutAndBackGoal(km=km):
            return 2 * km
    return 0.0


def _deadline_words(mission: Mission, runner: Runner) -> list[str]:
    """What the mission's deadlines ask that the runner's habits do not give, in words:
    "the deadline asks for 54 km a day", "the clock asks for 7:02 /km over 81 km"."""
    asks: list[str] = []
    week_km = runner.run_km * runner.runs_per_week
    daily = [
        (beat.goal.km / beat.goal.within_days, beat.goal.within_days)
        for beat in mission.beats
        if isinstance(beat.goal, RouteKmGoal) and beat.goal.within_days
    ]
    if daily:
        day_km, days = max(daily)
        if day_km * DAYS_PER_WEEK > week_km:
            per = f"{_km(day_km)} a day" if days < 14 else f"{_km(day_km * 7)} a week"
            asks.append(f"the deadline asks for {per}")
    hours = [
        (beat.goal.within_running_hours * 3600 / beat.goal.km, beat.goal.km)
        for beat in mission.beats
        if isinstance(beat.goal, RouteKmGoal) and beat.goal.within_running_hours and beat.goal.km
    ]
    if hours:
        pace, km = min(hours)
        if pace < runner.pace_s_per_km:
            asks.append(f"the clock asks for {units.pace(pace)} over {km:g} km")
    return asks


def _km(km: float) -> str:
    """ "7.7 km", "54 km": a tenth where it matters."""
    return f"{km:.1f} km" if km < 10 else f"{km:,.0f} km"


def _weeks_words(weeks: float) -> str:
    """ "a few days", "6 weeks", "9 months", "51 years"."""
    if weeks < 1:
        return "under a week"
    if weeks < 52:
        whole = round(weeks)
        return f"{whole} week{'' if whole == 1 else 's'}"
    if weeks < 104:
        return f"{round(weeks / 4.35)} months"
    return f"{round(weeks / 52.18):,} years"


def _median(values: list[float]) -> float:
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2
