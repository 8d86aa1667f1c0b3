"""GPX files in, Tracks out: point for point against gpxpy, then every way a GPX can be wrong."""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import gpxpy
import numpy as np
import pytest

from heroicrun import reading
from heroicrun.reading import assembly
from heroicrun.reading.errors import ReadError
from heroicrun.track import Track
from tests.helpers.real import REAL, needs_real, real
from tests.reading.documents import (
    GPX_NS,
    gpx,
    iso,
    run,
    seconds,
    trkpt,
    without_layouts,
)

# Every real GPX file, with what heroicrun makes of it: (points kept, segments) for runs.
RUNS = {
    "fittrackee/gpx_file.gpx": (25, 1),
    "fittrackee/gpx_file_with_3_segments.gpx": (9, 3),
    "fittrackee/gpx_file_with_first_segment_empty.gpx": (6, 2),
    "fittrackee/gpx_file_with_gpxtpx_extensions.gpx": (25, 1),
    "fittrackee/gpx_file_with_microseconds.gpx": (25, 2),
    "fittrackee/gpx_file_with_offset.gpx": (25, 1),
    "fittrackee/gpx_file_with_segments.gpx": (25, 2),
    "fittrackee/gpx_file_with_zero_distance_segment.gpx": (7, 3),
    "fittrackee/gpx_file_without_elevation.gpx": (25, 1),
    "goldencheetah/1292585194-20906.gpx": (5935, 16),
    "goldencheetah/Move_2014_01_17_09_33_11.gpx": (1405, 1),
    "gpxpy/around-visnjan-with-car.gpx": (104, 1),
    "gpxpy/cerknicko-jezero.gpx": (296, 7),
    "gpxpy/track-with-empty-segment.gpx": (9, 1),
    "gpxpy/track-with-less-sec-time.gpx": (2, 1),
    "opentracks/gpx11_with_speed_no_namespace.gpx": (3, 1),
    "opentracks/gpx11_without_speed.gpx": (3, 1),
    "opentracks/legacy_gpx_pause_resume.gpx": (4, 2),
    "opentracks/legacy_gpx_trackpointextensions_incorrect.gpx": (5, 3),
}
# Routes: (points, what the note says).
ROUTES = {
    "fittrackee/gpx_file_without_time.gpx": (11, "has no timestamps"),
    "goldencheetah/A_ride_mapped_on_11_22_2011.gpx": (9722, "has no timestamps"),
    "gpxpy/Mojstrovka.gpx": (184, "'1901-12-13T20:45:52.2073437Z' is not a plausible date"),
    "gpxpy/cerknicko-without-times.gpx": (296, "has times on only 5 of 296 points"),
    "gpxpy/korita-zbevnica.gpx": (871, "has times on only 513 of 871 points"),
    "gpxpy/track-with-extremes.gpx": (25, "has no timestamps"),
}
ERRORS = {
    "fittrackee/gpx_file_invalid_xml.gpx": "line 11: ends too early: the XML is cut off",
    "fittrackee/gpx_file_wo_track.gpx": "has no track points",
    "goldencheetah/MetadataOnly.gpx": "has no track points",
    "gpxpy/unicode_with_bom.gpx": "has no track points",
    "opentracks/gpx_timezone.gpx": "has only one usable point; a run needs at least two",
}


def read(name: str) -> Track:
    return reading.read_path(real(name))


def assert_one_sentence(error: ReadError, source: str) -> None:
    message = str(error)
    assert message.startswith(f"{source}: ")
    assert "\n" not in message and "Traceback" not in message
    assert len(message) < 300


