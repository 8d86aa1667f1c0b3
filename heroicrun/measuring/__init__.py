"""Measuring a run: distance, times, pace, splits, best efforts, climb and what looks wrong."""

from __future__ import annotations

import weakref
from datetime import UTC, datetime

import numpy as np

from heroicrun import geodesy, units
from heroicrun.measuring import (
    climb,
    efforts,
    moving,
    sensors,
    spikes,
    splits,
    vehicles,
)
from heroicrun.measuring import (
    course as course_module,
)
from heroicrun.measuring.course import BoolArray, Course
from heroicrun.measuring.results import BestEffort, Flag, Measures, SensorSummary, Split
from heroicrun.track import FloatArray, Track
from heroicrun.values import frozen

__all__ = [
    "BestEffort",
    "Course",
    "Flag",
    "Measures",
    "SensorSummary",
    "Split",
    "course_of",
    "measure",
]


def course_of(track: Track) -> Course:
    """Return the points measure() reads: GPS glitches dropped, steps and distance in metres."""
    return _cleaned(track)[0]


# measure() and course_of() on the same track (a run judged for missions after measuring)
# share one cleaning; the entry goes when the track does.
_CLEANED: weakref.WeakKeyDictionary[Track, tuple[Course, BoolArray, list[spikes.Glitch]]] = (
    weakref.WeakKeyDictionary()
)


def _cleaned(track: Track) -> tuple[Course, BoolArray, list[spikes.Glitch]]:
    """Return the course without GPS glitches, which points were kept, and the glitches."""
    found = _CLEANED.get(track)
    if found is None:
        if track.device_distance_m is None:
            steps_m = geodesy.step_distances_m(track.lat_deg, track.lon_deg)
            keep, glitches = spikes.find(track, steps_m)
        else:
            # Without GPS the device's distance is the run: nothing to glitch, every point kept.
            steps_m = _device_steps_m(track.device_distance_m)
            keep, glitches = np.ones(len(track), dtype=bool), []
        found = _CLEANED[track] = (course_module.build(track, keep, steps_m), keep, glitches)
    return found


def _device_steps_m(device_distance_m: FloatArray) -> FloatArray:
    """Return the steps of a device's running distance, in metres; a drop is 0 (the device
    started counting again), as is a step the device did not give."""
    steps: FloatArray = np.diff(device_distance_m)
    with np.errstate(invalid="ignore"):
        return np.where(steps > 0, steps, 0.0)


def measure(track: Track) -> Measures:
    """Return everything heroicrun measures in a track (metres, seconds, m/s, s/km)."""
    course, keep, glitches = _cleaned(track)
    flags = spikes.flags(track, keep, glitches, course)

    profile = climb.smoothed(course)
    gain_m = loss_m = low_m = high_m = None
    if profile is not None:
        gain_m, loss_m = climb.gain_loss_m(course, profile)
        low_m = float(np.nanmin(course.elevation_m))
        high_m = float(np.nanmax(course.elevation_m))

    distance_m = course.total_m
    timing = None if course.time_s is None else _timing(course, course.time_s)
    if timing is not None:
        flags.extend(timing.flags)
        flags.sort(key=lambda flag: (flag.start_distance_m, flag.kind))
    moving_s = None if timing is None else timing.moving_s
    vehicle_m = 0.0 if timing is None else timing.vehicle_m
    # Pace and speed are the runner's own: a flagged ride counts in neither.
    counted_m = distance_m if timing is None else float(timing.on_foot_to_point_m[-1])
    counted_s = None if timing is None else timing.moving_s - timing.vehicle_s
    # Pace and average speed divide the distance covered while moving by the time spent moving:
    # the metres a standing watch drifts belong to no moving second (13 s of a watch barely
    # moving, 5.8 m of drift over 1 s of movement, would read 20.8 km/h).
    moved_m = counted_m if timing is None else timing.moving_on_foot_m
    average_m_s = None if not counted_s else moved_m / counted_s
    max_m_s = None if timing is None else timing.max_speed_m_s
    if average_m_s is not None:
        # The average counts moving time only, while the top speed's 5 s windows count every
        # second, stops included: in a short run whose few fast steps last under 5 s, every
        # window is mostly standing. The runner did hold the average over their moving time.
        max_m_s = average_m_s if max_m_s is None else max(max_m_s, average_m_s)
    splits_km, splits_km_count = _splits(course, units.KM_M, timing, profile)
    splits_mile, splits_mile_count = _splits(course, units.MILE_M, timing, profile)

    # A device that started recording before its first point (waiting for a GPS fix) began the
    # run then: the clock ran from that moment, though no point says where.
    start_s = course.start_s
    waited_s = 0.0
    if start_s is not None and track.began_s is not None and track.began_s < start_s:
        waited_s = start_s - track.began_s
        start_s = track.began_s
    return Measures(
        kind=track.kind,
        start_time=None if start_s is None else datetime.fromtimestamp(start_s, tz=UTC),
        points=len(course),
        spikes_dropped=len(track) - len(course),
        distance_m=distance_m,
        elapsed_s=None if timing is None else timing.elapsed_s + waited_s,
        moving_s=moving_s,
        pace_s_per_km=units.seconds_per(counted_s, moved_m, units.KM_M),
        pace_s_per_mile=units.seconds_per(counted_s, moved_m, units.MILE_M),
        average_speed_m_s=average_m_s,
        max_speed_m_s=max_m_s,
        elevation_gain_m=gain_m,
        elevation_loss_m=loss_m,
        min_elevation_m=low_m,
        max_elevation_m=high_m,
        heart_rate=sensors.summarize(course.heart_rate_bpm),
        cadence=sensors.summarize(course.cadence_rpm),
        splits_km=splits_km,
        splits_mile=splits_mile,
        best_efforts=() if timing is None else timing.best_efforts,
        flags=tuple(flags),
        vehicle_distance_m=vehicle_m,
        vehicle_s=None if timing is None else timing.vehicle_s,
        counted_distance_m=counted_m,
        counted_moving_s=counted_s,
        splits_km_count=splits_km_count,
        splits_mile_count=splits_mile_count,
        sport=track.sport,
        gps=track.gps,
    )


