"""TrackAssembler: which points stay, why the others go, run or route, and in what order."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pytest

from heroicrun.reading.assembly import NAN, TrackAssembler
from heroicrun.reading.errors import ReadError
from heroicrun.track import DroppedPoint, Track
from tests.reading.documents import iso, seconds

Row = tuple[float, float, object]  # lat, lon, time


def north(count: int, start: int = 0, time: object = "iso") -> list[Row]:
    """`count` points 0.0001° apart going north, one second apart (ISO text times)."""
    return [
        (47 + i / 10_000, 8.0, iso(i).encode() if time == "iso" else time)
        for i in range(start, start + count)
    ]


def assemble(
    *segments: Sequence[Row],
    format: str = "gpx",
    lines: bool = True,
    max_points: int = 1000,
) -> Track:
    """A Track from segments of (lat, lon, time) rows; point i's "line" is 100 + i."""
    assembler = TrackAssembler("run.gpx", format, max_points)  # type: ignore[arg-type]
    for rows in segments:
        assembler.start_segment()
        for lat, lon, time in rows:
            assembler.add(lat, lon, time, elevation=5.0)  # type: ignore[arg-type]

    def find_lines(indexes: Sequence[int]) -> dict[int, int]:
        return {index: 100 + index for index in indexes}

    return assembler.finish(find_lines if lines else None)


def dropped(track: Track) -> list[tuple[int, int | None, str]]:
    return [(point.index, point.line, point.reason) for point in track.dropped]


def test_a_plain_run() -> None:
    track = assemble(north(10))
    assert track.kind == "run" and len(track) == 10
    assert track.time_s is not None
    assert track.time_s.tolist() == [seconds(i) for i in range(10)]
    assert track.segment.tolist() == [0] * 10
    assert track.elevation_m.tolist() == [5.0] * 10
    assert np.isnan(track.heart_rate_bpm).all() and np.isnan(track.cadence_rpm).all()
    assert track.dropped == () and track.notes == ()
    assert track.lat_deg.dtype == np.float64 and track.segment.dtype == np.int64


def test_extend_matches_add() -> None:
    rows = north(20)
    one_by_one = assemble(rows)
    assembler = TrackAssembler("run.gpx", "gpx", 1000)
    assembler.extend(
        [r[0] for r in rows],
        [r[1] for r in rows],
        [r[2] for r in rows],  # type: ignore[misc]
        [5.0] * 20,
        [NAN] * 20,
        [NAN] * 20,
    )
    at_once = assembler.finish()
    assert np.array_equal(one_by_one.lat_deg, at_once.lat_deg)
    assert np.array_equal(one_by_one.time_s, at_once.time_s)  # type: ignore[arg-type]


def test_fit_style_float_times() -> None:
    track = assemble([(47 + i / 10_000, 8.0, seconds(i)) for i in range(5)], format="fit")
    assert track.time_s is not None
    assert track.time_s.tolist() == [seconds(i) for i in range(5)]


def test_segments_are_renumbered_without_gaps() -> None:
    track = assemble(north(3), [], north(3, 10), [], [], north(3, 20))
    assert track.segment.tolist() == [0, 0, 0, 1, 1, 1, 2, 2, 2]


def test_one_point_segment_is_kept_as_its_own_segment() -> None:
    track = assemble(north(3), north(1, 10), north(3, 20))
    assert track.segment.tolist() == [0, 0, 0, 1, 2, 2, 2]


def test_no_times_is_a_route() -> None:
    track = assemble(north(5, time=None))
    assert track.kind == "route" and track.time_s is None
    assert track.notes == ("has no timestamps: read as a route (distance and shape only)",)
    assert len(track) == 5


@pytest.mark.parametrize(
    ("position", "reason"),
    [
        ((NAN, 8.0), "has no usable position"),
        ((47.0, float("inf")), "has no usable position"),
        ((91.0, 8.0), "has an impossible position"),
        ((-90.5, 8.0), "has an impossible position"),
        ((47.0, 180.01), "has an impossible position"),
        ((0.0, 0.0), "is at 0,0 (a receiver without a fix)"),
    ],
)
def test_bad_positions_are_dropped(position: tuple[float, float], reason: str) -> None:
    rows = north(10)
    rows[4] = (*position, rows[4][2])
    track = assemble(rows)
    assert dropped(track) == [(4, 104, reason)]
    assert track.notes == (f"dropped 1 of 10 points: 1 point {reason} (line 104)",)
    assert len(track) == 9


def test_edges_of_the_world_are_fine() -> None:
    rows = [
        (90.0, 180.0, iso(0).encode()),
        (-90.0, -180.0, iso(1).encode()),
        (0.0, 1e-9, iso(2).encode()),
    ]
    assert len(assemble(rows)) == 3