@pytest.fixture(params=["layouts", "tag walker"])
def scanner(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Run a test once on the scanner's fast path and once on its fallback."""
    if request.param == "tag walker":
        without_layouts(monkeypatch)
    return str(request.param)


@needs_real
def test_every_real_gpx_file_is_listed() -> None:
    files = {f"{path.parent.name}/{path.name}" for path in REAL.glob("*/*.gpx")}
    assert files == set(RUNS) | set(ROUTES) | set(ERRORS)


# gpxpy as the reference reader


@dataclass
class Expected:
    lat: np.ndarray
    lon: np.ndarray
    elevation: np.ndarray
    time: list[float | None]
    segment: np.ndarray
    dropped: int  # gpxpy points heroicrun leaves out on purpose


def from_gpxpy(path: Path) -> Expected:
    """gpxpy's points, as heroicrun keeps them.

    heroicrun drops OpenTracks' pause and resume markers (lat=100 / lat=200 at lon 0) and starts
    a new segment after them; empty segments leave no trace; segments are numbered 0, 1, 2… in
    file order across tracks; an elevation outside -500..9000 m reads as absent.
    """
    parsed = gpxpy.parse(path.read_bytes().decode("utf-8-sig"))
    lat, lon, elevation, segment = [], [], [], []
    times: list[float | None] = []
    number = 0
    dropped = 0
    for track in parsed.tracks:
        for part in track.segments:
            number += 1
            for point in part.points:
                if point.longitude == 0 and point.latitude in (100, 200):
                    dropped += 1
                    number += 1
                    continue
                lat.append(point.latitude)
                lon.append(point.longitude)
                low, high = assembly.ELEVATION_RANGE_M
                ele = point.elevation
                elevation.append(ele if ele is not None and low <= ele <= high else math.nan)
                times.append(utc_seconds(point.time) if point.time is not None else None)
                segment.append(number)
    raw = np.array(segment)
    renumbered = np.concatenate(([0], np.cumsum(np.diff(raw) != 0))) if len(raw) else raw
    return Expected(np.array(lat), np.array(lon), np.array(elevation), times, renumbered, dropped)


def utc_seconds(moment: datetime) -> float:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp()


@pytest.mark.parametrize("name", sorted(RUNS) + sorted(ROUTES))
def test_points_match_gpxpy(name: str) -> None:
    track = read(name)
    expected = from_gpxpy(real(name))
    assert len(track) == len(expected.lat)
    assert len(track.dropped) == expected.dropped
    assert np.array_equal(track.lat_deg, expected.lat)
    assert np.array_equal(track.lon_deg, expected.lon)
    assert np.array_equal(track.elevation_m, expected.elevation, equal_nan=True)
    assert np.array_equal(track.segment, expected.segment)
    if name in RUNS:
        assert track.kind == "run" and track.time_s is not None
        assert None not in expected.time
        assert np.all(np.diff(np.array(expected.time, dtype=float)) > 0)
        assert np.max(np.abs(track.time_s - np.array(expected.time, dtype=float))) < 1e-6


@pytest.mark.parametrize("name", sorted(RUNS))
def test_runs(name: str) -> None:
    points, segments = RUNS[name]
    track = read(name)
    assert track.kind == "run"
    assert len(track) == points
    assert int(track.segment.max()) + 1 == segments
    assert track.format == "gpx"
    assert track.source == str(real(name))


@pytest.mark.parametrize("name", sorted(ROUTES))
def test_routes(name: str) -> None:
    points, note = ROUTES[name]
    track = read(name)
    assert track.kind == "route" and track.time_s is None
    assert len(track) == points
    assert any(note in text and "route" in text for text in track.notes)


@pytest.mark.parametrize("name", sorted(ERRORS))
def test_files_without_a_run(name: str) -> None:
    with pytest.raises(ReadError) as caught:
        read(name)
    assert str(caught.value) == f"{real(name)}: {ERRORS[name]}"
    assert_one_sentence(caught.value, str(real(name)))


def test_fittrackee_times_with_offsets_are_utc() -> None:
    plain = read("fittrackee/gpx_file.gpx")
    offset = read("fittrackee/gpx_file_with_offset.gpx")
    assert plain.time_s is not None and offset.time_s is not None
    assert np.array_equal(plain.time_s, offset.time_s)
    assert plain.time_s[0] == datetime(2018, 3, 13, 12, 44, 45, tzinfo=UTC).timestamp()
    assert plain.time_s[-1] - plain.time_s[0] == 250


def test_microsecond_times() -> None:
    track = read("fittrackee/gpx_file_with_microseconds.gpx")
    assert track.time_s is not None
    assert track.time_s[0] == datetime(2018, 3, 13, 13, 44, 45, 787000, tzinfo=UTC).timestamp()


def test_nikeplus_points_under_a_second_apart() -> None:
    track = read("gpxpy/track-with-less-sec-time.gpx")
    assert track.time_s is not None
    assert track.time_s[1] - track.time_s[0] == pytest.approx(0.994, abs=1e-6)


def test_opentracks_pause_markers_are_dropped_and_split_the_run() -> None:
    track = read("opentracks/legacy_gpx_pause_resume.gpx")
    assert [(point.index, point.line, point.reason) for point in track.dropped] == [
        (3, 42, "is an OpenTracks pause marker"),
        (4, 46, "is an OpenTracks resume marker"),
    ]
    assert track.segment.tolist() == [0, 0, 0, 1]
    assert track.lon_deg.tolist() == [14, 14.001, 14.002, 14.003]
    assert track.name == "2021-01-07 22:51"


def test_cerknicko_first_track_is_empty() -> None:
    track = read("gpxpy/cerknicko-jezero.gpx")
    # 8 tracks, the first has no points: 7 segments of 173, 52, 2, 44, 2, 2 and 21 points.
    assert np.bincount(track.segment).tolist() == [173, 52, 2, 44, 2, 2, 21]


# Heart rate and cadence


def extension_values(path: Path, local_name: str) -> np.ndarray:
    """The first element with this local name inside each trkpt, as a float (NaN if none)."""
    values = []
    for point in ET.parse(path).getroot().iter(f"{{{GPX_NS}}}trkpt"):
        found = [e.text for e in point.iter() if e.tag.rpartition("}")[2] == local_name]
        values.append(float(found[0]) if found and found[0] else math.nan)
    return np.array(values)


def test_garmin_trackpointextension_heart_rate_and_cadence() -> None:
    name = "fittrackee/gpx_file_with_gpxtpx_extensions.gpx"
    track = read(name)
    hr = extension_values(real(name), "hr")
    cad = extension_values(real(name), "cad")
    assert len(hr) == len(track) == 25
    assert np.array_equal(track.heart_rate_bpm, hr)
    assert np.array_equal(track.cadence_rpm, cad)
    assert (track.heart_rate_bpm[0], track.cadence_rpm[0]) == (92, 0)
    assert track.heart_rate_bpm.max() == 92


def test_cluetrust_gpxdata_heart_rate_on_every_point() -> None:
    name = "goldencheetah/Move_2014_01_17_09_33_11.gpx"
    track = read(name)
    hr = extension_values(real(name), "hr")
    assert len(hr) == len(track) == 1405
    assert not np.isnan(hr).any()
    assert np.array_equal(track.heart_rate_bpm, hr)
    assert track.heart_rate_bpm[:3].tolist() == [92, 101.289987711843, 110.429995903948]
    assert np.isnan(track.cadence_rpm).all()


def test_opentracks_extension_on_one_point() -> None:
    track = read("opentracks/legacy_gpx_trackpointextensions_incorrect.gpx")
    assert np.array_equal(
        track.heart_rate_bpm, [np.nan, 69, np.nan, np.nan, np.nan], equal_nan=True
    )
    assert np.array_equal(track.cadence_rpm, [np.nan, 3, np.nan, np.nan, np.nan], equal_nan=True)


def test_heart_rate_outside_human_range_reads_as_absent(scanner: str) -> None:
    points = [
        trkpt(i, hr=hr, cad=cad) for i, (hr, cad) in enumerate([(0, 0), (300, 400), (150, 90)])
    ]
    track = reading.read_bytes(gpx(points), "run.gpx")
    assert np.array_equal(track.heart_rate_bpm, [np.nan, np.nan, 150], equal_nan=True)
    assert np.array_equal(track.cadence_rpm, [0, np.nan, 90], equal_nan=True)


# Routes and partial times


def test_rte_file_is_a_route(scanner: str) -> None:
    points = "".join(
        f'<rtept lat="{47 + i / 1000}" lon="8"><name>p{i}</name></rtept>' for i in range(5)
    )
    data = f'<gpx version="1.1" xmlns="{GPX_NS}"><rte><name>Plan</name>{points}</rte></gpx>'
    track = reading.read_bytes(data.encode(), "plan.gpx")
    assert track.kind == "route"
    assert len(track) == 5
    assert track.lat_deg.tolist() == [47, 47.001, 47.002, 47.003, 47.004]
    assert "is a GPX route (<rte>): it has a shape and a length, but no times" in track.notes


def test_track_wins_over_route_in_the_same_file() -> None:
    route = '<rte><rtept lat="1" lon="1"/><rtept lat="2" lon="2"/></rte>'
    data = run(10).replace(b"<trk>", route.encode() + b"<trk>")
    track = reading.read_bytes(data, "run.gpx")
    assert track.kind == "run" and len(track) == 10


def test_track_without_times_is_a_route(scanner: str) -> None:
    track = reading.read_bytes(run(10, time=None), "run.gpx")
    assert track.kind == "route" and len(track) == 10
    assert track.notes == ("has no timestamps: read as a route (distance and shape only)",)


def test_one_point_in_a_hundred_without_time_is_dropped(scanner: str) -> None:
    data = gpx(trkpt(i, time=None if i == 37 else "") for i in range(100))
    track = reading.read_bytes(data, "run.gpx")
    assert track.kind == "run" and len(track) == 99
    assert [(p.index, p.line, p.reason) for p in track.dropped] == [(37, 42, "has no time")]
    assert track.notes == ("dropped 1 of 100 points: 1 point has no time (line 42)",)


def test_empty_time_element_counts_as_no_time(scanner: str) -> None:
    data = gpx(trkpt(i, time="  " if i == 37 else "") for i in range(100))
    track = reading.read_bytes(data, "run.gpx")
    assert [(p.index, p.reason) for p in track.dropped] == [(37, "has an empty time")]


def test_six_untimed_points_in_a_hundred_make_a_route(scanner: str) -> None:
    data = gpx(trkpt(i, time=None if i % 17 == 0 else "") for i in range(100))
    track = reading.read_bytes(data, "run.gpx")
    assert track.kind == "route" and len(track) == 100
    assert "has times on only 94 of 100 points" in track.notes[0]


def test_every_point_at_the_same_time_is_a_route(scanner: str) -> None:
    track = reading.read_bytes(run(10, time=iso(0)), "run.gpx")
    assert track.kind == "route"
    assert track.notes == (
        "gives every point the same time: read as a route (distance and shape only)",
    )


# Bad values: the point is dropped with its line, or the file is refused with its line


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        ({"lat": "100"}, "has an impossible position"),
        ({"lon": "-180.5"}, "has an impossible position"),
        ({"lon": "abc"}, 'has longitude "abc", which is not a number'),
        ({"lat": ""}, "has no position"),
        ({"lat": "nan"}, "has no usable position"),
        ({"lon": "inf"}, "has no usable position"),
        ({"lat": "0", "lon": "0"}, "is at 0,0 (a receiver without a fix)"),
    ],
)
def test_bad_position_drops_the_point_with_its_line(
    scanner: str, fields: dict[str, str], reason: str
) -> None:
    data = gpx(trkpt(i, **(fields if i == 40 else {})) for i in range(100))
    track = reading.read_bytes(data, "run.gpx")
    assert len(track) == 99
    assert [(p.index, p.line, p.reason) for p in track.dropped] == [(40, 45, reason)]
    assert 47.004 not in track.lat_deg.tolist()
    assert f"1 point {reason} (line 45)" in track.notes[0]


