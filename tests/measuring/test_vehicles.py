"""Rides in a car or on a bike: held above any runner's speed."""

from __future__ import annotations

import pytest

from heroicrun.measuring import vehicles
from heroicrun.track import Track
from tests.factory import TrackBuilder, course_of, read_gpx, straight_north
from tests.helpers.real import real


def rides_in(track: Track) -> list[tuple[int, int]]:
    run = course_of(track)
    assert run.time_s is not None
    return [(ride.first, ride.last) for ride in vehicles.find(run, run.time_s)]


def test_a_car_ride_in_the_middle_of_a_run() -> None:
    track = TrackBuilder().run(3000, 1000).run(5000, 333).run(2000, 666).build()
    assert rides_in(track) == [(1000, 1333)]


def test_the_flag_says_where_and_how_fast() -> None:
    run = course_of(TrackBuilder().run(1000, 300).run(3000, 200).run(1000, 300).build())
    assert run.time_s is not None
    (ride,) = vehicles.find(run, run.time_s)
    flag = vehicles.flag(run, run.time_s, ride)
    assert flag.kind == "vehicle"
    assert flag.detail == (
        "covered 3.0 km in 3 min 20 s at 54 km/h, a vehicle's speed, so this stretch does not count"
    )
    assert (flag.start_offset_s, flag.end_offset_s, flag.points) == (300.0, 500.0, 201)
    assert flag.start_distance_m == pytest.approx(1000.0, abs=1e-6)
    assert flag.end_distance_m == pytest.approx(4000.0, abs=1e-6)
    assert (flag.lat_deg, flag.lon_deg) == (run.lat_deg[300], run.lon_deg[300])


def test_a_400_m_sprint_at_world_record_pace_is_running() -> None:
    # 9.3 m/s for 43 s: the fastest anyone has held that speed.
    track = TrackBuilder().run(1000, 300).run(400, 43).run(1000, 300).build()
    assert rides_in(track) == []


def test_a_steady_fast_run_is_running() -> None:
    # 6 m/s (2:47 per km) for half an hour: far beyond most, but a runner's speed.
    assert rides_in(straight_north(10800, 1800)) == []


def test_a_short_hop_faster_than_any_human_is_a_ride() -> None:
    # 30 s at 14 m/s: shorter than a minute, but 300 m in 30 s is out of anyone's reach.
    track = TrackBuilder().run(1000, 300).run(420, 30).run(1000, 300).build()
    assert rides_in(track) == [(300, 330)]


def test_two_steps_beyond_any_human_are_a_ride_however_short() -> None:
    # 100 m a second for 3 s: no 30 s window fits in a 5 s recording, and it is no glitch that
    # returns to the track, yet nobody ran it.
    track = TrackBuilder().run(2, 1).run(300, 3).run(2, 1).build()
    assert rides_in(track) == [(1, 4)]


def test_one_step_beyond_a_human_alone_is_not_a_ride() -> None:
    # 20 m in a second is 7.5 m more than a sprinter covers: within two fixes' GPS error.
    track = TrackBuilder().run(1000, 300).run(20, 1).run(1000, 300).build()
    assert rides_in(track) == []


def test_one_long_jump_after_a_signal_gap_is_not_run() -> None:
    # The fix is lost for ten minutes and comes back 30 km away: 50 m/s, in a single step.
    track = TrackBuilder().run(1000, 300).run(30_000, 600, step_s=600).run(1000, 300).build()
    assert rides_in(track) == [(300, 301)]


def test_a_single_step_far_beyond_a_human_is_not_run_however_short() -> None:
    track = TrackBuilder().run(1000, 300).run(60, 3, step_s=3).run(1000, 300).build()
    assert rides_in(track) == [(300, 301)]


def test_jumps_less_than_a_minute_apart_are_one_ride() -> None:
    # A track hopping 5 km and back every 20 s: one stretch, not a flag per hop.
    builder = TrackBuilder().run(1000, 300)
    for hop in range(6):
        builder.run(5000, 1, bearing_deg=90 if hop % 2 == 0 else 270).run(60, 20, step_s=20)
    track = builder.run(1000, 300).build()
    assert rides_in(track) == [(300, 311)]


def test_the_flag_of_an_impossible_jump_says_the_gps_was_wrong() -> None:
    run = course_of(TrackBuilder().run(1000, 300).run(2_000_000, 3, step_s=3).build())
    assert run.time_s is not None
    (ride,) = vehicles.find(run, run.time_s)
    assert vehicles.flag(run, run.time_s, ride).detail == (
        "jumped 2,000.0 km in 3 s at 2,400,000 km/h, faster than any vehicle (the GPS was"
        " wrong), so this stretch does not count"
    )


def test_a_minute_at_8_5_m_s_is_a_ride() -> None:
    track = TrackBuilder().run(1000, 300).run(680, 80).run(1000, 300).build()
    assert rides_in(track) == [(300, 380)]


def test_a_stop_at_the_lights_does_not_split_the_ride() -> None:
    track = (
        TrackBuilder().run(1000, 300).run(2000, 160).stand(40).run(2000, 160).run(1000, 300).build()
    )
    assert rides_in(track) == [(300, 660)]


def test_rides_far_apart_are_separate() -> None:
    builder = TrackBuilder().run(1000, 300).run(2000, 160).run(1000, 300)
    track = builder.run(2000, 160).run(1000, 300).build()
    assert rides_in(track) == [(300, 460), (760, 920)]


def test_step_mask_marks_the_ridden_steps() -> None:
    run = course_of(TrackBuilder().run(100, 30).run(1500, 100).run(100, 30).build())
    assert run.time_s is not None
    ridden = vehicles.step_mask(run, vehicles.find(run, run.time_s))
    assert ridden.sum() == 100
    assert ridden[30:130].all()


def test_a_garmin_etrex_in_a_car() -> None:
    track = read_gpx(real("gpxpy/around-visnjan-with-car.gpx"))
    run = course_of(track)
    assert run.time_s is not None
    rides = vehicles.find(run, run.time_s)
    ridden_m = sum(run.distance_m[ride.last] - run.distance_m[ride.first] for ride in rides)
    assert ridden_m > 0.9 * run.total_m
