"""Per-km and per-mile splits, with boundaries interpolated between points."""

from __future__ import annotations

import numpy as np

from heroicrun.measuring import course as course_module
from heroicrun.measuring.course import Course
from heroicrun.measuring.results import Split
from heroicrun.track import FloatArray
from heroicrun.units import KM_M

# A last split shorter than this is GPS dust after the final full one, not a split.
MIN_LAST_SPLIT_M = 1.0
# Splits listed at most: four times the Spartathlon's 246 km, past any single run on foot. A
# longer file (a month-long journey in one recording) lists its first 1,000 and says how many
# there are, so that a run's summary stays small whatever the file claims.
MAX_SPLITS = 1000


def splits(
    course: Course,
    running_m: FloatArray,
    length_m: float,
    moving_s: FloatArray | None,
    elevation_m: FloatArray | None,
) -> tuple[tuple[Split, ...], int]:
    """Return the first MAX_SPLITS splits of length_m, the last one partial, and how many in all.

    running_m is the distance counted up to each point (non-decreasing), moving_s the moving
    time up to each point (None for a route), elevation_m the smoothed elevation at each point
    (None without elevation).
    """
    if len(course) < 2:
        return (), 0
    total_m = float(running_m[-1])
    if total_m <= 0:
        return (), 0
    full = int(total_m // length_m)
    partial = total_m - full * length_m >= MIN_LAST_SPLIT_M
    count = full + partial
    listed = min(count, MAX_SPLITS)
    bounds_m = np.arange(1, listed + 1, dtype=np.float64) * length_m
    if partial and listed == count:
        bounds_m[-1] = total_m
    if not bounds_m.size:
        return (), 0
    # The split ends when the runner first gets to its boundary.
    at = course_module.locate(running_m, bounds_m, "first")
    starts_m = np.concatenate(([0.0], bounds_m[:-1]))
    distance = bounds_m - starts_m

    elapsed = moving = pace = None
    if course.time_s is not None and moving_s is not None:
        elapsed = np.diff(np.concatenate(([course.time_s[0]], at.of(course.time_s))))
        moving = np.diff(np.concatenate(([0.0], at.of(moving_s))))
        # No pace for a split spent standing: seconds per km of nothing.
        pace = np.where(moving > 0, moving / (distance / KM_M), np.nan)
    change = None
    if elevation_m is not None:
        change = np.diff(np.concatenate(([elevation_m[0]], at.of(elevation_m))))

    found = tuple(
        Split(
            number=number + 1,
            distance_m=float(distance[number]),
            elapsed_s=None if elapsed is None else float(elapsed[number]),
            moving_s=None if moving is None else float(moving[number]),
            pace_s_per_km=None if pace is None else _number(pace[number]),
            elevation_change_m=None if change is None else float(change[number]),
        )
        for number in range(bounds_m.size)
    )
    return found, count


def _number(value: float) -> float | None:
    """Return value as a float, None for NaN."""
    return None if np.isnan(value) else float(value)