def test_missing_lat_attribute(scanner: str) -> None:
    data = run(20).replace(b'<trkpt lat="47.000500" ', b"<trkpt ")
    track = reading.read_bytes(data, "run.gpx")
    assert [(p.index, p.line, p.reason) for p in track.dropped] == [(5, 10, "has no position")]


def test_unreadable_elevation_drops_the_point(scanner: str) -> None:
    data = gpx(trkpt(i, ele="high" if i == 3 else "") for i in range(20))
    track = reading.read_bytes(data, "run.gpx")
    assert [(p.index, p.reason) for p in track.dropped] == [
        (3, 'has elevation "high", which is not a number')
    ]


@pytest.mark.parametrize(
    ("time", "problem"),
    [
        ("2021-02-30T06:00:03Z", "time '2021-02-30T06:00:03Z' is not a real date and time"),
        ("2024-04-31T06:00:03Z", "time '2024-04-31T06:00:03Z' is not a real date and time"),
        (
            "2016-12-31T23:59:60Z",
            "time '2016-12-31T23:59:60Z' is a leap second, which heroicrun cannot read",
        ),
        ("yesterday", "time 'yesterday' is not an ISO 8601 date and time"),
        (
            "2024-05-01T06:01:00+99:99",
            "time '2024-05-01T06:01:00+99:99' has an impossible UTC offset"
            " (no clock is more than 14 hours from UTC)",
        ),
        (
            "2024-05-01T06:01:00+05:75",
            "time '2024-05-01T06:01:00+05:75' has an impossible UTC offset"
            " (an hour has 60 minutes)",
        ),
    ],
)
def test_broken_time_is_refused_with_its_line(scanner: str, time: str, problem: str) -> None:
    data = gpx(trkpt(i, time=time if i == 60 else "") for i in range(100))
    with pytest.raises(ReadError) as caught:
        reading.read_bytes(data, "run.gpx")
    assert str(caught.value) == f"run.gpx: line 65: {problem}"
    assert caught.value.line == 65
    assert_one_sentence(caught.value, "run.gpx")


