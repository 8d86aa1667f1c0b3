"""When the runner was moving, and how fast they went at best."""

from __future__ import annotations

import numpy as np

from heroicrun.measuring import course as course_module
from heroicrun.measuring.course import BoolArray, Course
from heroicrun.track import FloatArray

# Strava's threshold: slower than 30 min/mile (1609.344 m / 1800 s) is standing, not moving.
MOVING_SPEED_M_S = 0.894
# A top speed must be held this long: one jittery 1 s step is not a sprint.
MAX_SPEED_WINDOW_S = 5.0


def moving_steps(course: Course, time_s: FloatArray) -> BoolArray:
    """Return which steps (n - 1) were moving: same segment and faster than 0.894 m/s.

    Some apps repeat the last position between fixes (a point every 2 s, a new position every
    12 s). A run of repeated positions and the move that ends it are judged as one stretch, from
    where the position was first seen to the next new one, so the repeats count like one fix.
    A step fast enough on its own is moving too: a runner setting off after a real stop.
    """
    step_s = np.diff(time_s)
    moving = course.joined & (course.step_m > MOVING_SPEED_M_S * step_s)
    # Each stretch ends at a move or at a pause; the zero steps before it belong to it.
    ends = np.flatnonzero((course.step_m > 0) | ~course.joined)
    if not ends.size:
        return moving
    starts = np.concatenate(([0], ends[:-1] + 1))
    stretch_s = time_s[ends + 1] - time_s[starts]
    fast = course.joined[ends] & (course.step_m[ends] > MOVING_SPEED_M_S * stretch_s)
    # Repeats after the last move never reached a new position: left as judged on their own.
    stretched = np.zeros_like(moving)
    stretched[: ends[-1] + 1] = np.repeat(fast, ends - starts + 1)
    return moving | stretched


def cumulative_moving_s(time_s: FloatArray, moving: BoolArray) -> FloatArray:
    """Return the moving time up to each point (n), in seconds."""
    step_s = np.where(moving, np.diff(time_s), 0.0)
    return np.concatenate(([0.0], np.cumsum(step_s)))


def max_speed_m_s(course: Course, time_s: FloatArray, excluded: BoolArray) -> float | None:
    """Return the best speed over any stretch of at least 5 s without excluded steps, in m/s.

    Excluded steps are vehicle stretches: a car's speed is not the runner's.
    """
    count = len(course)
    if count < 2:
        return None
    # An app that repeats its last fix between new ones (a point every 2 s, a position every
    # 12 s) moves in jumps, and a jump timed from the last repeat looks twice as fast as the
    # walk: each position is timed from when it was first reported.
    first = np.flatnonzero(np.concatenate(([True], np.diff(course.distance_m) > 0)))
    if first.shape[0] < 2:
        first = np.array([0, count - 1])
    times = time_s[first]
    end = course_module.search_sorted(times, times + MAX_SPEED_WINDOW_S, "left")
    start = np.flatnonzero(end < first.shape[0])
    end = end[start]
    if not start.size:
        # The whole run lasted under 5 s: the whole run is the only stretch there is.
        start, end = np.array([0]), np.array([first.shape[0] - 1])
    start, end = first[start], first[end]
    excluded_before = np.concatenate(([0], np.cumsum(excluded)))
    clean = excluded_before[end] == excluded_before[start]
    start, end = start[clean], end[clean]
    if not start.size:
        return None
    distance = course.distance_m[end] - course.distance_m[start]
    return float((distance / (time_s[end] - time_s[start])).max())
