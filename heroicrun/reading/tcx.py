"""Garmin Training Center XML (TCX) activities and courses."""

from __future__ import annotations

from array import array

import numpy as np

from heroicrun import geodesy
from heroicrun.reading import devices, legs, pointscan, tags, timestamps
from heroicrun.reading.assembly import TrackAssembler
from heroicrun.reading.errors import NO_POSITIONS_NOR_DISTANCE, ReadError
from heroicrun.reading.pointscan import Dialect
from heroicrun.track import FloatArray

# A watch starts a new <Track> after a pause, but Garmin also starts one in every lap (each
# auto-lap kilometre), so a track boundary is only a pause when time or distance says so.
ACTIVITY = Dialect(
    points=(b"Trackpoint",),
    segments=(b"Track",),
    attributes={},
    fields={
        b"Time": "time",
        b"LatitudeDegrees": "lat",
        b"LongitudeDegrees": "lon",
        b"AltitudeMeters": "elevation",
        b"Cadence": "cadence",
        b"RunCadence": "cadence",
        b"DistanceMeters": "distance",
    },
    nested_fields={(b"HeartRateBpm", b"Value"): "heart_rate"},
    # A treadmill or footpod run has no Position on any trackpoint, only DistanceMeters.
    needs_position=False,
)

# Each activity names its sport; a multisport session holds several, with a transition (a lap
# of its own) before each one after the first.
SPORTS: dict[bytes, str | None] = {b"Activity": None, b"Transition": "transition"}

# A gap between tracks longer than this is a pause, however sparse the recording.
PAUSE_S = 60.0
# A gap this many times the file's usual spacing between points is a pause too, but never
# one shorter than MIN_PAUSE_S: smart recording spaces points a few seconds apart.
PAUSE_SPACINGS = 5.0
MIN_PAUSE_S = 10.0
# Bolt's top speed, plus two fixes' worth of GPS error: a longer jump across a track boundary
# is somewhere the runner went while the watch was stopped.
MAX_JOIN_SPEED_M_S = 12.5
GPS_SLACK_M = 20.0


def read_into(data: bytes, assembler: TrackAssembler) -> Dialect:
    """Add the file's trackpoints to `assembler`; a course (no activity) is read as a route."""
    is_course = b"<Activities" not in data and b"Course" in data

    def declarations(start: int, end: int) -> list[legs.Declaration]:
        return legs.in_attributes(data, SPORTS, b"Sport", start, end)

    sports = None if is_course else declarations
    pointscan.scan(data, ACTIVITY, assembler, with_times=not is_course, declarations=sports)
    if len(assembler):
        judge_positions(assembler)
    if not is_course:
        assembler.device = creator(data)
    if is_course and len(assembler):
        assembler.add_note("is a TCX course: it has a shape and a length, but no run times")
        assembler.route_by_design = True
    elif len(assembler):
        join_laps(assembler)
    return ACTIVITY


def creator(data: bytes) -> str | None:
    """The device named in an activity's `<Creator><Name>`, cleaned; None without one."""
    # Each activity names its device after its laps, at the end: look from the end back.
    begin = tags.last_start_tag(data, (b"Creator",), 0, len(data))
    if begin < 0:
        return None
    end = data.find(b"Creator", begin + 8)
    name = tags.first_start_tag(data, (b"Name",), begin, len(data) if end < 0 else end)
    tag = tags.TAG.match(data, name) if name >= 0 else None
    return None if tag is None else devices.clean(tags.text(tag.group(5)))


def judge_positions(assembler: TrackAssembler) -> None:
    """Leave out trackpoints without a Position from a run that has them (a watch still
    looking for satellites); keep them all in a run with none (a treadmill, a footpod).

    Raises ReadError when no trackpoint has a position and too few have a distance.
    """
    lat = np.frombuffer(assembler.lat, dtype=np.float64)
    lon = np.frombuffer(assembler.lon, dtype=np.float64)
    missing = np.isnan(lat) | np.isnan(lon)
    if not missing.all():
        for index in np.flatnonzero(missing).tolist():
            assembler.reject(index, "has no position")
        return
    distance = np.frombuffer(assembler.distance, dtype=np.float64)
    if int(np.isfinite(distance).sum()) < 2:
        raise ReadError(assembler.source, NO_POSITIONS_NOR_DISTANCE)


def join_laps(assembler: TrackAssembler) -> None:
    """Merge each track into the one before it unless the gap between them is a pause."""
    segment = np.frombuffer(assembler.segment, dtype=np.int64)
    if segment[-1] == segment[0]:
        return
    lat = np.frombuffer(assembler.lat, dtype=np.float64)
    lon = np.frombuffer(assembler.lon, dtype=np.float64)
    seconds = _seconds(assembler)
    distance = np.frombuffer(assembler.distance, dtype=np.float64)
    with np.errstate(invalid="ignore"):
        on_earth = (np.abs(lat) <= 90) & (np.abs(lon) <= 180) & ((lat != 0) | (lon != 0))
    # A run without GPS says how far it went between tracks by the device's distance.
    by_device = not on_earth.any()
    usable = (np.isfinite(distance) if by_device else on_earth) & np.isfinite(seconds)
    usable[list(assembler.problems)] = False
    at = np.flatnonzero(usable)
    if at.shape[0] < 2:
        return
    gaps_s = np.diff(seconds[at])
    crossing = segment[at][1:] != segment[at][:-1]
    steps = gaps_s[~crossing]
    steps = steps[steps > 0]
    usual_s = float(np.median(steps)) if steps.shape[0] else PAUSE_S
    longest_s = min(PAUSE_S, max(MIN_PAUSE_S, PAUSE_SPACINGS * usual_s))
    before, after = at[:-1][crossing], at[1:][crossing]
    gap_s = gaps_s[crossing]
    if by_device:
        jump_m = np.abs(distance[after] - distance[before])
    else:
        jump_m = geodesy.distances_m(lat[before], lon[before], lat[after], lon[after])
    # A change of sport (the next activity of a multisport session) is never the same run,
    # however close in time.
    leg_firsts = np.array([first for first, _ in assembler.leg_starts], dtype=np.int64)
    same_leg = np.searchsorted(leg_firsts, before, "right") == np.searchsorted(
        leg_firsts, after, "right"
    )
    joined = (
        (gap_s >= 0)
        & (gap_s <= longest_s)
        & (jump_m <= GPS_SLACK_M + MAX_JOIN_SPEED_M_S * gap_s)
        & same_leg
    )
    if not joined.any():
        return
    # A segment starts only after a pause; the tracks between, even those with no usable
    # point, join the one before.
    starts_new = np.zeros(int(segment[-1]) + 1, dtype=bool)
    starts_new[0] = True
    starts_new[segment[after[~joined]]] = True
    renumbered = np.cumsum(starts_new) - 1
    assembler.segment = array("q", renumbered[segment].tolist())


def _seconds(assembler: TrackAssembler) -> FloatArray:
    """Each point's time in seconds since the Unix epoch, NaN where it has none."""
    seconds = np.frombuffer(assembler.seconds, dtype=np.float64).copy()
    for index, raw in assembler.unparsed.items():
        stamp = timestamps.parse(raw)
        if stamp.seconds is not None:
            seconds[index] = stamp.seconds
    return seconds