def test_an_impossible_offset_on_every_point_is_refused_with_the_first_line(scanner: str) -> None:
    data = gpx(trkpt(i, time=iso(i, "+99:99")) for i in range(100))
    with pytest.raises(ReadError) as caught:
        reading.read_bytes(data, "run.gpx")
    assert str(caught.value) == (
        f"run.gpx: line 5: time '{iso(0, '+99:99')}' has an impossible UTC offset"
        " (no clock is more than 14 hours from UTC)"
    )


def test_huge_broken_time_is_shortened_in_the_message() -> None:
    data = gpx(trkpt(i, time="9" * 5000 if i == 2 else "") for i in range(10))
    with pytest.raises(ReadError) as caught:
        reading.read_bytes(data, "run.gpx")
    assert (
        str(caught.value) == f"run.gpx: line 7: time '{'9' * 40}…' is not an ISO 8601 date and time"
    )


def test_naive_times_among_offset_times_are_refused(scanner: str) -> None:
    data = gpx(trkpt(i, time=iso(i, "") if i == 30 else "") for i in range(100))
    with pytest.raises(ReadError) as caught:
        reading.read_bytes(data, "run.gpx")
    assert str(caught.value) == (
        "run.gpx: line 35: mixes times with a UTC offset and times without one,"
        " so the order of the points cannot be trusted"
    )
    assert_one_sentence(caught.value, "run.gpx")


