"""What a run's pictures are drawn from, derived once from its points: the map's line thinned,
km marks, start and finish, the dropped GPS spikes, and pace, elevation and heart rate resampled
along the distance; plus a sketch of the track for the runs list.

A 36-hour run has 130,000 points; its profile keeps at most MAP_POINTS vertices and
CHART_POINTS samples, so a page drawn from it costs what an hour's run costs. The profile is
stored as bytes (`to_bytes`, zlib-compressed) and says which way of deriving made it
(`MADE_WITH`): a change of format or of the maths derives every profile again.
"""

from __future__ import annotations

import json
import math
import zlib
from collections.abc import Sequence
from dataclasses import fields
from typing import Any

import numpy as np

from heroicrun import units
from heroicrun.measuring import course as courses
from heroicrun.measuring import moving
from heroicrun.measuring.course import BoolArray, Course
from heroicrun.measuring.results import Flag
from heroicrun.track import FloatArray, IntArray
from heroicrun.values import frozen

MADE_WITH = "profile-2"  # change it whenever what is derived, or how, changes
MAP_POINTS = 1500  # vertices of the map's line, besides those where its style changes
CHART_POINTS = 1000  # samples along the distance, however long the run
SAMPLE_M = 5.0  # ... and no closer together than this
PACE_WINDOW_M = 200.0  # pace is averaged over this much distance: GPS noise is metres a point
WINDOW_M = 100.0  # elevation and heart rate likewise
MOST_MARKS = 20  # km marks on a map: every 1, 2, 5, 10... km, whichever keeps this many or fewer
MARK_STEPS_KM = (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000)
TOWARD_M = 25.0  # a km mark's direction is toward the point this far further on
MOST_SPIKES = 8
SKETCH_POINTS = 40
SKETCH_BOX = 100.0
SKETCH_PAD = 4.0

RUN, VEHICLE, PAUSE = 0, 1, 2  # the style of the line from a vertex to the next


class ProfileError(Exception):
    """Stored profile bytes that cannot be read back (damaged, or of another format)."""


@frozen(eq=False)
class Profile:
    """A run's pictures as numbers. Positions in degrees, distances in km, times in seconds
    since the first point, pace in s/km, elevation in m, heart rate in bpm; NaN where unknown.
    Map arrays are empty for a run without positions."""

    lat_deg: FloatArray  # the map's line (m vertices)
    lon_deg: FloatArray
    style: IntArray  # RUN, VEHICLE or PAUSE: the line from this vertex to the next (m)
    mark_km: FloatArray  # km marks: the km, where, and a point just after (its direction)
    mark_lat: FloatArray
    mark_lon: FloatArray
    toward_lat: FloatArray
    toward_lon: FloatArray
    spike_lat: FloatArray  # GPS spikes that were dropped
    spike_lon: FloatArray
    at_km: FloatArray  # samples along the distance (k)
    elapsed_s: FloatArray  # NaN throughout for a route
    moving_s: FloatArray
    pace_s_per_km: FloatArray
    elevation_m: FloatArray
    heart_rate_bpm: FloatArray
    at_lat: FloatArray  # where each sample is (empty without positions)
    at_lon: FloatArray
    sketch: str | None  # an SVG path in a 100 x 100 box, y down; None without positions

    @property
    def placed(self) -> bool:
        """Whether the run has positions to draw a map from."""
        return bool(self.lat_deg.shape[0])

    @property
    def timed(self) -> bool:
        """Whether the samples have times (a run, not a route)."""
        return bool(np.isfinite(self.elapsed_s).any())

    @property
    def paused(self) -> bool:
        """Whether the line jumps across a pause somewhere."""
        return bool((self.style == PAUSE).any())

    @property
    def start(self) -> tuple[float, float] | None:
        """The first position (lat, lon) in degrees, or None."""
        return (float(self.lat_deg[0]), float(self.lon_deg[0])) if self.placed else None

    @property
    def finish(self) -> tuple[float, float] | None:
        """The last position (lat, lon) in degrees, or None."""
        return (float(self.lat_deg[-1]), float(self.lon_deg[-1])) if self.placed else None


