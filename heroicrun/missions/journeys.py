"""Goals across runs (journeys): km along a route, a number of runs, days in a row; with their
deadlines in days or in hours of running.

The runs given are the counted ones, in start-time order. `route_km` sums their counted km.
`runs` and `streak` are step-by-step plans, which count at most one run a day (UTC calendar
days, by each run's start): `runs` counts the days with a run of at least `km`, `streak` the
longest stretch of consecutive such days. Five files of one morning are one step of a plan.
"""

from __future__ import annotations

import math
from datetime import date, datetime, timedelta
from typing import Literal

from heroicrun.missions.model import Route, RouteKmGoal, RunsGoal, StreakGoal
from heroicrun.missions.runs import CountedRun
from heroicrun.values import frozen

JourneyGoal = RouteKmGoal | RunsGoal | StreakGoal


@frozen
class Outcome:
    """A beat's goal against the runs: its status, in words, and the run that met it."""

    status: Literal["unlocked", "next", "failed"]
    detail: str
    by: int | None = None  # index of the unlocking run


def judge(
    goal: JourneyGoal,
    runs: list[CountedRun],
    after: int | None,
    enrolled_at: datetime,
    clock: datetime,
    route: Route | None,
) -> Outcome:
    """A goal across runs: amounts summed from enrolment, deadlines checked at each run's end;
    met no earlier than `after` (the run that unlocked the previous beat)."""
    amounts = _amounts(goal, runs)
    target = goal.km if isinstance(goal, RouteKmGoal) else _count(goal)
    running_s = [0.0]
    for run in runs:
        running_s.append(running_s[-1] + (run.elapsed_s or 0.0))
    held = next((index for index, amount in enumerate(amounts) if amount >= target), None)
    if target <= 0:  # km 0 of the route: there at enrolment, or with the previous beat
        return Outcome("unlocked", _amount_words(goal, 0.0, route), after)

    due = None if goal.within_days is None else later(enrolled_at, days=goal.within_days)
    limit_s = None if goal.within_running_hours is None else goal.within_running_hours * 3600
    in_time = held is not None and (due is None or ended(runs[held]) <= due)
    in_hours = held is not None and (limit_s is None or running_s[held + 1] <= limit_s)
    if held is not None and in_time and in_hours:
        spare = _deadline_words(due, limit_s, ended(runs[held]), running_s[held + 1], "to spare")
        by = max(held, after or 0)
        return Outcome("unlocked", _amount_words(goal, amounts[held], route) + spare, by)

    shown = _streak_now(goal, runs, clock) if isinstance(goal, StreakGoal) else None
    words = _amount_words(goal, amounts[-1] if amounts else 0, route, shown)
    out_of_time = due is not None and (clock > due or (held is not None and not in_time))
    out_of_hours = limit_s is not None and running_s[-1] > limit_s
    if out_of_time or out_of_hours:
        assert goal.within_days is not None or goal.within_running_hours is not None
        lost = (
            f"the {goal.within_days:g} days ran out"
            if out_of_time and goal.within_days is not None
            else f"the {goal.within_running_hours:g} h of running ran out"
        )
        return Outcome("failed", f"{words}; {lost}")
    return Outcome("next", words + _deadline_words(due, limit_s, clock, running_s[-1], "left"))


def is_plan(goal: object) -> bool:
    """Whether a goal is a step-by-step plan, which counts one run a day."""
    return isinstance(goal, RunsGoal | StreakGoal)


def _count(goal: RunsGoal | StreakGoal) -> int:
    """How many runs, or days in a row, the goal asks for."""
    return goal.count if isinstance(goal, RunsGoal) else goal.days


def _amounts(goal: JourneyGoal, runs: list[CountedRun]) -> list[float]:
    """How much of the goal holds after each run: km so far, days with a run so far, longest
    streak."""
    amounts: list[float] = []
    if isinstance(goal, RouteKmGoal):
        total = 0.0
        for run in runs:
            total += run.counted_km
            amounts.append(total)
        return amounts
    done: set[date] = set()  # the days that reached goal.km
    streak = longest = 0
    last_day: date | None = None  # the last day that reached goal.km
    for run in runs:
        day = started(run).date()
        if day not in done and run.counted_km >= goal.km:
            done.add(day)
            if isinstance(goal, StreakGoal):
                follows = last_day is not None and day - last_day == timedelta(days=1)
                streak = streak + 1 if follows else 1
                last_day = day
                longest = max(longest, streak)
        amounts.append(len(done) if isinstance(goal, RunsGoal) else longest)
    return amounts


def _streak_now(goal: StreakGoal, runs: list[CountedRun], clock: datetime) -> int:
    """The streak still alive at the clock: ending today or yesterday (UTC), in days."""
    done = {started(run).date() for run in runs if run.counted_km >= goal.km}
    day = clock.date()
    if day not in done:  # today may still come: the streak lives on till midnight
        day -= timedelta(days=1)
    streak = 0
    while day in done:
        streak += 1
        day -= timedelta(days=1)
    return streak


def _amount_words(
    goal: JourneyGoal, amount: float, route: Route | None, shown: float | None = None
) -> str:
    """ "km 131.0 of 160.0 (Sangas pass)", "4 of 10 runs of 5 km or more", "streak 3 of 7 days"."""
    if isinstance(goal, RouteKmGoal):
        place = ""
        if route is not None:
            at = [
                waypoint.name for waypoint in route.waypoints if abs(waypoint.km - goal.km) < 0.05
            ]
            place = f" ({at[0]})" if at else ""
        return f"km {amount:.1f} of {goal.km:.1f}{place}"
    if isinstance(goal, RunsGoal):
        each = f" of {goal.km:g} km or more" if goal.km > 0 else ""
        return f"{amount:.0f} of {goal.count} runs{each}"
    return f"streak {amount if shown is None else shown:.0f} of {goal.days} days"


def _deadline_words(
    due: datetime | None, limit_s: float | None, at: datetime, running_s: float, tail: str
) -> str:
    """ ", 12 days left", ", 5 h of running to spare": what is left of each deadline at `at`."""
    words = []
    if due is not None:
        words.append(f"{_time_words((due - at).total_seconds())} {tail}")
    if limit_s is not None:
        words.append(f"{_time_words(limit_s - running_s)} of running {tail}")
    return "".join(f", {word}" for word in words)


def _time_words(seconds: float) -> str:
    """A time left as a runner reads it, rounded down: "12 days", "20 h", "40 min"."""
    seconds = max(seconds, 0.0)
    if seconds >= 2 * 86400:
        return f"{math.floor(seconds / 86400)} days"
    if seconds >= 2 * 3600:
        return f"{math.floor(seconds / 3600)} h"
    return f"{math.floor(seconds / 60)} min"


def started(run: CountedRun) -> datetime:
    """When a timed run started (UTC)."""
    assert run.start is not None
    return run.start


def ended(run: CountedRun) -> datetime:
    """When a timed run ended (UTC): its start and elapsed time."""
    return started(run) + timedelta(seconds=run.elapsed_s or 0.0)


def later(moment: datetime, days: float) -> datetime | None:
    """`days` after `moment`, or None past the calendar's end (40,075 km at 0.3 km a week)."""
    try:
        return moment + timedelta(days=days)
    except OverflowError:
        return None
