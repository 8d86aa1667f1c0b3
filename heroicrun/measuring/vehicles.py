"""Stretches ridden in a car or on a bike: sustained speeds no runner holds."""

from __future__ import annotations

import math

import numpy as np

from heroicrun.measuring import results
from heroicrun.measuring.course import BoolArray, Course
from heroicrun.track import FloatArray
from heroicrun.values import frozen

# The 400 m world record averages 9.3 m/s for 43 s and the 800 m one 7.9 m/s; only a world-class
# 600 m (8.2 m/s for 73 s) comes near holding 8 m/s for a minute. A car in town does 8-14 m/s.
VEHICLE_SPEED_M_S = 8.0
# Speed is judged over 30 s windows, long enough to average out GPS jitter and a burst.
WINDOW_S = 30.0
# Below this a stretch at vehicle speed could be a sprint (or a short glitch), not a ride ...
MIN_DURATION_S = 60.0
# ... unless some 30 s of it beat this: the 300 m world best averages 9.7 m/s, so 300 m in
# 30 s is out of human reach, even for a short hop in a car.
CERTAIN_SPEED_M_S = 10.0
# Fast windows closer than this belong to one ride: a car stops at lights and junctions. Rides
# closer than this are one ride too, so that a track hopping to and fro makes one flag, not
# thousands.
MERGE_GAP_S = 60.0
# A step faster than any human (the spike threshold; spikes that return to the track are gone by
# now) was not run, however long the step: a car, a train, or the receiver jumping after a gap.
# Two or more in a row are a ride however short: a window of 30 s may not even fit.
HUMAN_LIMIT_M_S = 12.5
# A lone fast step must beat that speed by more than two fixes' worth of GPS error: a 1 s step
# that reads 20 m is jitter on a sprint, a 3 s step that reads 19,000 km is no runner's.
LONE_STEP_ERROR_M = 10.0
# Faster than an airliner's ground speed is faster than anything the runner could have been in:
# the receiver jumped, and the flag says so rather than blame a vehicle.
FASTEST_VEHICLE_M_S = 350.0
# A window reads fast up to 20 s before the car moves off (and after it stops), so a ride is
# trimmed to its steps above this speed: a car pulling away or in, and faster than the runner
# who got in or out of it.
EDGE_SPEED_M_S = 6.0


@frozen
class Stretch:
    """A ride between kept points first and last (the steps first .. last - 1)."""

    first: int
    last: int


def find(course: Course, time_s: FloatArray) -> list[Stretch]:
    """Return the stretches held above vehicle speed for a minute, or beyond any human's."""
    if len(course) < 2:
        return []
    return _merge(_sustained(course, time_s) + _impossible(course, time_s), time_s)


def _impossible(course: Course, time_s: FloatArray) -> list[Stretch]:
    """Runs of steps faster than a human can move: two or more in a row, or one far too long."""
    step_s = np.diff(time_s)
    too_fast = course.joined & (course.step_m > HUMAN_LIMIT_M_S * step_s)
    edges = np.diff(np.concatenate(([0], too_fast.astype(np.int8), [0])))
    starts, ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
    lone = ends - starts == 1
    beyond_error = course.step_m[starts] > HUMAN_LIMIT_M_S * step_s[starts] + LONE_STEP_ERROR_M
    real = ~lone | beyond_error
    return [Stretch(int(a), int(b)) for a, b in zip(starts[real], ends[real], strict=True)]


def _merge(stretches: list[Stretch], time_s: FloatArray) -> list[Stretch]:
    """Stretches in order, those overlapping or less than a minute apart joined."""
    merged: list[Stretch] = []
    for stretch in sorted(stretches, key=lambda s: s.first):
        if merged and time_s[stretch.first] - time_s[merged[-1].last] <= MERGE_GAP_S:
            merged[-1] = Stretch(merged[-1].first, max(merged[-1].last, stretch.last))
        else:
            merged.append(stretch)
    return merged


def _sustained(course: Course, time_s: FloatArray) -> list[Stretch]:
    """Stretches whose 30 s windows beat vehicle speed for a minute, or beat any human at all."""
    window_end = time_s + WINDOW_S
    has_window = window_end <= time_s[-1]
    starts = time_s[has_window]
    reached = np.interp(window_end[has_window], time_s, course.distance_m)
    speed = (reached - course.distance_m[has_window]) / WINDOW_S
    is_fast = speed > VEHICLE_SPEED_M_S
    fast_starts = starts[is_fast]
    if not fast_starts.size:
        return []
    fast_speeds = speed[is_fast]
    # Fast windows [start, start + 30 s] that overlap or nearly touch form one ride.
    breaks = np.flatnonzero(np.diff(fast_starts) > WINDOW_S + MERGE_GAP_S)
    firsts = np.concatenate(([0], breaks + 1))
    lasts = np.concatenate((breaks, [fast_starts.size - 1]))
    top_speeds = np.maximum.reduceat(fast_speeds, firsts)
    step_fast = course.step_m > EDGE_SPEED_M_S * np.diff(time_s)
    stretches: list[Stretch] = []
    for ride_first, ride_last, top_speed in zip(firsts, lasts, top_speeds, strict=True):
        first = int(np.searchsorted(time_s, fast_starts[ride_first], side="left"))
        last = int(np.searchsorted(time_s, fast_starts[ride_last] + WINDOW_S, side="right")) - 1
        fast = np.flatnonzero(step_fast[first:last])
        if not fast.size:
            continue
        first, last = first + int(fast[0]), first + int(fast[-1]) + 1
        if time_s[last] - time_s[first] >= MIN_DURATION_S or top_speed > CERTAIN_SPEED_M_S:
            stretches.append(Stretch(first, last))
    return stretches


def step_mask(course: Course, stretches: list[Stretch]) -> BoolArray:
    """Return which steps (n - 1) were ridden."""
    ridden = np.zeros(max(len(course) - 1, 0), dtype=bool)
    for stretch in stretches:
        ridden[stretch.first : stretch.last] = True
    return ridden


def flag(course: Course, time_s: FloatArray, stretch: Stretch) -> results.Flag:
    """Return the flag that tells the runner about a ride."""
    distance_m = float(course.distance_m[stretch.last] - course.distance_m[stretch.first])
    duration_s = float(time_s[stretch.last] - time_s[stretch.first])
    speed_m_s = distance_m / duration_s if duration_s > 0 else math.inf
    moved = "jumped" if stretch.last - stretch.first == 1 else "covered"
    why = (
        "a vehicle's speed"
        if speed_m_s <= FASTEST_VEHICLE_M_S
        else "faster than any vehicle (the GPS was wrong)"
    )
    speed = "" if math.isinf(speed_m_s) else f" at {speed_m_s * 3.6:,.0f} km/h"
    detail = (
        f"{moved} {results.distance_words(distance_m)} in {results.duration_words(duration_s)}"
        f"{speed}, {why}, so this stretch does not count"
    )
    return results.Flag(
        kind="vehicle",
        detail=detail,
        start_offset_s=float(time_s[stretch.first] - time_s[0]),
        end_offset_s=float(time_s[stretch.last] - time_s[0]),
        start_distance_m=float(course.distance_m[stretch.first]),
        end_distance_m=float(course.distance_m[stretch.last]),
        lat_deg=float(course.lat_deg[stretch.first]),
        lon_deg=float(course.lon_deg[stretch.first]),
        points=stretch.last - stretch.first + 1,
    )
