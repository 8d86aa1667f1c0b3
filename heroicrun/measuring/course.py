"""The kept points of a track with their steps and running distance: what every measure reads."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from heroicrun import geodesy
from heroicrun.track import FloatArray, IntArray, Track
from heroicrun.values import frozen

if TYPE_CHECKING:
    import numpy.typing as npt

BoolArray = np.ndarray[tuple[Any, ...], np.dtype[np.bool_]]  # as in heroicrun.track

# Points per block when working through long arrays: 64 KB per column stays in the CPU cache,
# which makes searches and temporaries over 130,000 points two to three times faster.
BLOCK = 8192


@frozen(eq=False)
class Course:
    """Kept points as parallel arrays (n), their steps (n - 1) and the distance run so far (n).

    Units as in Track. A step across a segment change (a pause) has no distance.
    """

    lat_deg: FloatArray
    lon_deg: FloatArray
    elevation_m: FloatArray
    heart_rate_bpm: FloatArray
    cadence_rpm: FloatArray
    segment: IntArray
    # Seconds since the first point: epoch seconds (1.7e9) would leave only 0.2 us of precision
    # for interpolated times, and best efforts are differences of them.
    time_s: FloatArray | None
    start_s: float | None  # the first point's time, seconds since the Unix epoch (UTC)
    step_m: FloatArray  # distance to the next point; 0 across a pause
    joined: BoolArray  # the next point is in the same segment
    distance_m: FloatArray  # running total of step_m, 0 at the first point

    def __len__(self) -> int:
        return int(self.lat_deg.shape[0])

    @property
    def total_m(self) -> float:
        """Return the distance from the first to the last point, pauses excluded, in metres."""
        return float(self.distance_m[-1])


def build(track: Track, keep: BoolArray, steps_m: FloatArray) -> Course:
    """Return the course of the kept points; steps_m are the track's own consecutive steps."""
    kept = np.flatnonzero(keep)
    everything = kept.shape[0] == len(track)

    def pick(values: npt.NDArray[Any]) -> npt.NDArray[Any]:
        return values if everything else values[kept]

    if everything:
        step = steps_m.copy()
    else:
        # Reuse the steps between neighbours that survived; measure across the dropped points.
        before, after = kept[:-1], kept[1:]
        neighbours = after - before == 1
        step = np.empty(before.shape[0], dtype=np.float64)
        step[neighbours] = steps_m[before[neighbours]]
        bridged = ~neighbours
        step[bridged] = geodesy.distances_m(
            track.lat_deg[before[bridged]],
            track.lon_deg[before[bridged]],
            track.lat_deg[after[bridged]],
            track.lon_deg[after[bridged]],
        )
    segment = pick(track.segment)
    joined = segment[1:] == segment[:-1]
    step[~joined] = 0.0
    time_s = None
    start_s = None
    if track.time_s is not None:
        start_s = float(track.time_s[kept[0]])
        time_s = pick(track.time_s) - start_s
    return Course(
        lat_deg=pick(track.lat_deg),
        lon_deg=pick(track.lon_deg),
        elevation_m=pick(track.elevation_m),
        heart_rate_bpm=pick(track.heart_rate_bpm),
        cadence_rpm=pick(track.cadence_rpm),
        segment=segment,
        time_s=time_s,
        start_s=start_s,
        step_m=step,
        joined=joined,
        distance_m=np.concatenate(([0.0], np.cumsum(step))),
    )


@frozen
class Position:
    """Places along the course: between point index - 1 and index, a fraction of the way."""

    index: IntArray
    fraction: FloatArray

    def of(self, values: FloatArray) -> FloatArray:
        """Return values interpolated linearly at these places."""
        start = values[self.index - 1]
        return start + self.fraction * (values[self.index] - start)


def locate(
    running_m: FloatArray, targets_m: FloatArray, side: Literal["first", "last"]
) -> Position:
    """Return where a running total (non-decreasing) first reaches, or last stays at, each target.

    "first" is when the runner arrives at the distance, "last" when they leave it: the two differ
    when the runner stood still there. Targets outside the range clamp to the ends.
    """
    count = running_m.shape[0]
    index = np.searchsorted(running_m, targets_m, side="left" if side == "first" else "right")
    index = np.clip(index, 1, count - 1)
    start = running_m[index - 1]
    span = running_m[index] - start
    # A zero-length step only happens at a clamped end: stay on the first or last point.
    fraction = np.full(index.shape, 0.0 if side == "first" else 1.0)
    np.divide(targets_m - start, span, out=fraction, where=span > 0)
    return Position(index, np.clip(fraction, 0.0, 1.0))


def search_sorted(
    values: FloatArray, targets: FloatArray, side: Literal["left", "right"]
) -> IntArray:
    """Return np.searchsorted(values, targets, side) for sorted targets, block by block.

    Each block's answers lie between those of its first and last target, so each block searches
    only that stretch of values, which stays in the CPU cache.
    """
    found = np.empty(targets.shape[0], dtype=np.intp)
    for start in range(0, targets.shape[0], BLOCK):
        block = targets[start : start + BLOCK]
        low = int(np.searchsorted(values, block[0], side=side))
        high = int(np.searchsorted(values, block[-1], side=side))
        found[start : start + BLOCK] = low + np.searchsorted(values[low:high], block, side=side)
    return found