def of(course: Course, flags: Sequence[Flag]) -> Profile:
    """The profile of a measured course, given the flags measuring raised on it."""
    ridden = ridden_steps(course, flags)
    placed = len(course) > 0 and bool(np.isfinite(course.lat_deg).all())
    none = np.zeros(0)
    line = _line(course, ridden) if placed else (none, none, np.zeros(0, dtype=np.int64))
    marks = _marks(course) if placed else (none,) * 5
    spikes = [flag for flag in flags if flag.kind == "gps_spike"][:MOST_SPIKES]
    total_m = course.total_m if len(course) else 0.0
    count = int(min(CHART_POINTS, max(2, total_m // SAMPLE_M)))
    at_m = np.linspace(0.0, total_m, count)
    series = _series(course, ridden, at_m)
    if placed and len(course) >= 2:
        where = courses.locate(course.distance_m, at_m, "first")
        at_lat, at_lon = where.of(course.lat_deg), where.of(course.lon_deg)
    elif placed:
        at_lat, at_lon = np.full(count, course.lat_deg[0]), np.full(count, course.lon_deg[0])
    else:
        at_lat = at_lon = none
    return Profile(
        lat_deg=line[0],
        lon_deg=line[1],
        style=line[2],
        mark_km=marks[0],
        mark_lat=marks[1],
        mark_lon=marks[2],
        toward_lat=marks[3],
        toward_lon=marks[4],
        spike_lat=np.array([flag.lat_deg for flag in spikes], dtype=np.float64),
        spike_lon=np.array([flag.lon_deg for flag in spikes], dtype=np.float64),
        at_km=at_m / units.KM_M,
        elapsed_s=series[0],
        moving_s=series[1],
        pace_s_per_km=series[2],
        elevation_m=series[3],
        heart_rate_bpm=series[4],
        at_lat=at_lat,
        at_lon=at_lon,
        sketch=sketch_of(course.lat_deg, course.lon_deg) if placed else None,
    )


def ridden_steps(course: Course, flags: Sequence[Flag]) -> BoolArray:
    """Which steps (n - 1) lie in a stretch flagged as ridden at vehicle speed."""
    ridden = np.zeros(max(len(course) - 1, 0), dtype=bool)
    for flag in flags:
        if flag.kind == "vehicle":
            ridden |= (course.distance_m[:-1] >= flag.start_distance_m) & (
                course.distance_m[1:] <= flag.end_distance_m
            )
    return ridden


def _line(course: Course, ridden: BoolArray) -> tuple[FloatArray, FloatArray, IntArray]:
    """The map's line: every k-th point and those where the style changes, and each vertex's
    style (of the steps up to the next vertex)."""
    count = len(course)
    state = np.where(course.joined, np.where(ridden, VEHICLE, RUN), PAUSE).astype(np.int64)
    keep = np.zeros(count, dtype=bool)
    keep[:: max(1, -(-count // MAP_POINTS))] = True
    keep[-1] = True
    changes = np.zeros(count, dtype=bool)
    if count > 2:
        changes[1:-1] = state[1:] != state[:-1]  # where the style changes, both lines meet
    # A file of a thousand short segments changes style at every few points: then the line
    # keeps its regular vertices only, each with the style of the step leaving it.
    if np.count_nonzero(changes) <= 2 * MAP_POINTS:
        keep |= changes
    kept = np.flatnonzero(keep)
    # A kept vertex's style is that of the step leaving it; the last has none (drawn as RUN).
    style = np.append(state[kept[:-1]], RUN) if count > 1 else np.zeros(1, dtype=np.int64)
    return course.lat_deg[kept].copy(), course.lon_deg[kept].copy(), style


def mark_step_km(total_km: float) -> int:
    """Every how many km a map marks the distance: no more than MOST_MARKS marks."""
    return next((step for step in MARK_STEPS_KM if total_km / step <= MOST_MARKS), 1000)


def _marks(course: Course) -> tuple[FloatArray, ...]:
    """The km marks' numbers, positions, and a point a little further on each."""
    if len(course) < 2:
        return (np.zeros(0),) * 5
    total_m = course.total_m
    step = mark_step_km(total_m / units.KM_M)
    at_m = np.arange(step, total_m / units.KM_M, step, dtype=np.float64) * units.KM_M
    at_m = at_m[at_m < total_m - TOWARD_M]  # no mark on top of the finish
    here = courses.locate(course.distance_m, at_m, "first")
    ahead = courses.locate(course.distance_m, at_m + TOWARD_M, "first")
    return (
        at_m / units.KM_M,
        here.of(course.lat_deg),
        here.of(course.lon_deg),
        ahead.of(course.lat_deg),
        ahead.of(course.lon_deg),
    )


def _series(course: Course, ridden: BoolArray, at_m: FloatArray) -> tuple[FloatArray, ...]:
    """Elapsed and moving time, pace, elevation and heart rate at each distance."""
    count = at_m.shape[0]
    nothing = np.full(count, np.nan)
    if len(course) < 2 or course.total_m <= 0:
        return nothing, nothing.copy(), nothing.copy(), nothing.copy(), nothing.copy()
    total_m = course.total_m
    spacing_m = 2 * total_m / count  # no window falls between two samples
    low_m, high_m = window(at_m, max(WINDOW_M, spacing_m), total_m)
    elevation = mean_over(course.distance_m, course.elevation_m, low_m, high_m)
    heart_rate = mean_over(course.distance_m, course.heart_rate_bpm, low_m, high_m)
    time_s = course.time_s
    if time_s is None:
        return nothing, nothing.copy(), nothing.copy(), elevation, heart_rate
    arrived = courses.locate(course.distance_m, at_m, "first")
    steps = moving.moving_steps(course, time_s)
    moving_to_point_s = moving.cumulative_moving_s(time_s, steps)
    since_m, until_m = window(at_m, max(PACE_WINDOW_M, spacing_m), total_m)
    return (
        arrived.of(time_s),
        arrived.of(moving_to_point_s),
        pace(course, time_s, ridden, since_m, until_m),
        elevation,
        heart_rate,
    )


def window(at_m: FloatArray, width_m: float, total_m: float) -> tuple[FloatArray, FloatArray]:
    """Where a window of `width_m` centred on each distance starts and ends, within the run."""
    return np.clip(at_m - width_m / 2, 0.0, total_m), np.clip(at_m + width_m / 2, 0.0, total_m)


def pace(
    course: Course,
    time_s: FloatArray,
    ridden: BoolArray,
    since_m: FloatArray,
    until_m: FloatArray,
) -> FloatArray:
    """Moving seconds per km on foot between each pair of distances; a ride counts in neither
    time nor distance, and a window mostly ridden or stood in has no pace (NaN)."""
    on_foot = ~ridden
    step_s = np.where(moving.moving_steps(course, time_s) & on_foot, np.diff(time_s), 0.0)
    foot_s = np.concatenate(([0.0], np.cumsum(step_s)))
    foot_m = np.concatenate(([0.0], np.cumsum(np.where(on_foot, course.step_m, 0.0))))
    after = courses.locate(course.distance_m, since_m, "first")
    before = courses.locate(course.distance_m, until_m, "first")
    run_m = before.of(foot_m) - after.of(foot_m)
    run_s = before.of(foot_s) - after.of(foot_s)
    per_km = np.full(since_m.shape, np.nan)
    enough = (run_m >= 0.5 * (until_m - since_m)) & (run_s > 0)
    per_km[enough] = run_s[enough] / run_m[enough] * units.KM_M
    return per_km


def mean_over(
    running_m: FloatArray, values: FloatArray, low_m: FloatArray, high_m: FloatArray
) -> FloatArray:
    """The mean of the known values of the points between each low and high distance; where no
    point lies in between, the value interpolated there; NaN where nothing is known."""
    known = np.isfinite(values)
    if not known.any():
        return np.full(low_m.shape, np.nan)
    sums = np.concatenate(([0.0], np.cumsum(np.where(known, values, 0.0))))
    counts = np.concatenate(([0], np.cumsum(known)))
    first = np.searchsorted(running_m, low_m, side="left")
    last = np.searchsorted(running_m, high_m, side="right")
    count = counts[last] - counts[first]
    between = np.interp((low_m + high_m) / 2, running_m[known], values[known])
    mean = np.divide(sums[last] - sums[first], count, out=between, where=count > 0)
    return np.asarray(mean, dtype=np.float64)


def sketch_of(lat_deg: FloatArray, lon_deg: FloatArray) -> str | None:
    """The track's shape as an SVG path of at most SKETCH_POINTS points in a 100 x 100 box,
    y down, centred; None without at least one position."""
    if lat_deg.shape[0] == 0:
        return None
    picked = np.unique(np.linspace(0, lat_deg.shape[0] - 1, SKETCH_POINTS).round().astype(int))
    lat, lon = lat_deg[picked], lon_deg[picked]
    # Longitudes near the first one's, so a run across the antimeridian stays in one piece.
    lon = lon + 360.0 * np.round((lon[0] - lon) / 360.0)
    cos_lat = max(math.cos(math.radians(float(lat.mean()))), 0.05)
    x, y = (lon - lon.min()) * cos_lat, lat.max() - lat
    span = max(float(x.max()), float(y.max()), 1e-9)
    scale = (SKETCH_BOX - 2 * SKETCH_PAD) / span
    x = x * scale + (SKETCH_BOX - float(x.max()) * scale) / 2
    y = y * scale + (SKETCH_BOX - float(y.max()) * scale) / 2
    points = [f"{a:.0f} {b:.0f}" for a, b in zip(x.tolist(), y.tolist(), strict=True)]
    return "M" + "L".join(points)


@frozen
class Stretch:
    """A stretch of the run for the splits' bars: its first km or hour (from 0), its length,
    and its time on the clock and moving; times None where unknown."""

    start: float  # km, or hours, from the start
    distance_m: float
    elapsed_s: float | None
    moving_s: float | None


def grouped(stretches: Sequence[Stretch], size: int) -> list[Stretch]:
    """Consecutive stretches taken `size` at a time (km splits into 5 km ones), summed."""
    joined: list[Stretch] = []
    for first in range(0, len(stretches), size):
        part = stretches[first : first + size]
        elapsed = [item.elapsed_s for item in part]
        moving_ = [item.moving_s for item in part]
        joined.append(
            Stretch(
                part[0].start,
                sum(item.distance_m for item in part),
                None if None in elapsed else sum(e for e in elapsed if e is not None),
                None if None in moving_ else sum(m for m in moving_ if m is not None),
            )
        )
    return joined


def hourly(run: Profile, hours: float = 1.0) -> list[Stretch]:
    """The run hour by hour (or every `hours`): how far it went in each, and the time moving;
    none for a route."""
    known = np.isfinite(run.elapsed_s)
    if not known.any():
        return []
    elapsed, moved = run.elapsed_s[known], run.moving_s[known]
    at_m = run.at_km[known] * units.KM_M
    step_s = hours * 3600.0
    edges_s = np.append(np.arange(0.0, float(elapsed[-1]), step_s), float(elapsed[-1]))
    # The distance and moving time at each hour, from the samples on either side.
    edges_m = np.interp(edges_s, elapsed, at_m)
    edges_moving = np.interp(edges_s, elapsed, moved)
    return [
        Stretch(
            float(edges_s[index] / 3600.0),
            float(edges_m[index + 1] - edges_m[index]),
            float(edges_s[index + 1] - edges_s[index]),
            float(edges_moving[index + 1] - edges_moving[index]),
        )
        for index in range(len(edges_s) - 1)
        if edges_s[index + 1] > edges_s[index]
    ]


# --- storing ------------------------------------------------------------------------------


# Stored as float32: a position to a metre at worst (7 digits of a longitude near 180), a
# time to a few ms over 36 hours; plenty for a picture, at half the bytes.
def _dtype(name: str) -> Any:
    return np.int8 if name == "style" else np.float32


def to_bytes(profile: Profile) -> bytes:
    """The profile as compact bytes: a JSON head naming the arrays, then the arrays, zlib'd."""
    arrays: list[tuple[str, int]] = []
    body: list[bytes] = []
    for item in fields(Profile):
        value = getattr(profile, item.name)
        if isinstance(value, np.ndarray):
            raw = np.ascontiguousarray(value, dtype=_dtype(item.name))
            arrays.append((item.name, int(raw.shape[0])))
            body.append(raw.tobytes())
    head = json.dumps({"made_with": MADE_WITH, "arrays": arrays, "sketch": profile.sketch})
    encoded = head.encode()
    return zlib.compress(len(encoded).to_bytes(4, "little") + encoded + b"".join(body), 6)


def from_bytes(data: bytes) -> Profile:
    """A profile read back from `to_bytes`; ProfileError when damaged or of another format."""
    try:
        raw = zlib.decompress(data)
        size = int.from_bytes(raw[:4], "little")
        head = json.loads(raw[4 : 4 + size])
        if head.get("made_with") != MADE_WITH:
            raise ProfileError(f"made with {head.get('made_with')!r}, not {MADE_WITH!r}")
        values: dict[str, Any] = {"sketch": head["sketch"]}
        at = 4 + size
        for name, count in head["arrays"]:
            dtype = np.dtype(_dtype(name))
            chunk = np.frombuffer(raw, dtype=dtype, count=count, offset=at)
            values[name] = chunk.astype(np.int64 if name == "style" else np.float64)
            at += count * dtype.itemsize
        return Profile(**values)
    except (zlib.error, ValueError, KeyError, TypeError) as error:
        raise ProfileError(f"a stored profile cannot be read: {error}") from None
