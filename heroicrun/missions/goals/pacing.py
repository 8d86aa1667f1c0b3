"""Goals on how the speed changed through a run: negative splits, surges and scripted chases.

They read the run's course (GPS glitches dropped), and never count a vehicle stretch.
"""

from __future__ import annotations

import numpy as np

from heroicrun import units
from heroicrun.measuring import course as course_module
from heroicrun.measuring import moving
from heroicrun.measuring.course import BoolArray, Course
from heroicrun.missions.checks import GoalCheck
from heroicrun.missions.goals import outcome, words
from heroicrun.missions.model import ChaseGoal, NegativeSplitGoal, SurgesGoal
from heroicrun.missions.runs import CountedRun
from heroicrun.track import FloatArray

# A surge must speed up from a run, not from a standstill or a stroll: 1.5 m/s is 11:07 /km,
# a brisk walk at most, so standing still and then walking off is no surge ...
MIN_SURGE_BASELINE_M_S = 1.5
# ... and the runner must have been moving through (nearly) all of the baseline: setting off
# again after a traffic light is no surge, a GPS fix that reads slow for a second or two is.
MIN_BASELINE_MOVING_SHARE = 0.9


def negative_split(goal: NegativeSplitGoal, run: CountedRun) -> GoalCheck:
    """Met when a run of at least the km ran its second half (by distance) in less moving time.

    Moving time, not elapsed: a wait at a crossing says nothing about the legs. The half-way
    point is interpolated at half the counted distance; vehicle stretches add neither distance
    nor time to either half.
    """
    course = run.course
    if course.time_s is None:
        return outcome.untimed()
    ridden = run.ridden_steps()
    counted_m = _running_total(np.where(ridden, 0.0, course.step_m))
    moving_steps = moving.moving_steps(course, course.time_s) & ~ridden
    moving_s = moving.cumulative_moving_s(course.time_s, moving_steps)
    done_m = run.measures.counted_distance_m
    far_enough = done_m >= goal.km * 1000
    if counted_m[-1] <= 0 or moving_s[-1] <= 0:
        return GoalCheck(False, "no running to split in halves", 0.0)
    half = course_module.locate(counted_m, np.array([counted_m[-1] / 2]), "first")
    first_s = float(half.of(moving_s)[0])
    second_s = float(moving_s[-1]) - first_s
    if first_s <= 0:
        return GoalCheck(False, "no moving time in the first half", 0.0)
    faster = (first_s - second_s) / first_s
    if faster > 0:
        detail = f"second half {words.percent(faster)} faster"
    elif faster < 0:
        detail = f"second half {words.percent(-faster)} slower, needed faster"
    else:
        detail = "second half as fast as the first, needed faster"
    if not far_enough:
        shown = words.honest(done_m / 1000, goal.km, False, True, words.number, 1)
        detail += f"; {shown} of {words.target_km(goal.km)} km"
    return outcome.verdict(
        far_enough and faster > 0,
        detail,
        outcome.share(done_m, goal.km * 1000),
        outcome.share(first_s, second_s),
    )


def surges(goal: SurgesGoal, run: CountedRun) -> GoalCheck:
    """Met when the run holds at least `count` surges (see count_surges): "2 of 3 surges"."""
    course = run.course
    if course.time_s is None:
        return outcome.untimed()
    found = count_surges(
        course, course.time_s, run.ridden_steps(), goal.boost, goal.baseline, goal.hold
    )
    met = found >= goal.count
    noun = "surge" if goal.count == 1 else "surges"
    detail = f"{found} of {goal.count} {noun}"
    return outcome.verdict(met, detail, outcome.share(found, goal.count))