@frozen(eq=False)
class _Timing:
    """The time-based measures of a run (a route has none)."""

    elapsed_s: float
    moving_s: float
    on_foot_to_point_m: FloatArray  # distance up to each point, rides left out (n)
    on_foot_to_point_s: FloatArray  # moving time up to each point, rides left out (n)
    vehicle_m: float
    vehicle_s: float  # moving time inside vehicle stretches
    moving_on_foot_m: float  # distance of the moving steps, rides left out
    max_speed_m_s: float | None
    flags: tuple[Flag, ...]
    best_efforts: tuple[BestEffort, ...]


def _timing(course: Course, time_s: FloatArray) -> _Timing:
    """Return moving time, rides, top speed and best efforts of a run."""
    moving_steps = moving.moving_steps(course, time_s)
    moving_to_point_s = moving.cumulative_moving_s(time_s, moving_steps)
    stretches = vehicles.find(course, time_s)
    ridden = vehicles.step_mask(course, stretches)
    on_foot_m = np.concatenate(([0.0], np.cumsum(np.where(ridden, 0.0, course.step_m))))
    # Best efforts may not span a ride: the run is cut into the pieces between rides.
    pieces: list[tuple[int, int]] = []
    first = 0
    for stretch in stretches:
        pieces.append((first, stretch.first))
        first = stretch.last
    pieces.append((first, len(course) - 1))
    return _Timing(
        elapsed_s=float(time_s[-1] - time_s[0]),
        moving_s=float(moving_to_point_s[-1]),
        on_foot_to_point_m=on_foot_m,
        on_foot_to_point_s=moving.cumulative_moving_s(time_s, moving_steps & ~ridden),
        vehicle_m=float(course.step_m[ridden].sum()),
        vehicle_s=float(np.diff(time_s)[ridden & moving_steps].sum()),
        moving_on_foot_m=float(course.step_m[moving_steps & ~ridden].sum()),
        max_speed_m_s=moving.max_speed_m_s(course, time_s, ridden),
        flags=tuple(vehicles.flag(course, time_s, stretch) for stretch in stretches),
        best_efforts=efforts.best_efforts(course.distance_m, time_s, pieces),
    )


def _splits(
    course: Course, length_m: float, timing: _Timing | None, profile: FloatArray | None
) -> tuple[tuple[Split, ...], int]:
    """Return the first splits of one length over the distance run, and how many there are.

    A ride is no split: the splits count the distance on foot, and its moving time.
    """
    if timing is None:
        return splits.splits(course, course.distance_m, length_m, None, profile)
    return splits.splits(
        course, timing.on_foot_to_point_m, length_m, timing.on_foot_to_point_s, profile
    )
