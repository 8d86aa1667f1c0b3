"""How far a runner has come in a mission: beats unlocked, where on the route, and when they'll
arrive. Progress is derived from the runs each time, never stored, so an edited story needs no
migration.

The rules:

- **What counts.** Runs starting at or after enrolment, and runs handed in after it whenever they
  were run (enrol, then upload this morning's run), in start-time order (ties keep the order
  given). Routes (no times) never count, nor do files whose declared sport is not on foot (a
  ride, a swim). Each run object counts once; the caller drops duplicate files. Distances are
  counted km: vehicle stretches are left out. A run without GPS counts its distance, but
  reaches no place.
- **Beats in order.** Beat i is considered only once beat i−1 has unlocked. A single-run goal may
  be met by the run that unlocked beat i−1 or any later run, so one long run can unlock several
  beats (two waypoints). A journey goal accumulates from enrolment (`route_km`: counted km summed;
  `runs`: runs of at least `km`; `streak`: the longest stretch of consecutive UTC calendar days,
  by each run's start, whose counted km add up to at least `km`) and unlocks with the first run,
  no earlier than the one that unlocked beat i−1, at which it holds. A beat at km 0 of the route
  unlocks on enrolment (or with beat i−1), no run needed.
- **Deadlines.** `within_days` counts from enrolment; `within_running_hours` counts the elapsed
  time (pauses included) of counted runs since enrolment. A run is judged whole, at its end: the
  run at which a journey goal first holds must end by the deadline in days, and the running time
  up to and including it must fit the hours. A goal that first holds after its deadline is not
  met. Once the deadline has passed (by the clock, or by the running time of the runs themselves)
  and the goal is unmet, the beat is "failed", later beats stay locked and the mission is lost.
- **Best of N.** The attempts are fresh runs: the first N runs *after* the run that unlocked the
  previous beat (for a first beat, the first N runs since enrolment). A run that already counted
  for the last beat was not run as an attempt. Met when any attempt meets the goal; after N
  misses the beat is "failed" and the mission is lost.
- **The clock** is `now`, or when `now` is None, the end of the last run given (enrolment if
  there is none), so the same runs always give the same answer.
- **Weekly distance** is the runner's, not the mission's: counted km of every run given (those
  before enrolment too) that started in the 28 days before the clock, divided by 4. The ETA
  assumes the runner keeps it up for the rest of the route.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Literal

from heroicrun.missions import goals, routes
from heroicrun.missions.checks import GoalCheck
from heroicrun.missions.model import (
    BestOfGoal,
    Ending,
    Goal,
    Mission,
    Route,
    RouteKmGoal,
    RunsGoal,
    SingleRunGoal,
    StreakGoal,
)
from heroicrun.missions.runs import CountedRun
from heroicrun.values import frozen

BeatStatus = Literal["unlocked", "next", "locked", "failed"]
MissionStatus = Literal["in_progress", "completed", "failed"]
JourneyGoal = RouteKmGoal | RunsGoal | StreakGoal

Checker = Callable[[SingleRunGoal, CountedRun], GoalCheck]
WEEKLY_WINDOW = timedelta(days=28)


@frozen
class BeatProgress:
    """One beat as it stands: its status, and how close in words ("km 131.0 of 160.0")."""

    beat: str  # the beat's id
    title: str
    status: BeatStatus
    met: bool
    detail: str  # empty for a locked beat
    unlocked_by: str | None  # the name of the run that unlocked it
    unlocked_at: datetime | None  # when that run ended (UTC); enrolment for a beat at km 0


@frozen
class RoutePosition:
    """Where the runner is on a journey's route: km by its marks, degrees on the map."""

    km: float
    lat: float
    lon: float
    last_place: str  # the last waypoint reached
    next_place: str | None  # None at the end of the route
    to_next_km: float
    share: float  # 0 at the start, 1 at the end


@frozen
class MissionProgress:
    """A mission as it stands for one runner; km are counted km, times UTC."""

    mission: str  # the mission's id
    status: MissionStatus
    beats: tuple[BeatProgress, ...]
    unlocked: tuple[str, ...]  # ids of the unlocked beats, in order
    progress_km: float | None  # journeys: counted km since enrolment, at most the route's length
    position: RoutePosition | None
    weekly_km: float | None  # the runner's km per week over the last 28 days
    eta: datetime | None  # when the route's end is reached at that weekly distance
    failure: Ending | None  # the failure ending, when the mission is lost