def test_rejected_points_keep_their_first_reason() -> None:
    assembler = TrackAssembler("run.gpx", "gpx", 100)
    for lat, lon, time in north(5):
        assembler.add(lat, lon, time)  # type: ignore[arg-type]
    assembler.reject(2, 'has latitude "x", which is not a number')
    assembler.reject(2, "something else")
    track = assembler.finish()
    assert dropped(track) == [(2, None, 'has latitude "x", which is not a number')]
    assert track.notes == (
        'dropped 1 of 5 points: 1 point has latitude "x", which is not a number',
    )


def test_values_outside_sensor_ranges_read_as_absent() -> None:
    assembler = TrackAssembler("run.gpx", "gpx", 100)
    values = [
        (-600.0, 10.0, -1.0),
        (9500.0, 300.0, 301.0),
        (-500.0, 20.0, 0.0),
        (9000.0, 255.0, 300.0),
    ]
    for i, (elevation, heart_rate, cadence) in enumerate(values):
        assembler.add(47 + i / 1000, 8.0, iso(i).encode(), elevation, heart_rate, cadence)
    track = assembler.finish()
    nan = np.nan
    assert np.array_equal(track.elevation_m, [nan, nan, -500, 9000], equal_nan=True)
    assert np.array_equal(track.heart_rate_bpm, [nan, nan, 20, 255], equal_nan=True)
    assert np.array_equal(track.cadence_rpm, [nan, nan, 0, 300], equal_nan=True)
    assert track.dropped == ()


def test_max_points() -> None:
    assembler = TrackAssembler("run.gpx", "gpx", 3)
    for lat, lon, time in north(3):
        assembler.add(lat, lon, time)  # type: ignore[arg-type]
    with pytest.raises(ReadError) as caught:
        assembler.add(1.0, 1.0, None)
    assert str(caught.value) == (
        "run.gpx: has more than 3 points, more than heroicrun reads in one file"
    )
    with pytest.raises(ReadError):
        TrackAssembler("run.gpx", "gpx", 3).extend(
            [1.0] * 4, [1.0] * 4, [None] * 4, [NAN] * 4, [NAN] * 4, [NAN] * 4
        )


@pytest.mark.parametrize(
    ("rows", "problem"),
    [
        ([], "has no track points"),
        (north(1), "has only one usable point; a run needs at least two"),
        (
            [(99.0, 8.0, iso(0).encode()), *north(1, 1)],
            "has only one usable point (1 point has an impossible position (line 100));"
            " a run needs at least two",
        ),
        (
            [(99.0, 8.0, iso(0).encode()), (0.0, 0.0, iso(1).encode())],
            "has no usable points (1 point has an impossible position (line 100);"
            " 1 point is at 0,0 (a receiver without a fix) (line 101))",
        ),
    ],
)
def test_nothing_left(rows: list[Row], problem: str) -> None:
    with pytest.raises(ReadError) as caught:
        assemble(rows)
    assert str(caught.value) == f"run.gpx: {problem}"


# Times


def test_one_untimed_point_in_a_hundred_is_dropped() -> None:
    rows = north(100)
    rows[10] = (rows[10][0], rows[10][1], None)
    track = assemble(rows)
    assert track.kind == "run" and len(track) == 99
    assert dropped(track) == [(10, 110, "has no time")]


def test_five_percent_untimed_is_still_a_run_six_is_a_route() -> None:
    five = [
        (lat, lon, None if i % 20 == 3 else time) for i, (lat, lon, time) in enumerate(north(100))
    ]
    assert assemble(five).kind == "run"
    six = [
        (lat, lon, None if i % 17 == 3 else time) for i, (lat, lon, time) in enumerate(north(100))
    ]
    track = assemble(six)
    assert track.kind == "route" and len(track) == 100
    assert track.notes == (
        "has times on only 94 of 100 points: read as a route (distance and shape only)",
    )


def test_untimed_share_counts_only_points_with_a_position() -> None:
    # Ten points without a position and without a time don't turn the other 90 into a route.
    rows = north(100)
    for i in range(10):
        rows[i] = (NAN, NAN, None)
    track = assemble(rows)
    assert track.kind == "run" and len(track) == 90
    assert {point.reason for point in track.dropped} == {"has no usable position"}


def test_all_times_equal_is_a_route() -> None:
    track = assemble(north(5, time=iso(0).encode()))
    assert track.kind == "route"
    assert track.notes == (
        "gives every point the same time: read as a route (distance and shape only)",
    )


def test_implausible_times_make_a_route_with_the_reason() -> None:
    track = assemble(north(5, time=b"1901-12-13T20:45:52.2073437Z"))
    assert track.kind == "route"
    assert track.notes == (
        "has no usable timestamps (first: time '1901-12-13T20:45:52.2073437Z' is not a plausible"
        " date): read as a route (distance and shape only)",
    )


