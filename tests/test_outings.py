"""Cutting a file into its outings: long gaps in time and changes of declared sport."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from heroicrun import measuring, outings, reading, summary
from heroicrun.track import DroppedPoint, Track
from tests.factory import TrackBuilder, without_gps
from tests.helpers.real import real_files

HOUR = 3600.0
DAY = 86400.0


def three_hikes_months_apart() -> Track:
    """Three 2 km hikes, 90 days apart, each with a pause of its own (an ExpertGPS export)."""
    builder = TrackBuilder(elevation_m=400.0).sport("hiking")
    builder.run(1000, 900, step_s=30).pause(600).run(1000, 900, step_s=30)
    for _ in range(2):
        builder.pause(90 * DAY).run(1000, 900, step_s=30).pause(600).run(1000, 900, step_s=30)
    return builder.build(source="hikes.gpx")


def test_one_outing_comes_back_as_the_same_track() -> None:
    track = TrackBuilder().run(5000, 1500).build()

    assert outings.split(track)[0] is track
    assert len(outings.split(track)) == 1


def test_a_two_hour_stop_is_a_pause_within_one_run() -> None:
    track = TrackBuilder().run(3000, 900).pause(2 * HOUR).run(3000, 900).build()

    assert outings.split(track) == [track]


def test_a_gap_of_exactly_three_hours_does_not_cut() -> None:
    track = TrackBuilder().run(3000, 900).pause(outings.OUTING_GAP_S).run(3000, 900).build()

    assert outings.split(track) == [track]


def test_hikes_months_apart_are_three_outings_each_with_its_own_points() -> None:
    track = three_hikes_months_apart()

    parts = outings.split(track)

    assert [(part.outing, part.outings) for part in parts] == [(1, 3), (2, 3), (3, 3)]
    assert sum(len(part) for part in parts) == len(track)
    first = 0
    for part in parts:
        assert part.time_s is not None and track.time_s is not None
        np.testing.assert_array_equal(part.time_s, track.time_s[first : first + len(part)])
        np.testing.assert_array_equal(part.lat_deg, track.lat_deg[first : first + len(part)])
        np.testing.assert_array_equal(
            part.elevation_m, track.elevation_m[first : first + len(part)]
        )
        # Each hike has its own pause: segments 0 and 1, whatever the file numbered them.
        assert part.segment[0] == 0 and set(part.segment.tolist()) == {0, 1}
        assert part.sport == "hiking" and len(part.legs) == 1 and part.legs[0].first == 0
        assert part.time_s[-1] - part.time_s[0] < HOUR
        first += len(part)
    assert [part.notes[-1] for part in parts] == [
        "is outing 1 of 3 in this file",
        "is outing 2 of 3 in this file",
        "is outing 3 of 3 in this file",
    ]


def test_three_tracks_on_consecutive_days_are_not_one_45_hour_run() -> None:
    builder = TrackBuilder().run(8000, 2700)
    builder.pause(DAY - 2700).run(8000, 2700).pause(DAY - 2700).run(8000, 2700)
    track = builder.build()
    assert track.time_s is not None and track.time_s[-1] - track.time_s[0] > 45 * HOUR

    parts = outings.split(track)

    assert len(parts) == 3
    for part in parts:
        assert part.time_s is not None
        assert part.time_s[-1] - part.time_s[0] == pytest.approx(2700)


def test_a_triathlon_is_five_outings_each_with_its_own_sport() -> None:
    builder = TrackBuilder().sport("swimming").run(1500, 1800, step_s=10)
    builder.sport("transition").run(200, 120, step_s=10)
    builder.sport("cycling").run(40000, 4000, step_s=10)
    builder.sport("transition").run(100, 60, step_s=10)
    builder.sport("running").run(10000, 2700, step_s=10)
    track = builder.build(source="triathlon.fit")
    assert track.sport == "multisport"

    parts = outings.split(track)

    assert [part.sport for part in parts] == [
        "swimming",
        "transition",
        "cycling",
        "transition",
        "running",
    ]
    assert [part.legs[0].first for part in parts] == [0] * 5
    assert all(len(part.legs) == 1 for part in parts)
    assert [part.outing for part in parts] == [1, 2, 3, 4, 5]
    assert {part.outings for part in parts} == {5}
    # Every point lands in exactly one outing, in order.
    assert track.time_s is not None
    joined = np.concatenate([part.time_s for part in parts if part.time_s is not None])
    np.testing.assert_array_equal(joined, track.time_s)


def test_a_route_is_cut_where_the_sport_changes_and_nowhere_else() -> None:
    builder = TrackBuilder().sport("cycling").run(5000, 600, step_s=30)
    builder.sport("running").run(2000, 600, step_s=30)
    route = builder.build(timed=False)

    parts = outings.split(route)

    assert [(part.sport, part.kind) for part in parts] == [
        ("cycling", "route"),
        ("running", "route"),
    ]
    untyped = TrackBuilder().run(3000, 600).pause(DAY).run(3000, 600).build(timed=False)
    assert outings.split(untyped) == [untyped]


def test_a_point_hours_away_from_the_rest_is_dropped_not_an_outing() -> None:
    track = TrackBuilder().run(5000, 1500, step_s=10).pause(5 * HOUR).build(source="late.gpx")

    parts = outings.split(track)

    assert len(parts) == 1
    (part,) = parts
    assert part is not track
    assert (part.outing, part.outings) == (1, 1)
    assert len(part) == len(track) - 1
    assert [point.reason for point in part.dropped] == [
        "has a time 5 hours away from any other point"
    ]
    assert part.dropped[0].index == len(track) - 1
    assert not any("outing 1 of" in note for note in part.notes)


def test_a_lone_point_between_outings_is_listed_once_with_the_files_own_dropped_points() -> None:
    builder = TrackBuilder().run(3000, 900, step_s=10).pause(6 * HOUR)
    builder.pause(2 * DAY).run(3000, 900, step_s=10)
    track = builder.build()
    earlier = DroppedPoint(index=4, line=20, reason="has no usable position")
    track = replace(track, dropped=(earlier,), notes=("dropped 1 of 2 points",))

    parts = outings.split(track)

    assert [len(part) for part in parts] == [91, 91]
    assert parts[1].dropped == ()
    assert parts[0].dropped[0] == earlier
    lone = parts[0].dropped[1]
    # The lone point is the 92nd kept point; the file's dropped point sat before it.
    assert lone.index == 92
    assert lone.reason == "has a time 6 hours away from any other point"
    assert all(part.notes[0] == "dropped 1 of 2 points" for part in parts)
    assert parts[0].notes[1].startswith("dropped 1 point standing alone between outings")


def test_a_sport_declared_for_one_point_only_is_dropped() -> None:
    builder = TrackBuilder().sport("running").run(2000, 600, step_s=10)
    builder.sport("cycling").run(10, 2, step_s=2)
    builder.sport("running").run(2000, 600, step_s=10)
    track = builder.build()

    parts = outings.split(track)

    assert [(part.sport, len(part)) for part in parts] == [("running", 61), ("running", 60)]
    assert parts[0].dropped[0].reason == "is the only point of its cycling part of the file"


def test_device_distance_starts_again_at_zero_and_began_only_precedes_the_first() -> None:
    builder = TrackBuilder().run(4000, 1200, step_s=10).pause(DAY).run(6000, 1800, step_s=10)
    track = without_gps(builder.build(source="treadmill.fit"))
    assert track.time_s is not None
    track = replace(track, began_s=float(track.time_s[0]) - 40.0)

    first, second = outings.split(track)

    assert first.device_distance_m is not None and second.device_distance_m is not None
    assert first.device_distance_m[0] == 0.0 and second.device_distance_m[0] == 0.0
    assert first.device_distance_m[-1] == pytest.approx(4000, abs=0.01)
    assert second.device_distance_m[-1] == pytest.approx(6000, abs=0.01)
    assert not first.gps and not second.gps
    assert first.began_s == track.began_s
    assert second.began_s is None


def test_outings_keep_the_files_name_format_and_source() -> None:
    track = replace(three_hikes_months_apart(), name="Hikes 2023")

    parts = outings.split(track)

    assert {(part.name, part.source, part.format) for part in parts} == {
        ("Hikes 2023", "hikes.gpx", "gpx")
    }


@pytest.mark.parametrize("path", real_files(".gpx", ".tcx", ".fit"), ids=lambda path: path.name)
def test_every_real_file_splits_into_outings_that_hold_all_its_points(path: Path) -> None:
    try:
        track = reading.read_path(path)
    except reading.ReadError:
        pytest.skip(f"{path.name} is refused by the reader, as it should be")

    parts = outings.split(track)

    lone = len(parts[0].dropped) - len(track.dropped)
    assert sum(len(part) for part in parts) + lone == len(track)
    assert [(part.outing, part.outings) for part in parts] == [
        (number, len(parts)) for number in range(1, len(parts) + 1)
    ]
    for part in parts:
        described = summary.describe(part, measuring.measure(part))
        json.dumps(described.model_dump(mode="json"), allow_nan=False)
        assert described.outing == part.outing