@frozen
class _Outcome:
    status: Literal["unlocked", "next", "failed"]
    detail: str
    by: int | None = None  # index of the unlocking run


def evaluate(
    mission: Mission,
    runs: Sequence[CountedRun],
    enrolled_at: datetime,
    now: datetime | None = None,
    base: Path | None = None,
    check: Checker = goals.check,
) -> MissionProgress:
    """The runner's progress in `mission` from their runs; `base` is the mission file's folder.

    `check` judges one run against a one-run goal; a store passes one that remembers verdicts.
    """
    timed = sorted((run for run in runs if _is_timed(run)), key=_started)
    # A ride or a swim is no run at all: no km, no attempt, no day of a streak.
    counted = [run for run in timed if run.counts_since(enrolled_at) and run.on_foot]
    clock = now if now is not None else max([enrolled_at, *(_ended(run) for run in timed)])

    beats: list[BeatProgress] = []
    status: MissionStatus = "completed"
    after: int | None = None  # the run that unlocked the previous beat
    for beat in mission.beats:
        if status != "completed":
            beats.append(BeatProgress(beat.id, beat.title, "locked", False, "", None, None))
            continue
        outcome = _judge(beat.goal, counted, after, enrolled_at, clock, mission.route, check)
        run = None if outcome.by is None else counted[outcome.by]
        met = outcome.status == "unlocked"
        beats.append(
            BeatProgress(
                beat=beat.id,
                title=beat.title,
                status=outcome.status,
                met=met,
                detail=outcome.detail,
                unlocked_by=None if run is None else run.name,
                unlocked_at=_ended(run) if run is not None else (enrolled_at if met else None),
            )
        )
        if met:
            after = outcome.by
        else:
            status = "failed" if outcome.status == "failed" else "in_progress"

    weekly_km = None
    if now is not None or timed:
        recent = [run for run in timed if clock - WEEKLY_WINDOW <= _started(run) <= clock]
        weekly_km = sum(run.counted_km for run in recent) / 4

    progress_km = position = eta = None
    if mission.route is not None:
        progress_km = min(sum(run.counted_km for run in counted), mission.route.length_km)
        position = _position(routes.build(mission.route, base), progress_km)
        left_km = mission.route.length_km - progress_km
        if status == "in_progress" and left_km > 0 and weekly_km:
            eta = _later(clock, days=7 * left_km / weekly_km)

    return MissionProgress(
        mission=mission.id,
        status=status,
        beats=tuple(beats),
        unlocked=tuple(beat.beat for beat in beats if beat.met),
        progress_km=progress_km,
        position=position,
        weekly_km=weekly_km,
        eta=eta,
        failure=mission.failure if status == "failed" else None,
    )


def _judge(
    goal: Goal,
    runs: list[CountedRun],
    after: int | None,
    enrolled_at: datetime,
    clock: datetime,
    route: Route | None,
    check: Checker,
) -> _Outcome:
    """The next beat's goal against the runs from `after` (the previous beat's run) on."""
    if isinstance(goal, BestOfGoal):
        return _best_of(goal, runs, 0 if after is None else after + 1, check)
    if isinstance(goal, RouteKmGoal | RunsGoal | StreakGoal):
        return _journey(goal, runs, after, enrolled_at, clock, route)
    first = after or 0
    checks = [check(goal, run) for run in runs[first:]]
    met = next((index for index, check in enumerate(checks) if check.met), None)
    if met is not None:
        return _Outcome("unlocked", checks[met].detail, first + met)
    if not checks:
        return _Outcome("next", "no run yet")
    return _Outcome("next", max(checks, key=lambda verdict: verdict.closeness).detail)


def _best_of(goal: BestOfGoal, runs: list[CountedRun], first: int, check: Checker) -> _Outcome:
    """Met by any of the first `attempts` runs from `first` on; failed when they all missed."""
    attempts = runs[first : first + goal.attempts]
    checks = [check(goal.goal, run) for run in attempts]
    for number, verdict in enumerate(checks, start=1):
        if verdict.met:
            words = f"{verdict.detail} (attempt {number} of {goal.attempts})"
            return _Outcome("unlocked", words, first + number - 1)
    if not checks:
        return _Outcome("next", f"{goal.attempts} attempts left")
    best = max(checks, key=lambda verdict: verdict.closeness)
    if len(checks) == goal.attempts:
        return _Outcome("failed", f"{best.detail} at best; all {goal.attempts} attempts missed")
    return _Outcome("next", f"{best.detail} at best; attempt {len(checks)} of {goal.attempts} used")