def test_one_implausible_time_among_good_ones_is_dropped() -> None:
    rows = north(100)
    rows[50] = (rows[50][0], rows[50][1], b"2150-01-01T00:00:00Z")
    track = assemble(rows)
    assert dropped(track) == [(50, 150, "has time '2150-01-01T00:00:00Z' is not a plausible date")]


def test_the_note_on_dropped_points_tells_five_reasons_and_counts_the_rest() -> None:
    # Each bad time is quoted in its reason, so every dropped point has a reason of its own.
    rows = north(1000)
    for k in range(40):
        rows[10 + 20 * k] = (rows[0][0], rows[0][1], f"2150-01-01T00:00:{k:02d}Z".encode())
    track = assemble(rows)
    assert len(track.dropped) == 40
    (note,) = track.notes
    assert note.count("is not a plausible date") == 5
    assert note.endswith("; 35 more for other reasons")
    assert len(note) < 600


@pytest.mark.parametrize(
    ("time", "problem"),
    [
        (b"2021-02-29T06:00:00Z", "time '2021-02-29T06:00:00Z' is not a real date and time"),
        (
            b"2016-12-31T23:59:60Z",
            "time '2016-12-31T23:59:60Z' is a leap second, which heroicrun cannot read",
        ),
        (b"soon", "time 'soon' is not an ISO 8601 date and time"),
    ],
)
def test_a_broken_time_refuses_the_file(time: bytes, problem: str) -> None:
    rows = north(100)
    rows[60] = (rows[60][0], rows[60][1], time)
    with pytest.raises(ReadError) as caught:
        assemble(rows)
    assert str(caught.value) == f"run.gpx: line 160: {problem}"
    assert caught.value.line == 160


def test_a_broken_time_on_a_point_dropped_anyway_is_ignored() -> None:
    rows = north(100)
    rows[60] = (NAN, 8.0, b"2021-02-29T06:00:00Z")
    track = assemble(rows)
    assert dropped(track) == [(60, 160, "has no usable position")]


def test_a_broken_time_without_lines() -> None:
    rows = north(10)
    rows[3] = (rows[3][0], rows[3][1], b"2021-02-29T06:00:00Z")
    with pytest.raises(ReadError) as caught:
        assemble(rows, lines=False)
    assert str(caught.value) == "run.gpx: time '2021-02-29T06:00:00Z' is not a real date and time"


def test_mixed_offsets_refuse_the_file_at_the_first_odd_point() -> None:
    rows = north(10)
    rows[6] = (rows[6][0], rows[6][1], iso(6, "").encode())
    with pytest.raises(ReadError) as caught:
        assemble(rows)
    assert str(caught.value) == (
        "run.gpx: line 106: mixes times with a UTC offset and times without one,"
        " so the order of the points cannot be trusted"
    )
    rows = [
        (lat, lon, iso(i, "").encode() if i != 0 else time)
        for i, (lat, lon, time) in enumerate(north(10))
    ]
    with pytest.raises(ReadError) as caught:
        assemble(rows)
    assert caught.value.line == 101


def test_str_times_as_well_as_bytes() -> None:
    rows = [
        (lat, lon, time.decode() if i % 2 else time) for i, (lat, lon, time) in enumerate(north(10))
    ]  # type: ignore[union-attr]
    track = assemble(rows)
    assert track.time_s is not None
    assert track.time_s.tolist() == [seconds(i) for i in range(10)]


def test_one_point_back_in_time_is_dropped() -> None:
    rows = north(100)
    rows[40] = (rows[40][0], rows[40][1], iso(-500).encode())
    track = assemble(rows)
    assert dropped(track) == [(40, 140, "has a time out of order")]
    assert track.time_s is not None and np.all(np.diff(track.time_s) > 0)


def test_a_stretch_back_in_time_drops_the_shorter_side() -> None:
    # The clock jumps back 30 s at point 60: the 30 points that repeat earlier times go.
    rows = [(47 + i / 10_000, 8.0, iso(i if i < 60 else i - 30).encode()) for i in range(200)]
    track = assemble(rows)
    assert len(track) == 170
    assert track.time_s is not None and np.all(np.diff(track.time_s) > 0)
    assert len(track.dropped) == 30


def test_duplicates_are_dropped_as_repeats() -> None:
    rows = north(10)
    rows[5] = (rows[5][0], rows[5][1], rows[4][2])
    track = assemble(rows)
    assert len(track) == 9
    assert [point.reason for point in track.dropped] == ["repeats another point's time"]


def test_segments_are_put_in_time_order() -> None:
    track = assemble(north(3, 20), north(3, 0), north(3, 10))
    assert track.time_s is not None
    assert track.time_s.tolist() == [seconds(i) for i in (0, 1, 2, 10, 11, 12, 20, 21, 22)]
    assert track.lat_deg.tolist() == [47 + i / 10_000 for i in (0, 1, 2, 10, 11, 12, 20, 21, 22)]
    assert track.segment.tolist() == [0, 0, 0, 1, 1, 1, 2, 2, 2]
    assert track.dropped == ()