def test_naive_times_throughout_are_utc(scanner: str) -> None:
    track = reading.read_bytes(gpx(trkpt(i, time=iso(i, "")) for i in range(10)), "run.gpx")
    assert track.time_s is not None
    assert track.time_s.tolist() == [seconds(i) for i in range(10)]


def test_a_glitch_back_in_time_drops_only_that_point(scanner: str) -> None:
    data = gpx(trkpt(i, time=iso(i - 3600) if i == 50 else "") for i in range(100))
    track = reading.read_bytes(data, "run.gpx")
    assert len(track) == 99
    assert [(p.index, p.line, p.reason) for p in track.dropped] == [
        (50, 55, "has a time out of order")
    ]
    assert track.time_s is not None
    assert track.time_s.tolist() == [seconds(i) for i in range(100) if i != 50]


def test_a_glitch_forward_in_time_drops_only_that_point(scanner: str) -> None:
    data = gpx(trkpt(i, time=iso(i + 86_400) if i == 50 else "") for i in range(100))
    track = reading.read_bytes(data, "run.gpx")
    assert [(p.index, p.reason) for p in track.dropped] == [(50, "has a time out of order")]


def test_duplicate_timestamps_are_dropped(scanner: str) -> None:
    data = gpx(trkpt(i, time=iso(i - 1) if i in (20, 70) else "") for i in range(100))
    track = reading.read_bytes(data, "run.gpx")
    # Points 19 and 20 share a time, as do 69 and 70: one of each pair goes.
    assert len(track) == 98
    first, second = track.dropped
    assert first.index in (19, 20) and second.index in (69, 70)
    assert first.line == first.index + 5 and second.line == second.index + 5
    assert first.reason == second.reason == "repeats another point's time"
    assert track.notes == (
        f"dropped 2 of 100 points: 2 points repeat another point's time"
        f" (first at line {first.line})",
    )
    assert track.time_s is not None
    assert track.time_s.tolist() == [seconds(i) for i in range(100) if i not in (20, 70)]