def _journey(
    goal: JourneyGoal,
    runs: list[CountedRun],
    after: int | None,
    enrolled_at: datetime,
    clock: datetime,
    route: Route | None,
) -> _Outcome:
    """A goal across runs: amounts summed from enrolment, deadlines checked at each run's end."""
    amounts = _amounts(goal, runs)
    target = goal.km if isinstance(goal, RouteKmGoal) else _count(goal)
    running_s = [0.0]
    for run in runs:
        running_s.append(running_s[-1] + (run.elapsed_s or 0.0))
    held = next((index for index, amount in enumerate(amounts) if amount >= target), None)
    if target <= 0:  # km 0 of the route: there at enrolment, or with the previous beat
        return _Outcome("unlocked", _amount_words(goal, 0.0, route), after)

    due = None if goal.within_days is None else _later(enrolled_at, days=goal.within_days)
    limit_s = None if goal.within_running_hours is None else goal.within_running_hours * 3600
    in_time = held is not None and (due is None or _ended(runs[held]) <= due)
    in_hours = held is not None and (limit_s is None or running_s[held + 1] <= limit_s)
    if held is not None and in_time and in_hours:
        spare = _deadline_words(due, limit_s, _ended(runs[held]), running_s[held + 1], "to spare")
        by = max(held, after or 0)
        return _Outcome("unlocked", _amount_words(goal, amounts[held], route) + spare, by)

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
        return _Outcome("failed", f"{words}; {lost}")
    return _Outcome("next", words + _deadline_words(due, limit_s, clock, running_s[-1], "left"))


def _count(goal: RunsGoal | StreakGoal) -> int:
    """How many runs, or days in a row, the goal asks for."""
    return goal.count if isinstance(goal, RunsGoal) else goal.days


def _amounts(goal: JourneyGoal, runs: list[CountedRun]) -> list[float]:
    """How much of the goal holds after each run: km so far, runs so far, longest streak."""
    amounts: list[float] = []
    if isinstance(goal, RouteKmGoal):
        total = 0.0
        for run in runs:
            total += run.counted_km
            amounts.append(total)
    elif isinstance(goal, RunsGoal):
        count = 0
        for run in runs:
            count += run.counted_km >= goal.km
            amounts.append(count)
    else:
        day_km: dict[date, float] = {}
        streak = longest = 0
        last_day: date | None = None  # the last day that reached goal.km
        for run in runs:
            day = _started(run).date()
            day_km[day] = day_km.get(day, 0.0) + run.counted_km
            if day != last_day and day_km[day] >= goal.km:
                follows = last_day is not None and day - last_day == timedelta(days=1)
                streak = streak + 1 if follows else 1
                last_day = day
                longest = max(longest, streak)
            amounts.append(longest)
    return amounts


def _streak_now(goal: StreakGoal, runs: list[CountedRun], clock: datetime) -> int:
    """The streak still alive at the clock: ending today or yesterday (UTC), in days."""
    day_km: dict[date, float] = {}
    for run in runs:
        day_km[_started(run).date()] = day_km.get(_started(run).date(), 0.0) + run.counted_km
    day = clock.date()
    if day_km.get(day, -1.0) < goal.km:  # today may still come: the streak lives on till midnight
        day -= timedelta(days=1)
    streak = 0
    while day in day_km and day_km[day] >= goal.km:
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


def _position(line: routes.RouteLine, km: float) -> RoutePosition:
    lat, lon = line.position_at(km)
    last, ahead, to_next_km = line.places_around(km)
    return RoutePosition(
        km=km,
        lat=lat,
        lon=lon,
        last_place=last.name,
        next_place=None if ahead is None else ahead.name,
        to_next_km=to_next_km,
        share=km / line.length_km,
    )


def _is_timed(run: CountedRun) -> bool:
    return run.start is not None


def _started(run: CountedRun) -> datetime:
    assert run.start is not None
    return run.start


def _ended(run: CountedRun) -> datetime:
    return _started(run) + timedelta(seconds=run.elapsed_s or 0.0)


def _later(moment: datetime, days: float) -> datetime | None:
    """`days` after `moment`, or None past the calendar's end (40,075 km at 0.3 km a week)."""
    try:
        return moment + timedelta(days=days)
    except OverflowError:
        return None
