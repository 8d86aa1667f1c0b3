"""Goals on a run's totals: distance, moving time, finish, pace, best effort, climb, time of day.

Each reads the run's Measures, whose `counted_*` values already leave out vehicle stretches.
"""

from __future__ import annotations

import math

from heroicrun import units
from heroicrun.measuring import results
from heroicrun.missions.checks import GoalCheck
from heroicrun.missions.goals import outcome, words
from heroicrun.missions.model import (
    EFFORT_DISTANCES_M,
    BestEffortGoal,
    ClimbGoal,
    DistanceGoal,
    FinishWithinGoal,
    MovingTimeGoal,
    PaceGoal,
    TimeOfDayGoal,
)
from heroicrun.missions.runs import CountedRun

DAY_MIN = 24 * 60


def distance(goal: DistanceGoal, run: CountedRun) -> GoalCheck:
    """Met when the counted distance is at least the goal's km: "4.1 of 5.0 km"."""
    done_m = run.measures.counted_distance_m
    met = done_m >= goal.km * 1000
    return outcome.verdict(met, _km_of(run, goal.km, met), outcome.share(done_m, goal.km * 1000))


def moving_time(goal: MovingTimeGoal, run: CountedRun) -> GoalCheck:
    """Met when the counted moving time reaches the minutes: "38 of 45 minutes moving"."""
    moving_s = run.measures.counted_moving_s
    if moving_s is None:
        return outcome.untimed()
    met = moving_s >= goal.minutes * 60
    shown = words.honest(moving_s / 60, goal.minutes, met, True, words.number)
    detail = f"{shown} of {words.figure(goal.minutes)} minutes moving"
    return outcome.verdict(met, detail, outcome.share(moving_s, goal.minutes * 60))


def finish_within(goal: FinishWithinGoal, run: CountedRun) -> GoalCheck:
    """Met when the run covers the km and lasts (stops included) no longer than `within`."""
    elapsed_s = run.measures.elapsed_s
    if elapsed_s is None:
        return outcome.untimed()
    done_m = run.measures.counted_distance_m
    far_enough = done_m >= goal.km * 1000
    in_time = elapsed_s <= goal.within
    shown_km = words.honest(done_m / 1000, goal.km, far_enough, True, words.number, 1)
    shown_time = words.honest(elapsed_s, goal.within, in_time, False, units.clock)
    detail = (
        f"{shown_km} km in {shown_time},"
        f" needed {words.target_km(goal.km)} km within {units.clock(goal.within)}"
        f"{_ridden_note(run)}"
    )
    return outcome.verdict(
        far_enough and in_time,
        detail,
        outcome.share(done_m, goal.km * 1000),
        outcome.share(goal.within, elapsed_s),
    )


def pace(goal: PaceGoal, run: CountedRun) -> GoalCheck:
    """Met when a run of at least the km averages the pace or faster, in counted moving time."""
    measures = run.measures
    if measures.counted_moving_s is None:
        return outcome.untimed()
    if measures.pace_s_per_km is None:
        return GoalCheck(False, f"no moving time, needed {units.clock(goal.pace)} /km", 0.0)
    done_m = measures.counted_distance_m
    far_enough = done_m >= goal.km * 1000
    fast_enough = measures.pace_s_per_km <= goal.pace
    shown_pace = words.honest(measures.pace_s_per_km, goal.pace, fast_enough, False, units.clock)
    shown_km = words.honest(done_m / 1000, goal.km, far_enough, True, words.number, 1)
    needed = f"needed {units.clock(goal.pace)}"
    if not far_enough:
        needed += f" over {words.target_km(goal.km)} km"
    detail = f"pace {shown_pace} /km over {shown_km} km, {needed}{_ridden_note(run)}"
    return outcome.verdict(
        far_enough and fast_enough,
        detail,
        outcome.share(done_m, goal.km * 1000),
        outcome.share(goal.pace, measures.pace_s_per_km),
    )