def test_segments_written_out_of_time_order_are_reordered(scanner: str) -> None:
    second, first, third = range(100, 110), range(0, 10), range(200, 210)
    data = gpx(*([trkpt(i) for i in part] for part in (second, first, third)))
    track = reading.read_bytes(data, "run.gpx")
    assert track.time_s is not None
    assert track.time_s.tolist() == [seconds(i) for i in [*first, *second, *third]]
    assert track.lat_deg.tolist() == [round(47 + i / 10_000, 6) for i in [*first, *second, *third]]
    assert track.segment.tolist() == [0] * 10 + [1] * 10 + [2] * 10
    assert track.dropped == ()


def test_tracks_written_out_of_time_order_are_reordered() -> None:
    late = gpx(trkpt(i) for i in range(100, 105)).decode()
    early = gpx(trkpt(i) for i in range(5)).decode()
    trk = early[early.index("<trk>") : early.index("</trk>") + 6]
    data = late.replace("</trk>", "</trk>" + trk).encode()
    track = reading.read_bytes(data, "run.gpx")
    assert track.time_s is not None
    assert track.time_s.tolist() == [seconds(i) for i in [0, 1, 2, 3, 4, 100, 101, 102, 103, 104]]
    assert track.segment.tolist() == [0] * 5 + [1] * 5


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        (gpx([]), "has no track points"),
        (gpx(), "has no track points"),
        (gpx([trkpt(0)]), "has only one usable point; a run needs at least two"),
        (
            gpx([trkpt(0), trkpt(1, lat="abc")]),
            'has only one usable point (1 point has latitude "abc", which is not a number'
            " (line 6)); a run needs at least two",
        ),
        (
            gpx([trkpt(0, lat="91"), trkpt(1, lat="abc")]),
            "has no usable points (1 point has an impossible position (line 5);"
            ' 1 point has latitude "abc", which is not a number (line 6))',
        ),
        (f'<gpx xmlns="{GPX_NS}"><wpt lat="1" lon="2"/></gpx>'.encode(), "has no track points"),
    ],
)
def test_files_with_nothing_to_measure(scanner: str, data: bytes, problem: str) -> None:
    with pytest.raises(ReadError) as caught:
        reading.read_bytes(data, "run.gpx")
    assert str(caught.value) == f"run.gpx: {problem}"
    assert_one_sentence(caught.value, "run.gpx")


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        (
            b'<?xml version="1.0"?>\n<kml xmlns="http://www.opengis.net/kml/2.2"><Document/></kml>',
            "is a KML file (Google Earth); heroicrun reads GPX, TCX and FIT",
        ),
        (bytes(range(256)) * 4, "is not a GPX, TCX or FIT file (it does not start like one)"),
        (b"", "is empty"),
        (b" \r\n\t\n", "is empty"),
        (
            b"<html><body>Not found</body></html>",
            "is XML with a <html> root, not GPX or TCX (expected <gpx>)",
        ),
        (b"<gpx><trk></gpx>", "line 1: is not well-formed XML (mismatched tag, column 13)"),
        (run(10)[:-200], "line 13: ends too early: the XML is cut off (unclosed token)"),
    ],
)
def test_files_that_are_not_gpx(data: bytes, problem: str) -> None:
    with pytest.raises(ReadError) as caught:
        reading.read_bytes(data, "run.gpx")
    assert str(caught.value) == f"run.gpx: {problem}"
    assert_one_sentence(caught.value, "run.gpx")


def test_paths_that_are_not_files(tmp_path: Path) -> None:
    (tmp_path / "empty.gpx").write_bytes(b"")
    cases = {
        tmp_path / "missing.gpx": "does not exist",
        tmp_path: "is a directory, not a file",
        tmp_path / "empty.gpx": "is empty",
    }
    for path, problem in cases.items():
        with pytest.raises(ReadError) as caught:
            reading.read_path(path)
        assert str(caught.value) == f"{path}: {problem}"
        assert_one_sentence(caught.value, str(path))


def test_max_points() -> None:
    with pytest.raises(ReadError) as caught:
        reading.read_bytes(run(2000), "long.gpx", reading.Limits(max_points=1000))
    assert str(caught.value) == (
        "long.gpx: has more than 1,000 points, more than heroicrun reads in one file"
    )
    assert len(reading.read_bytes(run(1000), "long.gpx", reading.Limits(max_points=1000))) == 1000


def test_track_name() -> None:
    assert reading.read_bytes(run(5), "run.gpx").name == "Morning run"
    assert reading.read_bytes(gpx([trkpt(0), trkpt(1)], name="A &amp; B"), "x.gpx").name == "A & B"
