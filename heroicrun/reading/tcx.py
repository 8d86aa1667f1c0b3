"""Garmin Training Center XML (TCX) activities and courses."""

from __future__ import annotations

from heroicrun.reading import pointscan
from heroicrun.reading.assembly import TrackAssembler
from heroicrun.reading.pointscan import Dialect

# Each <Track> is a stretch of recording; a watch starts a new one after a pause.
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
    },
    nested_fields={(b"HeartRateBpm", b"Value"): "heart_rate"},
)


def read_into(data: bytes, assembler: TrackAssembler) -> Dialect:
    """Add the file's trackpoints to `assembler`; a course (no activity) is read as a route."""
    is_course = b"<Activities" not in data and b"Course" in data
    pointscan.scan(data, ACTIVITY, assembler, with_times=not is_course)
    if is_course and len(assembler):
        assembler.add_note("is a TCX course: it has a shape and a length, but no run times")
    return ACTIVITY