def best_effort(goal: BestEffortGoal, run: CountedRun) -> GoalCheck:
    """Met when the run's best effort over the distance took no longer than `within`."""
    if run.measures.elapsed_s is None:
        return outcome.untimed()
    effort = next((e for e in run.measures.best_efforts if e.name == goal.distance), None)
    if effort is None:
        length_m = EFFORT_DISTANCES_M[goal.distance]
        done = words.km(run.measures.counted_distance_m)
        detail = f"no {goal.distance} in {done} km, needed {units.clock(goal.within)}"
        done_share = outcome.share(run.measures.counted_distance_m, length_m)
        return outcome.verdict(False, detail, done_share)
    met = effort.elapsed_s <= goal.within
    shown = words.honest(effort.elapsed_s, goal.within, met, False, units.clock)
    detail = f"best {goal.distance} {shown}, needed {units.clock(goal.within)}"
    return outcome.verdict(met, detail, outcome.share(goal.within, effort.elapsed_s))


def climb(goal: ClimbGoal, run: CountedRun) -> GoalCheck:
    """Met when the smoothed elevation gain reaches the metres: "climbed 212 of 300 m"."""
    gain_m = run.measures.elevation_gain_m
    if gain_m is None:
        return GoalCheck(False, "no elevation in this file", 0.0)
    met = gain_m >= goal.metres
    shown = words.honest(gain_m, goal.metres, met, True, words.number)
    detail = f"climbed {shown} of {words.figure(goal.metres)} m"
    return outcome.verdict(met, detail, outcome.share(gain_m, goal.metres))


def time_of_day(goal: TimeOfDayGoal, run: CountedRun) -> GoalCheck:
    """Met when a run of at least the km starts and finishes inside the window, local solar time.

    Local solar time is UTC plus longitude / 15 hours at the run's first point. The whole run must
    lie in one occurrence of the window (which may pass midnight), so it lasts under 24 hours.
    A run without GPS has no longitude, so no local time: it meets no such goal.
    """
    start = run.measures.start_time
    elapsed_s = run.measures.elapsed_s
    if start is None or elapsed_s is None:
        return outcome.untimed()
    longitude = float(run.course.lon_deg[0])
    if not math.isfinite(longitude):
        return outcome.without_gps("no position tells the local time it was run at")
    start_min = ((start.timestamp() + longitude * 240.0) % 86400.0) / 60.0
    elapsed_min = elapsed_s / 60.0
    window_min = (goal.finish_before - goal.start_after) % DAY_MIN or DAY_MIN
    into_window_min = (start_min - goal.start_after) % DAY_MIN
    in_window = into_window_min + elapsed_min <= window_min and elapsed_s < 86400.0
    done_m = run.measures.counted_distance_m
    far_enough = done_m >= goal.km * 1000
    # Whole minutes rounded outwards: a start at 20:59:50 must not read "21:00".
    started = words.clock_of_day(math.floor(start_min + 1e-6))
    finished = words.clock_of_day(math.ceil(start_min + elapsed_min - 1e-6))
    window = f"{words.clock_of_day(goal.start_after)}–{words.clock_of_day(goal.finish_before)}"
    detail = f"started {started}, finished {finished} (local solar time), needed {window}"
    if elapsed_s >= 86400.0:
        detail += "; the run lasted over 24 hours"
    if not far_enough:
        detail += f"; {_km_of(run, goal.km, far_enough)}"
    inside_min = _overlap_min(into_window_min, elapsed_min, window_min)
    in_share = inside_min / elapsed_min if elapsed_min > 0 else float(in_window)
    return outcome.verdict(
        far_enough and in_window, detail, outcome.share(done_m, goal.km * 1000), in_share
    )


def _overlap_min(into_window_min: float, elapsed_min: float, window_min: float) -> float:
    """Return the minutes of a run inside the daily window, starting into_window_min in."""
    ends_min = into_window_min + elapsed_min
    inside = 0.0
    opens = 0.0
    while opens < ends_min:
        inside += max(0.0, min(ends_min, opens + window_min) - max(into_window_min, opens))
        opens += DAY_MIN
    return inside


def _km_of(run: CountedRun, target_km: float, met: bool) -> str:
    """Return "4.1 of 5.0 km" for the counted distance against a target in km."""
    done_km = run.measures.counted_distance_m / 1000
    shown = words.honest(done_km, target_km, met, True, words.number, 1)
    return f"{shown} of {words.target_km(target_km)} km{_ridden_note(run)}"


def _ridden_note(run: CountedRun) -> str:
    """Return " (12.0 km by vehicle not counted)", or nothing when there was no ride."""
    ridden_m = run.measures.vehicle_distance_m
    if ridden_m <= 0:
        return ""
    return f" ({results.distance_words(ridden_m)} by vehicle not counted)"