def test_overlapping_segments_lose_the_overlap() -> None:
    track = assemble(north(10, 0), north(10, 5))
    assert track.time_s is not None
    assert track.time_s.tolist() == [seconds(i) for i in range(15)]
    # Times 5 to 9 are written twice; one copy of each goes, from whichever side.
    assert [point.reason for point in track.dropped] == ["repeats another point's time"] * 5
    assert int(track.segment.max()) == 1


def test_segment_order_uses_the_first_kept_point() -> None:
    # The second segment's first point has no position; its next point still orders it.
    late, early = north(3, 50), north(3, 0)
    late[0] = (NAN, NAN, iso(-100).encode())
    track = assemble(late, early)
    assert track.time_s is not None
    assert track.time_s.tolist() == [seconds(i) for i in (0, 1, 2, 51, 52)]


# OpenTracks' pause markers


def test_opentracks_markers_split_the_segment() -> None:
    rows = [*north(3), (100.0, 0.0, iso(3).encode()), (200.0, 0.0, iso(4).encode()), *north(3, 5)]
    track = assemble(rows)
    assert track.segment.tolist() == [0, 0, 0, 1, 1, 1]
    assert dropped(track) == [
        (3, 103, "is an OpenTracks pause marker"),
        (4, 104, "is an OpenTracks resume marker"),
    ]
    assert track.notes == (
        "dropped 2 of 8 points: 1 point is an OpenTracks pause marker (line 103);"
        " 1 point is an OpenTracks resume marker (line 104)",
    )


def test_a_lone_pause_marker_also_splits() -> None:
    rows = [*north(3), (100.0, 0.0, iso(3).encode()), *north(3, 5)]
    assert assemble(rows).segment.tolist() == [0, 0, 0, 1, 1, 1]


def test_lat_100_is_only_a_marker_in_gpx() -> None:
    rows = [*north(3), (100.0, 0.0, iso(3).encode()), *north(3, 5)]
    track = assemble(rows, format="tcx")
    assert track.segment.tolist() == [0] * 6
    assert dropped(track) == [(3, 103, "has an impossible position")]


def test_lat_100_elsewhere_is_just_impossible() -> None:
    rows = [*north(3), (100.0, 3.0, iso(3).encode()), *north(3, 5)]
    track = assemble(rows)
    assert track.segment.tolist() == [0] * 6
    assert dropped(track) == [(3, 103, "has an impossible position")]


def test_summary_counts_and_plurals() -> None:
    rows = north(100)
    for i in (10, 20, 30):
        rows[i] = (95.0, 8.0, rows[i][2])
    rows[40] = (0.0, 0.0, rows[40][2])
    track = assemble(rows)
    assert track.notes == (
        "dropped 4 of 100 points: 3 points have an impossible position (first at line 110);"
        " 1 point is at 0,0 (a receiver without a fix) (line 140)",
    )
    assert track.dropped[0] == DroppedPoint(10, 110, "has an impossible position")


def test_name_is_carried() -> None:
    assembler = TrackAssembler("run.gpx", "gpx", 100)
    assembler.name = "Long run"
    for lat, lon, time in north(3):
        assembler.add(lat, lon, time)  # type: ignore[arg-type]
    assert assembler.finish().name == "Long run"


def test_a_point_stamped_decades_away_is_dropped() -> None:
    # The Strava Android FIT ends on a record dated 2085: still in order, still a clock fault.
    rows = [(47 + i / 10_000, 8.0, 1_632_751_990.0 + i) for i in range(50)]
    rows.append((47.0051, 8.0, 3_659_791_620.0))
    track = assemble(rows, format="fit")
    assert len(track) == 50
    assert track.time_s is not None and track.time_s[-1] == 1_632_751_990.0 + 49
    assert dropped(track) == [(50, 150, "has a time 23,461 days away from the rest of the run")]


def test_two_groups_a_week_apart_keep_the_larger() -> None:
    week = 7 * 86400.0 + 1
    rows = [(47 + i / 10_000, 8.0, 1e9 + i) for i in range(5)]
    rows += [(47 + i / 10_000, 8.0, 1e9 + week + i) for i in range(5, 20)]
    track = assemble(rows, format="fit")
    assert len(track) == 15
    assert [point.index for point in track.dropped] == [0, 1, 2, 3, 4]


def test_overnight_gaps_stay_one_run() -> None:
    rows = [(47 + i / 10_000, 8.0, 1e9 + i * 3600.0) for i in range(100)]  # hourly for 4 days
    assert len(assemble(rows, format="fit")) == 100
