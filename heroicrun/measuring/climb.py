"""Elevation gain and loss, with GPS elevation noise smoothed out."""

from __future__ import annotations

import numpy as np

from heroicrun.measuring import course as course_module
from heroicrun.measuring.course import BoolArray, Course
from heroicrun.track import FloatArray, IntArray

# GPS elevation jumps by metres from one fix to the next. Averaging over 80 m of road (about
# 27 points at 3 m/s and 1 Hz) divides that noise by about 5, yet shaves only 2 m off the top
# of a 10 % hill (a window of 80 m at 10 % spans 8 m, the peak loses a quarter of it).
SMOOTHING_WINDOW_M = 80.0
# A rise or a drop counts once the smoothed elevation has turned back by this much. What is
# left of 3 m noise after smoothing (about 0.6 m) rarely does, a real 5 m bump does, in full.
# A flat 10 km loop with 3 m of noise at 1 Hz reads about 4 m of gain, not the raw 5,600 m.
HYSTERESIS_M = 4.0
_ZIGZAG_PASSES = 12  # each pass drops at least a third of what is left of the wiggles


def smoothed(course: Course) -> FloatArray | None:
    """Return the smoothed elevation at every point (n), in metres; None without elevation.

    Each point gets the mean elevation of the points within 40 m of run distance either side,
    in its own segment. Points without elevation take it from their neighbours.
    """
    has = np.isfinite(course.elevation_m)
    if not has.any():
        return None
    place = _place(course)
    where = place[has]
    elevation = course.elevation_m[has]
    # Near the ends of a segment the window shrinks to stay centred: a one-sided window would
    # drag the first and last elevations towards the middle and lose climb.
    pauses = _pauses(course)[has]
    begins = np.concatenate(([True], pauses[1:] != pauses[:-1]))
    starts = np.flatnonzero(begins)
    ends = np.concatenate((starts[1:], [where.shape[0]])) - 1
    part = np.cumsum(begins) - 1  # which segment each point is in, counting from 0
    half = np.minimum(
        SMOOTHING_WINDOW_M / 2,
        np.minimum(where - where[starts][part], where[ends][part] - where),
    )
    # Centre the sums: elevation x 130,000 points would otherwise cost precision.
    offset = float(elevation.mean())
    sums = np.concatenate(([0.0], np.cumsum(elevation - offset)))
    # Both bounds grow with the point (the window shrinks only towards a segment's end).
    # A micrometre of slack: rounding in the running distance must not tip a point at the very
    # edge of the window out on one side only.
    low = course_module.search_sorted(where, where - (half + 1e-6), "left")
    high = course_module.search_sorted(where, where + (half + 1e-6), "right")
    mean: FloatArray = (sums[high] - sums[low]) / (high - low) + offset
    if has.all():
        return mean
    # Points at one place (standing still) share one window and one mean, so a repeated place
    # in where is harmless to the interpolation.
    filled: FloatArray = np.interp(place, where, mean)
    return filled


def gain_loss_m(course: Course, profile: FloatArray) -> tuple[float, float]:
    """Return (gain, loss) in metres along a smoothed profile, each rise counted past 4 m."""
    has = np.isfinite(course.elevation_m)
    values = profile[has]
    new_segment = np.concatenate(([True], course.segment[has][1:] != course.segment[has][:-1]))
    keep = np.flatnonzero(_turning_points(values, new_segment))
    keep = _without_small_zigzags(values, new_segment, keep)
    return _hysteresis(values[keep], new_segment[keep])


def _pauses(course: Course) -> FloatArray:
    """Return how many pauses (segment changes) come before each point."""
    return np.concatenate(([0.0], np.cumsum(~course.joined, dtype=np.float64)))


def _place(course: Course) -> FloatArray:
    """Return run distance made strictly separate between segments, so no window spans a pause."""
    return course.distance_m + _pauses(course) * (2 * SMOOTHING_WINDOW_M)


def _turning_points(values: FloatArray, new_segment: BoolArray) -> BoolArray:
    """Return which values can matter to the hysteresis: segment ends and local extremes."""
    keep = new_segment.copy()
    keep[-1] = True
    keep[np.flatnonzero(new_segment[1:])] = True  # the last point of each segment
    change = np.sign(np.diff(values))
    moved = np.flatnonzero(change)  # steps that go up or down; flat ones carry no turn
    if moved.size > 1:
        turned = change[moved[1:]] != change[moved[:-1]]
        # The turn is at the point where the earlier of the two moves ended.
        keep[moved[:-1][turned] + 1] = True
    keep[0] = True
    return keep


def _without_small_zigzags(values: FloatArray, new_segment: BoolArray, keep: IntArray) -> IntArray:
    """Return the turning points kept, less the small zigzags that cannot change the result.

    Averaging leaves millimetre wiggles at almost every point, and the hysteresis below is a
    Python loop. A pair of turns closer than 4 m that sits within the swing around it (between
    the turns before and after it) can never start a rise or a drop: drop it. Pairs next to each
    other are dropped in alternate passes, so each pass judges its pairs against kept turns.
    """
    for _ in range(_ZIGZAG_PASSES):
        if keep.shape[0] < 4:
            break
        v = values[keep]
        starts = new_segment[keep]
        pair_low = np.minimum(v[1:-2], v[2:-1])
        pair_high = np.maximum(v[1:-2], v[2:-1])
        small = pair_high - pair_low < HYSTERESIS_M
        small &= np.minimum(v[:-3], v[3:]) <= pair_low
        small &= pair_high <= np.maximum(v[:-3], v[3:])
        # All four turns in one segment: a segment's first and last points always stay.
        small &= ~(starts[1:-2] | starts[2:-1] | starts[3:])
        # In a row of droppable pairs, take every other one, counting from the row's start.
        position = np.arange(small.shape[0])
        row_start = np.maximum.accumulate(np.where(small & ~np.roll(small, 1), position, 0))
        chosen = np.flatnonzero(small & ((position - row_start) % 2 == 0))
        if not chosen.size:
            break
        dropped = np.zeros(keep.shape[0], dtype=bool)
        dropped[chosen + 1] = True
        dropped[chosen + 2] = True
        keep = keep[~dropped]
    return keep


def _hysteresis(values: FloatArray, new_segment: BoolArray) -> tuple[float, float]:
    """Return (gain, loss): every swing between confirmed turns, once it exceeds 4 m."""
    gain = loss = 0.0
    low = high = anchor = 0.0
    direction = 0  # 0: not yet known, 1: climbing from anchor, -1: descending from anchor
    for value, starts in zip(values.tolist(), new_segment.tolist(), strict=True):
        if starts:
            # Close the previous segment: a rise or drop already confirmed counts in full.
            if direction > 0:
                gain += high - anchor
            elif direction < 0:
                loss += anchor - low
            low = high = anchor = value
            direction = 0
            continue
        if direction == 0:
            low, high = min(low, value), max(high, value)
            if value - low >= HYSTERESIS_M:
                direction, anchor, high = 1, low, value
            elif high - value >= HYSTERESIS_M:
                direction, anchor, low = -1, high, value
        elif direction > 0:
            if value > high:
                high = value
            elif high - value >= HYSTERESIS_M:
                gain += high - anchor
                direction, anchor, low = -1, high, value
        elif value < low:
            low = value
        elif value - low >= HYSTERESIS_M:
            loss += anchor - low
            direction, anchor, high = 1, low, value
    if direction > 0:
        gain += high - anchor
    elif direction < 0:
        loss += anchor - low
    return gain, loss
