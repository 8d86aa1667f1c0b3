"""Per-km and per-mile splits, with boundaries interpolated between points."""

from __future__ import annotations

import numpy as np

from heroicrun.measuring import course as course_module
from heroicrun.measuring.course import Course
from heroicrun.measuring.results import Split
from heroicrun.track import FloatArray

KM_M = 1000.0
MILE_M = 1609.344
# A last split shorter than this is GPS dust after the final full one, not a split.
MIN_LAST_SPLIT_M = 1.0


def splits(
    course: Course,
    length_m: float,
    moving_s: FloatArray | None,
    elevation_m: FloatArray | None,
) -> tuple[Split, ...]:
    """Return the splits of length_m, the last one partial.

    moving_s is the moving time up to each point (None for a route); elevation_m the smoothed
    elevation at each point (None without elevation).
    """
    total_m = course.total_m
    if len(course) < 2 or total_m <= 0:
        return ()
    full = int(total_m // length_m)
    bounds_m = np.arange(1, full + 1, dtype=np.float64) * length_m
    if total_m - full * length_m >= MIN_LAST_SPLIT_M:
        bounds_m = np.append(bounds_m, total_m)
    if not bounds_m.size:
        return ()
    # The split ends when the runner first gets to its boundary.
    at = course_module.locate(course.distance_m, bounds_m, "first")
    starts_m = np.concatenate(([0.0], bounds_m[:-1]))
    distance = bounds_m - starts_m

    elapsed = moving = pace = None
    if course.time_s is not None and moving_s is not None:
        elapsed = np.diff(np.concatenate(([course.time_s[0]], at.of(course.time_s))))
        moving = np.diff(np.concatenate(([0.0], at.of(moving_s))))
        # No pace for a split spent standing: seconds per km of nothing.
        pace = np.where(moving > 0, moving / (distance / 1000), np.nan)
    change = None
    if elevation_m is not None:
        change = np.diff(np.concatenate(([elevation_m[0]], at.of(elevation_m))))

    return tuple(
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


def _number(value: float) -> float | None:
    """Return value as a float, None for NaN."""
    return None if np.isnan(value) else float(value)
