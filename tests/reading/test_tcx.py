"""TCX activities and courses, checked against the XML itself and what their sources state."""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest

from heroicrun import measuring, reading
from heroicrun.reading.errors import ReadError
from heroicrun.track import Track
from tests.helpers.real import real
from tests.reading.documents import (
    TCX_NS,
    assert_same,
    iso,
    seconds,
    tcx,
    trackpoint,
    without_layouts,
)

FITTRACKEE = "fittrackee/tcx_with_one_lap_and_one_track.tcx"
MAPMYRIDE = "tcxreader/mapmyride_biking.tcx"


def utc(text: str) -> float:
    return datetime.fromisoformat(text).astimezone(UTC).timestamp()


def trackpoints(path: Path) -> list[dict[str, float]]:
    """Every Trackpoint's values as xml.etree reads them (NaN where absent)."""
    found = []
    for point in ET.parse(path).getroot().iter(f"{{{TCX_NS}}}Trackpoint"):

        def value(*names: str, element: ET.Element = point) -> float:
            path = "/".join(f"{{{TCX_NS}}}{name}" for name in names)
            text = element.findtext(path)
            return math.nan if text is None else float(text)

        time = point.findtext(f"{{{TCX_NS}}}Time")
        found.append(
            {
                "lat": value("Position", "LatitudeDegrees"),
                "lon": value("Position", "LongitudeDegrees"),
                "ele": value("AltitudeMeters"),
                "hr": value("HeartRateBpm", "Value"),
                "time": math.nan if time is None else utc(time),
            }
        )
    return found


def assert_matches_xml(track: Track, expected: list[dict[str, float]]) -> None:
    assert len(track) == len(expected)
    assert track.time_s is not None
    for key, column in [
        ("lat", track.lat_deg),
        ("lon", track.lon_deg),
        ("ele", track.elevation_m),
        ("hr", track.heart_rate_bpm),
    ]:
        assert np.array_equal(column, [p[key] for p in expected], equal_nan=True), key
    assert np.max(np.abs(track.time_s - [p["time"] for p in expected])) < 1e-6


def test_fittrackee_one_lap_one_track() -> None:
    track = reading.read_path(real(FITTRACKEE))
    assert track.format == "tcx" and track.kind == "run"
    assert len(track) == 25
    assert track.segment.tolist() == [0] * 25
    assert track.time_s is not None
    assert track.time_s[0] == utc("2018-03-13T12:44:45+00:00")
    assert track.time_s[-1] == utc("2018-03-13T12:48:55+00:00")
    assert (track.elevation_m.min(), track.elevation_m.max()) == (976, 997)
    assert track.dropped == () and track.notes == ()
    assert_matches_xml(track, trackpoints(real(FITTRACKEE)))


def test_mapmyride_points_without_position_are_dropped() -> None:
    track = reading.read_path(real(MAPMYRIDE))
    everything = trackpoints(real(MAPMYRIDE))
    assert len(everything) == 3112
    positioned = [p for p in everything if not math.isnan(p["lat"])]
    assert len(positioned) == len(track) == 3105
    assert_matches_xml(track, positioned)
    assert track.time_s is not None
    # tcxreader's test_trackpoint_time: the first kept point is at 15:58:31.4735.
    assert track.time_s[0] == pytest.approx(utc("2022-11-12T15:58:31.473500+00:00"), abs=1e-6)
    assert [(p.index, p.line, p.reason) for p in track.dropped] == [
        *[(i, 1, "has no position") for i in range(6)],
        (1567, 1, "has no position"),
    ]
    assert track.notes == ("dropped 7 of 3112 points: 7 points have no position (first at line 1)",)


def test_tracks_after_a_pause_become_segments() -> None:
    data = tcx([range_points(0, 5)], [range_points(100, 105), range_points(200, 205)])
    track = reading.read_bytes(data, "ride.tcx")
    assert track.segment.tolist() == [0] * 5 + [1] * 5 + [2] * 5
    assert track.time_s is not None
    assert track.time_s.tolist() == [
        seconds(i) for i in [*range(5), *range(100, 105), *range(200, 205)]
    ]
    assert track.elevation_m.tolist() == [
        100 + i for i in [*range(5), *range(100, 105), *range(200, 205)]
    ]


def paced(i: int, time_s: float | None = None) -> str:
    """Trackpoint `i` moved to 3.3 m/s (0.00003° north a second) and, if given, to `time_s`."""
    point = trackpoint(i).replace(f"{47 + i / 10_000:.6f}", f"{47 + i * 0.00003:.6f}")
    return point if time_s is None else point.replace(iso(i), iso(time_s))


def paced_points(start: int, stop: int) -> list[str]:
    return [paced(i) for i in range(start, stop)]


def test_auto_laps_are_not_pauses() -> None:
    # Garmin writes a <Track> in every lap: three laps of points 1 s apart run on as one.
    laps = [[paced_points(0, 60)], [paced_points(60, 120)], [paced_points(120, 180)]]
    lapped = reading.read_bytes(tcx(*laps), "laps.tcx")
    whole = reading.read_bytes(tcx([paced_points(0, 180)]), "laps.tcx")
    assert lapped.segment.tolist() == [0] * 180
    assert_same(lapped, whole)
    lapped_m = measuring.measure(lapped).distance_m
    assert lapped_m == measuring.measure(whole).distance_m
    assert lapped_m == pytest.approx(179 * 3.336, rel=1e-3)


def test_a_ten_minute_gap_between_tracks_is_a_pause() -> None:
    resumed = [paced(i, time_s=i + 600) for i in range(60, 120)]
    track = reading.read_bytes(tcx([paced_points(0, 60), resumed]), "paused.tcx")
    assert track.segment.tolist() == [0] * 60 + [1] * 60