def count_surges(
    course: Course,
    time_s: FloatArray,
    ridden: BoolArray,
    boost: float,
    baseline_s: float,
    hold_s: float,
) -> int:
    """Return how many surges a run holds, taken greedily in time order without overlapping.

    A surge starts at a point's time t when the average speed over [t, t + hold] is at least
    (1 + boost) times that over [t - baseline, t], itself at least 1.5 m/s with the runner
    moving for 90 % of it. The clock stops while the watch is paused, and no window may touch a
    vehicle stretch. After a surge the next may start only once it has ended (at t + hold).
    """
    if len(course) < 2:
        return 0
    # The runner's clock: time between segments (the watch paused) does not tick.
    step_s = np.where(course.joined, np.diff(time_s), 0.0)
    clock_s = _running_total(step_s)
    moving_s = _running_total(np.where(moving.moving_steps(course, time_s), step_s, 0.0))
    starts = clock_s[(clock_s >= baseline_s) & (clock_s + hold_s <= clock_s[-1])]
    if not starts.size:
        return 0
    before_m = np.interp(starts - baseline_s, clock_s, course.distance_m)
    at_m = np.interp(starts, clock_s, course.distance_m)
    after_m = np.interp(starts + hold_s, clock_s, course.distance_m)
    baseline_speed = (at_m - before_m) / baseline_s
    hold_speed = (after_m - at_m) / hold_s
    moved_s = np.interp(starts, clock_s, moving_s) - np.interp(
        starts - baseline_s, clock_s, moving_s
    )
    surging = (baseline_speed >= MIN_SURGE_BASELINE_M_S) & (
        moved_s >= MIN_BASELINE_MOVING_SHARE * baseline_s
    )
    surging &= hold_speed >= (1 + boost) * baseline_speed
    # Steps first_step .. last_step - 1 make up the window [t - baseline, t + hold].
    rides_before = np.concatenate(([0], np.cumsum(ridden)))
    first_step = np.searchsorted(clock_s, starts - baseline_s, side="right") - 1
    last_step = np.searchsorted(clock_s, starts + hold_s, side="left")
    surging &= rides_before[last_step] == rides_before[first_step]
    times = starts[surging]
    found = 0
    at = 0
    # One pass per surge found, not per point: each jumps straight past the surge's end.
    while at < times.size:
        found += 1
        at = int(np.searchsorted(times, times[at] + hold_s, side="left"))
    return found


def chase(goal: ChaseGoal, run: CountedRun) -> GoalCheck:
    """Met when, from minute `at_minute` of the run, the runner covers `metres` within `within`.

    Distance and time are interpolated between points. Having covered the metres, the runner may
    stop the watch before the window closes; a run that ends before covering them misses. A
    vehicle stretch anywhere in the window [at, at + within] means a miss.
    """
    course = run.course
    time_s = course.time_s
    if time_s is None:
        return outcome.untimed()
    minute = words.figure(goal.at_minute)
    start_s = goal.at_minute * 60.0
    end_s = float(time_s[-1])
    if len(course) < 2 or end_s < start_s:
        return GoalCheck(False, f"the run ended before minute {minute}", 0.0)
    needed_m = f"{words.figure(goal.metres)} m"
    within = units.clock(goal.within)
    closes_s = min(start_s + goal.within, end_s)
    rides_before = np.concatenate(([0], np.cumsum(run.ridden_steps())))
    first_step = max(int(np.searchsorted(time_s, start_s, side="right")) - 1, 0)
    last_step = int(np.searchsorted(time_s, closes_s, side="left"))
    if rides_before[last_step] > rides_before[first_step]:
        detail = f"at minute {minute}: a vehicle stretch, which does not count"
        return GoalCheck(False, detail, 0.0)
    from_m = float(np.interp(start_s, time_s, course.distance_m))
    target_m = from_m + goal.metres
    if target_m <= course.total_m:
        reached = course_module.locate(course.distance_m, np.array([target_m]), "first")
        taken_s = float(reached.of(time_s)[0]) - start_s
        met = taken_s <= goal.within
        shown = words.honest(taken_s, goal.within, met, False, units.clock)
        detail = f"at minute {minute}: {needed_m} in {shown}, needed {within}"
        return outcome.verdict(met, detail, outcome.share(goal.within, taken_s))
    covered_m = float(np.interp(closes_s, time_s, course.distance_m)) - from_m
    shown = words.honest(covered_m, goal.metres, False, True, words.number)
    if end_s < start_s + goal.within:
        ended = f"{shown} m before the run ended"
        detail = f"at minute {minute}: {ended}, needed {needed_m} in {within}"
    else:
        detail = f"at minute {minute}: {shown} m in {within}, needed {needed_m}"
    return outcome.verdict(False, detail, outcome.share(covered_m, goal.metres))


def _running_total(steps: FloatArray) -> FloatArray:
    """Return the running total of n - 1 steps at each of n points, 0 at the first."""
    total: FloatArray = np.concatenate(([0.0], np.cumsum(steps)))
    return total
