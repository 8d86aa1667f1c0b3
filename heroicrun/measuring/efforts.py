"""Best efforts: the fastest time over standard distances, anywhere in the run."""

from __future__ import annotations

import numpy as np

from heroicrun.measuring import course
from heroicrun.measuring.results import BestEffort
from heroicrun.track import FloatArray
from heroicrun.units import KM_M, MILE_M

DISTANCES_M: tuple[tuple[str, float], ...] = (
    ("400 m", 400.0),
    ("1/2 mile", MILE_M / 2),
    ("1 km", KM_M),
    ("1 mile", MILE_M),
    ("2 miles", 2 * MILE_M),
    ("5 km", 5000.0),
    ("10 km", 10000.0),
    ("15 km", 15000.0),
    ("10 miles", 10 * MILE_M),
    ("20 km", 20000.0),
    ("Half marathon", 21097.5),
    ("30 km", 30000.0),
    ("Marathon", 42195.0),
    ("50 km", 50000.0),
)

# Summed GPS steps land a hair off round numbers: a run measured at 9,999.9999 m ran its 10 km.
REACH_TOLERANCE_M = 0.5


def best_efforts(
    distance_m: FloatArray, time_s: FloatArray, pieces: list[tuple[int, int]]
) -> tuple[BestEffort, ...]:
    """Return the fastest elapsed time over each standard distance that fits in one piece.

    distance_m is the running distance at each point and time_s the seconds since the first
    point; pieces are the (first, last) point ranges an effort may lie in (the run cut at
    vehicle stretches).
    """
    # Each step as a line: time = offset + distance * pace (seconds per metre), so that an
    # interpolated time costs two lookups. A step without distance gets pace 0; no window
    # boundary ever falls inside one.
    step_m = np.diff(distance_m)
    pace = np.zeros_like(step_m)
    np.divide(np.diff(time_s), step_m, out=pace, where=step_m > 0)
    line = np.column_stack((time_s[:-1] - distance_m[:-1] * pace, pace))
    found: list[BestEffort] = []
    for name, length_m in DISTANCES_M:
        best: tuple[float, float, float] | None = None
        for first, last in pieces:
            effort = _fastest(distance_m, time_s, line, first, last, length_m)
            if effort is not None and (best is None or effort[0] < best[0]):
                best = effort
        if best is None:
            break  # the distances grow: if this one fits nowhere, no longer one does
        elapsed_s, start_s, start_m = best
        found.append(BestEffort(name, length_m, elapsed_s, start_s, start_m))
    return tuple(found)


def _fastest(
    distance_m: FloatArray,
    time_s: FloatArray,
    line: FloatArray,
    first: int,
    last: int,
    length_m: float,
) -> tuple[float, float, float] | None:
    """Return (elapsed s, start time s, start distance m) of the fastest window within first..last.

    Elapsed time is piecewise linear in the window's start distance, with corners where the
    window's start or end sits on a point, so the fastest window starts or ends on a point.
    """
    span_m = float(distance_m[last] - distance_m[first])
    if span_m < length_m - REACH_TOLERANCE_M:
        return None
    if span_m < length_m:
        # The whole piece, from the last point at its start to the first at its end, is the only
        # window; the few centimetres missing are run at its pace.
        reached = distance_m[first : last + 1]
        leave = first + int(np.searchsorted(reached, distance_m[first], side="right")) - 1
        arrive = first + int(np.searchsorted(reached, distance_m[last], side="left"))
        elapsed_s = float(time_s[arrive] - time_s[leave]) * length_m / span_m
        return elapsed_s, float(time_s[leave]), float(distance_m[leave])
    # Windows that start on point i end when the runner first gets length_m further: inside
    # the step that ends on point end[i]. Only points length_m before the last one can start.
    starts = first + int(
        np.searchsorted(distance_m[first : last + 1], distance_m[last] - length_m, side="right")
    )
    end = course.search_sorted(distance_m, distance_m[first:starts] + length_m, "left")
    best = (np.inf, 0.0, 0.0)
    # Blocks that stay in the CPU cache: whole-array temporaries make this twice as slow.
    for block in range(first, starts, course.BLOCK):
        done = min(block + course.BLOCK, starts)
        end_m = distance_m[block:done] + length_m
        offset_pace = np.take(line, end[block - first : done - first] - 1, axis=0)
        elapsed = offset_pace[:, 0] + end_m * offset_pace[:, 1] - time_s[block:done]
        at = int(np.argmin(elapsed))
        if elapsed[at] < best[0]:
            best = (float(elapsed[at]), float(time_s[block + at]), float(distance_m[block + at]))

    # Windows that end on point j start when the runner was last length_m back: inside the step
    # after the last start point whose window ends by j. Counting those start points replaces
    # a second binary search.
    soonest = int(end[0])
    begin = first - 1 + np.cumsum(np.bincount(end - soonest, minlength=last + 1 - soonest))
    for block in range(soonest, last + 1, course.BLOCK):
        done = min(block + course.BLOCK, last + 1)
        back_m = distance_m[block:done] - length_m
        offset_pace = np.take(line, begin[block - soonest : done - soonest], axis=0)
        begin_s = offset_pace[:, 0] + back_m * offset_pace[:, 1]
        elapsed = time_s[block:done] - begin_s
        at = int(np.argmin(elapsed))
        if elapsed[at] < best[0]:
            best = (float(elapsed[at]), float(begin_s[at]), float(back_m[at]))
    return best