def test_a_gap_long_for_the_recording_is_a_pause() -> None:
    # Points 1 s apart, then 20 s without one between two tracks: the watch was stopped.
    resumed = [paced(i, time_s=i + 19) for i in range(60, 120)]
    track = reading.read_bytes(tcx([paced_points(0, 60)], [resumed]), "stopped.tcx")
    assert track.segment.tolist() == [0] * 60 + [1] * 60


def test_smart_recording_spacing_joins_laps() -> None:
    # Points 4 s apart and 8 s across the lap: longer than one step, but not a stop.
    first = [paced(i, time_s=4 * i) for i in range(30)]
    second = [paced(i, time_s=4 * i + 4) for i in range(31, 60)]
    track = reading.read_bytes(tcx([first], [second]), "smart.tcx")
    assert track.segment.tolist() == [0] * 59


def test_a_jump_no_runner_makes_is_a_pause() -> None:
    # 2 s after the last point of lap one, the next lap starts 1.1 km further on.
    moved = [trackpoint(i).replace(iso(i), iso(i - 98)) for i in range(160, 200)]
    laps = [[[trackpoint(i) for i in range(60)]], [moved]]
    track = reading.read_bytes(tcx(*laps), "jump.tcx")
    assert track.segment.tolist() == [0] * 60 + [1] * 40


def test_laps_join_the_same_when_read_point_by_point(monkeypatch: pytest.MonkeyPatch) -> None:
    laps = [[paced_points(0, 30)], [paced_points(30, 60)], [paced_points(1000, 1030)]]
    fast = reading.read_bytes(tcx(*laps), "laps.tcx")
    without_layouts(monkeypatch)
    slow = reading.read_bytes(tcx(*laps), "laps.tcx")
    assert fast.segment.tolist() == [0] * 60 + [1] * 30
    assert_same(fast, slow)


def test_a_dropped_point_at_the_lap_end_does_not_split_the_run() -> None:
    first = paced_points(0, 30)
    first[-1] = first[-1].replace("<LatitudeDegrees>", "<LatitudeDegrees>x")
    track = reading.read_bytes(tcx([first], [paced_points(30, 60)]), "laps.tcx")
    assert len(track) == 59 and track.segment.tolist() == [0] * 59


def test_a_lap_of_unusable_points_does_not_split_the_run() -> None:
    nowhere = [trackpoint(i, position=False) for i in range(30, 32)]
    laps = [[paced_points(0, 30)], [nowhere], [paced_points(32, 60)]]
    track = reading.read_bytes(tcx(*laps), "laps.tcx")
    assert len(track) == 58 and track.segment.tolist() == [0] * 58


def range_points(start: int, stop: int, **fields: object) -> list[str]:
    return [trackpoint(i, **fields) for i in range(start, stop)]  # type: ignore[arg-type]


def test_heart_rate_inside_heartratebpm_value() -> None:
    points = [trackpoint(i, hr=None if i == 2 else 120 + i) for i in range(5)]
    track = reading.read_bytes(tcx([points]), "run.tcx")
    assert np.array_equal(track.heart_rate_bpm, [120, 121, np.nan, 123, 124], equal_nan=True)


def test_cadence_and_run_cadence() -> None:
    plain = trackpoint(0).replace("</Trackpoint>", "<Cadence>85</Cadence></Trackpoint>")
    extension = trackpoint(1).replace(
        "</Trackpoint>",
        '<Extensions><TPX xmlns="http://www.garmin.com/xmlschemas/ActivityExtension/v2">'
        "<Speed>3.1</Speed><RunCadence>88</RunCadence></TPX></Extensions></Trackpoint>",
    )
    track = reading.read_bytes(tcx([[plain, extension, trackpoint(2)]]), "run.tcx")
    assert np.array_equal(track.cadence_rpm, [85, 88, np.nan], equal_nan=True)


def test_a_value_elsewhere_is_not_heart_rate() -> None:
    # <Value> belongs to heart rate only inside <HeartRateBpm>.
    point = trackpoint(0).replace("</Trackpoint>", "<Other><Value>77</Value></Other></Trackpoint>")
    track = reading.read_bytes(tcx([[point, trackpoint(1)]]), "run.tcx")
    assert np.isnan(track.heart_rate_bpm).all()


def test_course_is_a_route() -> None:
    untimed = "".join(trackpoint(i).replace(f"<Time>{iso(i)}</Time>", "") for i in range(5))
    data = (
        f'<TrainingCenterDatabase xmlns="{TCX_NS}"><Courses><Course><Name>Loop</Name>'
        f"<Track>{untimed}</Track></Course></Courses></TrainingCenterDatabase>"
    )
    track = reading.read_bytes(data.encode(), "loop.tcx")
    assert track.kind == "route" and len(track) == 5
    assert "is a TCX course: it has a shape and a length, but no run times" in track.notes


def test_activity_without_trackpoints() -> None:
    with pytest.raises(ReadError) as caught:
        reading.read_bytes(tcx([[]]), "empty.tcx")
    assert str(caught.value) == "empty.tcx: has no track points"


def test_bad_latitude_in_a_trackpoint_names_its_line() -> None:
    points = range_points(0, 10)
    points[4] = points[4].replace("<LatitudeDegrees>47.000400", "<LatitudeDegrees>north")
    track = reading.read_bytes(tcx([points]), "run.tcx")
    # Declaration, root, <Activities>, <Lap><Track>, then point i on line 5 + i.
    assert [(p.index, p.line, p.reason) for p in track.dropped] == [
        (4, 9, 'has latitude "north", which is not a number')
    ]
