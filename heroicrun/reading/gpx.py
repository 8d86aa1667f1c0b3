"""GPX 1.0 and 1.1: tracks (runs) and routes, with heart rate and cadence extensions."""

from __future__ import annotations

import re

from heroicrun.reading import devices, legs, pointscan, tags
from heroicrun.reading.assembly import TrackAssembler
from heroicrun.reading.pointscan import Dialect

# Local names, so any namespace prefix works: Garmin TrackPointExtension v1/v2 (gpxtpx:hr,
# ns3:cad), Cluetrust gpxdata (gpxdata:hr, gpxdata:cadence) and the plain forms some apps write.
FIELDS = {
    b"ele": "elevation",
    b"time": "time",
    b"hr": "heart_rate",
    b"heartrate": "heart_rate",
    b"heart_rate": "heart_rate",
    b"cad": "cadence",
    b"cadence": "cadence",
}
POSITION = {b"lat": "lat", b"lon": "lon"}

TRACK = Dialect(points=(b"trkpt",), segments=(b"trkseg",), attributes=POSITION, fields=FIELDS)
ROUTE = Dialect(points=(b"rtept",), segments=(b"rte",), attributes=POSITION, fields=FIELDS)

TRACK_NAME = re.compile(
    rb"<(?:[\w.\-]+:)?trk[\s>](?:(?!<(?:[\w.\-]+:)?trkseg).)*?"
    rb"<(?:[\w.\-]+:)?name>([^<]{1,200})<",
    re.DOTALL,
)


def dialect_of(data: bytes) -> Dialect:
    """Track points when the file has any (a run); else route points (a planned route)."""
    return TRACK if pointscan.has_point(data, TRACK) else ROUTE


def read_into(data: bytes, assembler: TrackAssembler) -> Dialect:
    """Add the file's points to `assembler`; return the dialect used (for line lookups)."""
    dialect = dialect_of(data)
    name = TRACK_NAME.search(data, 0, 1 << 16)
    if name:
        assembler.name = _text(name.group(1))
    assembler.device = creator(data)
    owner = b"trk" if dialect is TRACK else b"rte"

    def declarations(start: int, end: int) -> list[legs.Declaration]:
        # A track's (or route's) <type>: Strava's "running" or "9", Garmin's "road_biking".
        stop = (*dialect.segments, *dialect.points)
        return legs.in_children(data, (owner,), b"type", stop, start, end)

    pointscan.scan(data, dialect, assembler, with_times=dialect is TRACK, declarations=declarations)
    if dialect is ROUTE and len(assembler):
        assembler.add_note("is a GPX route (<rte>): it has a shape and a length, but no times")
        assembler.route_by_design = True
    return dialect


def creator(data: bytes) -> str | None:
    """The app or device named in the root element's `creator`, cleaned; None without one."""
    # The root's start tag is near the top (after the prolog): one look, whatever the file's size.
    begin = tags.first_start_tag(data, (b"gpx",), 0, min(len(data), 1 << 16))
    tag = tags.TAG.match(data, begin) if begin >= 0 else None
    if tag is None:
        return None
    for attribute in tags.ATTRIBUTE.finditer(tag.group(3)):
        if attribute.group(1).rpartition(b":")[2] == b"creator":
            value = attribute.group(2) if attribute.group(2) is not None else attribute.group(3)
            return devices.clean(tags.text(value))
    return None


def _text(raw: bytes) -> str:
    return tags.text(raw).strip()
