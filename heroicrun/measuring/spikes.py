"""GPS glitches: isolated points far off the track, found, dropped and reported."""

from __future__ import annotations

import numpy as np

from heroicrun import geodesy
from heroicrun.measuring import results
from heroicrun.measuring.course import BoolArray, Course
from heroicrun.track import FloatArray, IntArray, Track
from heroicrun.values import frozen

# Bolt's 100 m top speed was 12.4 m/s, held for a few metres: no runner's step is faster, so a
# point reached and left faster than this, while its neighbours agree, is a glitch.
SPIKE_SPEED_M_S = 12.5
# Receivers lose the fix for a second or three at a time; longer excursions are left alone.
MAX_GLITCH_POINTS = 3
# Glitches with no more kept points than this between them are one stretch of bad fixes.
MERGE_KEPT_POINTS = MAX_GLITCH_POINTS
# A route has no times, so only the shape can tell: a lone point both of whose legs are this
# many times longer than the neighbouring steps and than the line that skips it.
ROUTE_LEG_RATIO = 2.5
ROUTE_MIN_LEG_M = 20.0
# ... and the line that skips it must look like an ordinary step. A route that goes out to a
# viewpoint and comes back to the same spot skips to nothing, and is kept.
ROUTE_MIN_BRIDGE_SHARE = 0.5


@frozen
class Glitch:
    """Consecutive dropped points first..last (indices in the track)."""

    first: int
    last: int


def find(track: Track, steps_m: FloatArray) -> tuple[BoolArray, list[Glitch]]:
    """Return which points to keep, and the glitches dropped."""
    keep = np.ones(len(track), dtype=bool)
    if len(track) < 3:
        return keep, []
    if track.time_s is None:
        glitches = _route_glitches(track, steps_m)
    else:
        glitches = _run_glitches(track, track.time_s, steps_m)
    for glitch in glitches:
        keep[glitch.first : glitch.last + 1] = False
    return keep, glitches


def _pauses_before(track: Track) -> FloatArray:
    """Return, for each point, how many segment changes come before it."""
    changes = track.segment[1:] != track.segment[:-1]
    return np.concatenate(([0.0], np.cumsum(changes, dtype=np.float64)))


def _run_glitches(track: Track, time_s: FloatArray, steps_m: FloatArray) -> list[Glitch]:
    """Return clusters of up to three points reached and left too fast, with the track returning."""
    count = len(track)
    pauses = _pauses_before(track)
    fast = steps_m > SPIKE_SPEED_M_S * np.diff(time_s)
    fast &= pauses[1:] == pauses[:-1]
    fast_steps = np.flatnonzero(fast)
    if not fast_steps.size:
        return []
    dropped = np.zeros(count, dtype=bool)
    glitches: list[Glitch] = []
    # Single points first, so that a lone glitch is never taken as part of a longer cluster.
    for size in range(1, MAX_GLITCH_POINTS + 1):
        # Arrive by fast step k, leave by fast step k + size: points k + 1 .. k + size are out.
        arrive = fast_steps[fast_steps + size < count - 1]
        arrive = arrive[fast[arrive + size]]
        arrive = arrive[pauses[arrive] == pauses[arrive + 1 + size]]  # no pause in between
        if not arrive.size:
            continue
        before, first, after = arrive, arrive + 1, arrive + 1 + size
        bridge_m = geodesy.distances_m(
            track.lat_deg[before], track.lon_deg[before], track.lat_deg[after], track.lon_deg[after]
        )
        returns = bridge_m <= SPIKE_SPEED_M_S * (time_s[after] - time_s[before])
        for start in first[returns]:
            # Neighbours must be trusted points: overlapping candidates are left alone.
            if dropped[start - 1 : start + size + 1].any():
                continue
            dropped[start : start + size] = True
            glitches.append(Glitch(int(start), int(start + size - 1)))
    glitches.sort(key=lambda glitch: glitch.first)
    return glitches


