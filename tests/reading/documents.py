"""Synthetic GPX and TCX documents with exact numbers, for the reading tests.

Point `i` of a run made here sits at latitude 47 + i/10,000 (about 11 m north per point),
longitude 8, elevation 100 + i % 1000 m, one second after the point before it, from START.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from heroicrun.reading import pointscan
from heroicrun.track import Track

START = datetime(2024, 5, 1, 6, 0, 0, tzinfo=UTC)
GPX_NS = "http://www.topografix.com/GPX/1/1"
TPX_NS = "http://www.garmin.com/xmlschemas/TrackPointExtension/v1"
TCX_NS = "http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2"


def iso(i: float, zone: str = "Z") -> str:
    """The time of point `i`: START plus `i` seconds, written the way watches write it."""
    return (START + timedelta(seconds=i)).strftime("%Y-%m-%dT%H:%M:%S") + zone


def seconds(i: float) -> float:
    """The time of point `i` in seconds since the Unix epoch."""
    return (START + timedelta(seconds=i)).timestamp()


def trkpt(
    i: int,
    *,
    lat: str | None = None,
    lon: str | None = None,
    time: str | None = "",
    ele: str | None = "",
    hr: int | None = None,
    cad: int | None = None,
) -> str:
    """One <trkpt> on its own line; "" means the default value, None leaves the element out."""
    lat = f"{47 + i / 10_000:.6f}" if lat is None else lat
    lon = "8.000000" if lon is None else lon
    parts = [f'<trkpt lat="{lat}" lon="{lon}">']
    if ele is not None:
        parts.append(f"<ele>{ele or 100 + i % 1000}</ele>")
    if time is not None:
        parts.append(f"<time>{time or iso(i)}</time>")
    if hr is not None or cad is not None:
        parts.append("<extensions><ns3:TrackPointExtension>")
        if hr is not None:
            parts.append(f"<ns3:hr>{hr}</ns3:hr>")
        if cad is not None:
            parts.append(f"<ns3:cad>{cad}</ns3:cad>")
        parts.append("</ns3:TrackPointExtension></extensions>")
    parts.append("</trkpt>\n")
    return "".join(parts)


def gpx(*segments: Iterable[str], name: str = "Morning run") -> bytes:
    """A GPX 1.1 file with one track holding these segments (each an iterable of points).

    The points start on line 5, one point per line, so point `i` of one segment is on line 5 + i.
    """
    body = "".join("<trkseg>\n" + "".join(points) + "</trkseg>\n" for points in segments)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<gpx version="1.1" creator="tests" xmlns="{GPX_NS}" xmlns:ns3="{TPX_NS}">\n'
        f"<trk><name>{name}</name>\n"
        f"{body}</trk>\n</gpx>\n"
    ).encode()


def run(count: int, **fields: object) -> bytes:
    """A one-segment GPX run of `count` points (see the module docstring)."""
    return gpx(trkpt(i, **fields) for i in range(count))  # type: ignore[arg-type]


def trackpoint(i: int, *, position: bool = True, hr: int | None = None) -> str:
    """One TCX <Trackpoint> with the same numbers as `trkpt(i)`."""
    parts = [f"<Trackpoint><Time>{iso(i)}</Time>"]
    if position:
        parts.append(
            f"<Position><LatitudeDegrees>{47 + i / 10_000:.6f}</LatitudeDegrees>"
            "<LongitudeDegrees>8.000000</LongitudeDegrees></Position>"
        )
    parts.append(f"<AltitudeMeters>{100 + i % 1000}</AltitudeMeters>")
    if hr is not None:
        parts.append(f"<HeartRateBpm><Value>{hr}</Value></HeartRateBpm>")
    parts.append("</Trackpoint>\n")
    return "".join(parts)


def tcx(*laps: Iterable[Iterable[str]]) -> bytes:
    """A TCX activity: each lap an iterable of tracks, each track an iterable of trackpoints."""
    body = "".join(
        f'<Lap StartTime="{iso(0)}">'
        + "".join("<Track>\n" + "".join(points) + "</Track>\n" for points in tracks)
        + "</Lap>\n"
        for tracks in laps
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<TrainingCenterDatabase xmlns="{TCX_NS}">\n'
        f'<Activities><Activity Sport="Running"><Id>{iso(0)}</Id>\n'
        f"{body}</Activity></Activities>\n</TrainingCenterDatabase>\n"
    ).encode()


def without_layouts(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make the scanner read every point with its tag walker (the fallback path)."""
    monkeypatch.setattr(pointscan, "_learn", lambda *_: None)


FIELDS = ("lat_deg", "lon_deg", "elevation_m", "heart_rate_bpm", "cadence_rpm", "segment")


def assert_same(fast: Track, slow: Track) -> None:
    """Every array, note and dropped point of two Tracks is identical (NaN equals NaN)."""
    assert len(fast) == len(slow)
    for field in FIELDS:
        assert np.array_equal(getattr(fast, field), getattr(slow, field), equal_nan=True), field
    if fast.time_s is None or slow.time_s is None:
        assert fast.time_s is None and slow.time_s is None
    else:
        assert np.array_equal(fast.time_s, slow.time_s)
    assert fast.dropped == slow.dropped
    assert fast.notes == slow.notes
    assert (fast.source, fast.format, fast.name) == (slow.source, slow.format, slow.name)
