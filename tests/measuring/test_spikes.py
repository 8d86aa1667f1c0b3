"""GPS glitches: found, dropped, reported; honest points never dropped."""

from __future__ import annotations

from dataclasses import replace

import pytest
from geopy.distance import geodesic

from heroicrun import geodesy
from heroicrun.measuring import measure, spikes
from heroicrun.track import Track
from tests.factory import TrackBuilder, as_route, read_gpx, straight_north, with_spike
from tests.helpers.real import real


def glitches_in(track: Track) -> list[tuple[int, int]]:
    keep, found = spikes.find(track, geodesy.step_distances_m(track.lat_deg, track.lon_deg))
    assert keep.sum() == len(track) - sum(g.last - g.first + 1 for g in found)
    return [(glitch.first, glitch.last) for glitch in found]


def shifted(track: Track, points: range, east_m: float) -> Track:
    """Return the track with the given points moved east_m to the east."""
    lat, lon = track.lat_deg.copy(), track.lon_deg.copy()
    for index in points:
        moved = geodesic(meters=east_m).destination((lat[index], lon[index]), 90.0)
        lat[index], lon[index] = moved.latitude, moved.longitude
    return replace(track, lat_deg=lat, lon_deg=lon)


def test_a_lone_point_far_off_is_a_glitch() -> None:
    assert glitches_in(with_spike(straight_north(1000, 300), 150, 480.0)) == [(150, 150)]


def test_two_separate_glitches() -> None:
    track = with_spike(with_spike(straight_north(1000, 300), 40, 200.0), 42, 90.0, bearing_deg=270)
    assert glitches_in(track) == [(40, 40), (42, 42)]


def test_up_to_three_points_off_together_are_one_glitch() -> None:
    track = shifted(straight_north(1000, 300), range(100, 103), 300.0)
    assert glitches_in(track) == [(100, 102)]
    (flag,) = measure(track).flags
    assert flag.detail == "dropped 3 points up to 300 m off the track (a GPS glitch)"
    assert (flag.start_offset_s, flag.end_offset_s, flag.points) == (100.0, 102.0, 3)


def test_four_points_off_together_are_left_alone() -> None:
    assert glitches_in(shifted(straight_north(1000, 300), range(100, 104), 300.0)) == []


def test_a_jump_that_does_not_come_back_is_not_a_glitch() -> None:
    assert glitches_in(shifted(straight_north(1000, 300), range(150, 301), 300.0)) == []


def test_a_point_just_off_the_line_is_not_a_glitch() -> None:
    # 10 m off a 3.3 m/s run: arriving and leaving at about 10.5 m/s, a fast but possible pace.
    assert glitches_in(with_spike(straight_north(1000, 300), 150, 10.0)) == []


def test_the_first_point_after_a_pause_is_not_judged_across_the_pause() -> None:
    track = TrackBuilder().run(300, 90).pause(30, moved_m=400, bearing_deg=90).run(300, 90).build()
    assert glitches_in(track) == []


def test_a_route_spike_is_found_by_its_shape() -> None:
    route = as_route(TrackBuilder().run(500, 10).build())  # a point every 50 m
    assert glitches_in(with_spike(route, 5, 300.0)) == [(5, 5)]


def test_a_route_out_to_a_viewpoint_and_back_is_kept() -> None:
    builder = TrackBuilder().run(250, 5)
    builder.run(300, 1, bearing_deg=90).run(300, 1, bearing_deg=270).run(250, 5)
    route = builder.build(timed=False)
    assert glitches_in(route) == []


def test_a_route_with_one_long_straight_is_kept() -> None:
    route = TrackBuilder().run(250, 5).run(400, 1).run(250, 5).build(timed=False)
    assert glitches_in(route) == []


def test_gpxpy_track_with_extremes() -> None:
    # gpxpy's smooth(remove_extremes=True) drops exactly 2 horizontal points from this file.
    assert glitches_in(read_gpx(real("gpxpy/track-with-extremes.gpx"))) == [(6, 6), (13, 13)]


def test_route_flags_have_no_times() -> None:
    route = with_spike(as_route(TrackBuilder().run(500, 10).build()), 5, 300.0)
    (flag,) = measure(route).flags
    assert flag.start_offset_s is None and flag.end_offset_s is None
    assert flag.start_distance_m == pytest.approx(200.0)
    assert flag.end_distance_m == pytest.approx(300.0)


def test_a_track_hopping_to_and_fro_at_every_point_is_one_flag() -> None:
    # Every other point sits 9,000 km away: 1,500 glitches, one stretch of bad fixes.
    track = straight_north(1000, 3000)
    lat, lon = track.lat_deg.copy(), track.lon_deg.copy()
    lat[1:-1:2], lon[1:-1:2] = -33.9, 151.2
    measures = measure(replace(track, lat_deg=lat, lon_deg=lon))
    assert measures.spikes_dropped == 1500
    (flag,) = measures.flags
    assert flag.kind == "gps_spike" and flag.points == 1500
    assert flag.detail.startswith("dropped 1,500 points up to ")
    assert flag.detail.endswith(" km off the track (1,500 GPS glitches close together)")
    assert (flag.start_offset_s, flag.end_offset_s) == (1.0, 2999.0)
    assert (flag.lat_deg, flag.lon_deg) == (-33.9, 151.2)


def test_glitches_far_apart_keep_a_flag_each() -> None:
    track = with_spike(with_spike(straight_north(1000, 300), 40, 200.0), 60, 90.0)
    assert [flag.points for flag in measure(track).flags] == [1, 1]