def _route_glitches(track: Track, steps_m: FloatArray) -> list[Glitch]:
    """Return lone points that stick out of a regular route and come straight back."""
    count = len(track)
    if count < 5:
        return []
    pauses = _pauses_before(track)
    point = np.arange(2, count - 2)
    leg_in, leg_out = steps_m[point - 1], steps_m[point]
    step_before, step_after = steps_m[point - 2], steps_m[point + 1]
    leg = np.minimum(leg_in, leg_out)
    candidate = (leg >= ROUTE_MIN_LEG_M) & (
        leg >= ROUTE_LEG_RATIO * np.maximum(step_before, step_after)
    )
    candidate &= pauses[point - 2] == pauses[point + 2]
    point, leg = point[candidate], leg[candidate]
    if not point.size:
        return []
    bridge_m = geodesy.distances_m(
        track.lat_deg[point - 1],
        track.lon_deg[point - 1],
        track.lat_deg[point + 1],
        track.lon_deg[point + 1],
    )
    usual_m = (steps_m[point - 2] + steps_m[point + 1]) / 2
    spike = (leg >= ROUTE_LEG_RATIO * bridge_m) & (bridge_m >= ROUTE_MIN_BRIDGE_SHARE * usual_m)
    glitches: list[Glitch] = []
    for index in point[spike]:
        if glitches and glitches[-1].last >= index - 2:
            continue  # two spikes in a row: nothing regular to judge them against
        glitches.append(Glitch(int(index), int(index)))
    return glitches


def flags(
    track: Track, keep: BoolArray, glitches: list[Glitch], course: Course
) -> list[results.Flag]:
    """Return one flag per stretch of dropped glitches, placed at its farthest point.

    Glitches at most MERGE_KEPT_POINTS kept points apart are one stretch: a track that hops to
    and fro every other point gets one flag, not one per point.
    """
    if not glitches:
        return []
    firsts = np.array([glitch.first for glitch in glitches])
    lasts = np.array([glitch.last for glitch in glitches])
    sizes = lasts - firsts + 1
    # Every dropped point, with the trusted neighbours of its own glitch.
    starts_at = np.concatenate(([0], np.cumsum(sizes)[:-1]))
    points = np.repeat(firsts, sizes) + np.arange(int(sizes.sum())) - np.repeat(starts_at, sizes)
    # How far off the track: to the nearer of the two trusted neighbours.
    off_m = np.minimum(
        _distances_between(track, points, np.repeat(firsts - 1, sizes)),
        _distances_between(track, points, np.repeat(lasts + 1, sizes)),
    )
    new_stretch = np.concatenate(([True], firsts[1:] - lasts[:-1] - 1 > MERGE_KEPT_POINTS))
    stretch_firsts = np.flatnonzero(new_stretch)
    stretch_lasts = np.append(stretch_firsts[1:], len(glitches)) - 1
    # Position of each track point among the kept ones (for a dropped point: the kept one before).
    kept_before = np.cumsum(keep) - 1
    times = track.time_s
    found: list[results.Flag] = []
    for one, other in zip(stretch_firsts.tolist(), stretch_lasts.tolist(), strict=True):
        first, last = int(firsts[one]), int(lasts[other])
        low, high = int(starts_at[one]), int(starts_at[other] + sizes[other])
        worst = low + int(np.argmax(off_m[low:high]))
        size = high - low
        off_words = results.distance_words(float(off_m[worst]))
        if one != other:
            detail = (
                f"dropped {size:,} points up to {off_words} off the track"
                f" ({other - one + 1:,} GPS glitches close together)"
            )
        elif size == 1:
            detail = f"dropped a point {off_words} off the track (a GPS glitch)"
        else:
            detail = f"dropped {size} points up to {off_words} off the track (a GPS glitch)"
        start_offset_s = end_offset_s = None
        if times is not None:
            start_offset_s = float(times[first] - times[0])
            end_offset_s = float(times[last] - times[0])
        found.append(
            results.Flag(
                kind="gps_spike",
                detail=detail,
                start_offset_s=start_offset_s,
                end_offset_s=end_offset_s,
                start_distance_m=float(course.distance_m[kept_before[first - 1]]),
                end_distance_m=float(course.distance_m[kept_before[last + 1]]),
                lat_deg=float(track.lat_deg[points[worst]]),
                lon_deg=float(track.lon_deg[points[worst]]),
                points=size,
            )
        )
    return found


def _distances_between(track: Track, points: IntArray, others: IntArray) -> FloatArray:
    """Return the distances in metres from each of points to the matching one of others."""
    return geodesy.distances_m(
        track.lat_deg[points], track.lon_deg[points], track.lat_deg[others], track.lon_deg[others]
    )
