"""measure(): the whole run, on exact synthetic tracks and on real files."""

from __future__ import annotations

import dataclasses
import math
from datetime import UTC, datetime

import pytest
from geopy.distance import geodesic

from heroicrun.measuring import Measures, measure
from heroicrun.track import Track
from tests.factory import (
    TrackBuilder,
    as_route,
    make_track,
    read_gpx,
    straight_north,
    with_position_noise,
    with_spike,
)
from tests.helpers.real import real

MILE_M = 1609.344


def geopy_length_m(track: Track) -> float:
    """The reference: geopy's geodesic summed over consecutive points of the same segment."""
    total = 0.0
    for i in range(len(track) - 1):
        if track.segment[i] == track.segment[i + 1]:
            start = (track.lat_deg[i], track.lon_deg[i])
            end = (track.lat_deg[i + 1], track.lon_deg[i + 1])
            total += geodesic(start, end).meters
    return total


def no_nan(measures: Measures) -> bool:
    """True when no float anywhere in the result is NaN."""

    def floats(value: object) -> list[float]:
        if isinstance(value, float):
            return [value]
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            return [
                f for field in dataclasses.fields(value) for f in floats(getattr(value, field.name))
            ]
        if isinstance(value, tuple):
            return [f for item in value for f in floats(item)]
        return []

    return not any(math.isnan(value) for value in floats(measures))


def test_one_km_due_north_in_300_s() -> None:
    track = straight_north(1000, 300)
    measures = measure(track)
    assert measures.kind == "run"
    assert measures.start_time == datetime(2024, 5, 1, 7, 0, tzinfo=UTC)
    assert measures.points == 301
    assert measures.spikes_dropped == 0
    assert measures.distance_m == pytest.approx(geopy_length_m(track), rel=1e-6)
    assert measures.distance_m == pytest.approx(1000.0, abs=1e-6)
    assert measures.elapsed_s == 300.0
    assert measures.moving_s == 300.0
    assert measures.pace_s_per_km == pytest.approx(300.0)
    assert measures.pace_s_per_mile == pytest.approx(300.0 * MILE_M / 1000)
    assert measures.average_speed_m_s == pytest.approx(1000 / 300)
    assert measures.max_speed_m_s == pytest.approx(1000 / 300)
    assert measures.flags == ()
    assert measures.vehicle_distance_m == 0.0
    assert measures.vehicle_s == 0.0
    assert measures.counted_distance_m == measures.distance_m
    assert measures.counted_moving_s == 300.0
    assert measures.heart_rate is None and measures.cadence is None
    assert measures.elevation_gain_m is None and measures.min_elevation_m is None


def test_a_route_has_a_length_and_no_times() -> None:
    measures = measure(as_route(straight_north(1000, 300)))
    assert measures.kind == "route"
    assert measures.distance_m == pytest.approx(1000.0, abs=1e-6)
    assert measures.start_time is None
    assert measures.elapsed_s is None
    assert measures.moving_s is None
    assert measures.pace_s_per_km is None and measures.pace_s_per_mile is None
    assert measures.average_speed_m_s is None and measures.max_speed_m_s is None
    assert measures.best_efforts == ()
    assert measures.vehicle_s is None and measures.counted_moving_s is None
    assert measures.counted_distance_m == measures.distance_m
    assert [split.elapsed_s for split in measures.splits_km] == [None]


def test_a_paused_watch_counts_in_elapsed_time_not_in_moving_time() -> None:
    track = TrackBuilder().run(500, 150).pause(120).run(500, 150).build()
    measures = measure(track)
    assert measures.elapsed_s == 420.0
    assert measures.moving_s == 300.0
    assert measures.distance_m == pytest.approx(1000.0, abs=1e-6)
    assert measures.pace_s_per_km == pytest.approx(300.0)


def test_standing_still_counts_in_elapsed_time_not_in_moving_time() -> None:
    track = TrackBuilder().run(500, 150).stand(120).run(500, 150).build()
    measures = measure(track)
    assert measures.elapsed_s == 420.0
    assert measures.moving_s == 300.0
    assert measures.distance_m == pytest.approx(1000.0, abs=1e-6)


def test_a_short_run_of_a_stand_and_one_fast_step_has_its_average_as_top_speed() -> None:
    # 4 m crept in 12 s (standing), then 5.78 m in 1 s: the fast step is shorter than the top
    # speed's 5 s window, so every window is mostly standing.
    measures = measure(TrackBuilder().run(4, 12, step_s=12).run(5.78, 1).build())
    assert measures.elapsed_s == 13.0
    assert measures.moving_s == 1.0
    assert measures.distance_m == pytest.approx(9.78)
    # The metres crept while standing were covered in no moving second: the average is the
    # moving step's own speed, not 9.78 m over 1 s.
    assert measures.average_speed_m_s == pytest.approx(5.78)
    assert measures.pace_s_per_km == pytest.approx(1000 / 5.78)
    assert measures.max_speed_m_s == measures.average_speed_m_s


def test_the_jump_across_a_pause_is_not_run_distance() -> None:
    track = TrackBuilder().run(500, 150).pause(600, moved_m=2000).run(500, 150).build()
    measures = measure(track)
    assert measures.distance_m == pytest.approx(1000.0, abs=1e-6)
    assert measures.distance_m == pytest.approx(geopy_length_m(track), rel=1e-6)
    assert measures.moving_s == 300.0
    assert measures.flags == ()


def test_a_gps_spike_is_dropped_and_reported_and_costs_no_distance() -> None:
    clean = straight_north(1000, 300)
    measures = measure(with_spike(clean, 150, 480.0))
    assert measures.spikes_dropped == 1
    assert measures.points == 300
    assert measures.distance_m == pytest.approx(measure(clean).distance_m, abs=1e-6)
    assert measures.moving_s == 300.0
    (flag,) = measures.flags
    assert flag.kind == "gps_spike"
    assert flag.detail == "dropped a point 480 m off the track (a GPS glitch)"
    assert (flag.start_offset_s, flag.end_offset_s, flag.points) == (150.0, 150.0, 1)
    assert flag.start_distance_m == pytest.approx(149 * 1000 / 300)
    assert flag.end_distance_m == pytest.approx(151 * 1000 / 300)  # the next kept point


def test_a_car_ride_is_flagged_and_not_counted() -> None:
    # 3 km at 3 m/s, 5 km by car at 15 m/s, 2 km at about 3 m/s.
    track = TrackBuilder().run(3000, 1000).run(5000, 333).run(2000, 666).build()
    measures = measure(track)
    (flag,) = measures.flags
    assert flag.kind == "vehicle"
    assert flag.start_distance_m == pytest.approx(3000.0, abs=1e-6)
    assert flag.end_distance_m == pytest.approx(8000.0, abs=1e-6)
    assert (flag.start_offset_s, flag.end_offset_s) == (1000.0, 1333.0)
    assert flag.points == 334
    assert flag.detail == (
        "covered 5.0 km in 5 min 33 s at 54 km/h, a vehicle's speed, so this stretch does not count"
    )
    assert measures.distance_m == pytest.approx(10000.0, abs=1e-6)
    assert measures.moving_s == 1999.0
    assert measures.vehicle_distance_m == pytest.approx(5000.0, abs=1e-6)
    assert measures.vehicle_s == 333.0
    assert measures.counted_distance_m == pytest.approx(5000.0, abs=1e-6)
    assert measures.counted_moving_s == 1666.0
    # The ride is no record: a mile at most fits between car door and car door, at a run's pace.
    assert [effort.name for effort in measures.best_efforts] == [
        "400 m",
        "1/2 mile",
        "1 km",
        "1 mile",
    ]
    one_km = measures.best_efforts[2]
    assert one_km.elapsed_s == pytest.approx(333.0)
    assert one_km.start_distance_m >= 8000.0
    assert measures.max_speed_m_s == pytest.approx(2000 / 666)
    # Pace and average speed are the runner's: 5 km on foot in 1666 s, the ride left out.
    assert measures.pace_s_per_km == pytest.approx(1666 / 5)
    assert measures.average_speed_m_s == pytest.approx(5000 / 1666)


def test_a_jump_after_a_signal_gap_counts_for_nothing() -> None:
    # 2 km, then the fix is lost for ten minutes and comes back 30 km away, then 2 km more.
    track = TrackBuilder().run(2000, 600).run(30_000, 600, step_s=600).run(2000, 600).build()
    measures = measure(track)
    assert measures.distance_m == pytest.approx(34_000.0, abs=1e-6)
    assert measures.counted_distance_m == pytest.approx(4000.0, abs=1e-6)
    assert measures.counted_moving_s == 1200.0
    assert len(measures.splits_km) == measures.splits_km_count == 4
    (flag,) = measures.flags
    assert flag.kind == "vehicle" and flag.points == 2
    assert flag.detail == (
        "jumped 30.0 km in 10 min 00 s at 180 km/h, a vehicle's speed, so this stretch does not"
        " count"
    )
    assert measures.pace_s_per_km == pytest.approx(300.0)


def test_a_track_round_the_globe_counts_nothing() -> None:
    # 20 points a few seconds apart, each a continent from the last.
    lat = [50.0 * (-1) ** i for i in range(20)]
    lon = [(i * 97) % 360 - 180.0 for i in range(20)]
    measures = measure(make_track(lat, lon, [1.7e9 + 3 * i for i in range(20)]))
    assert measures.distance_m > 100_000_000
    assert measures.counted_distance_m == 0.0
    assert measures.counted_moving_s == 0.0
    assert measures.splits_km == measures.splits_mile == ()
    assert measures.best_efforts == ()
    assert measures.pace_s_per_km is None and measures.max_speed_m_s is None
    (flag,) = measures.flags
    assert flag.points == 20
    assert "faster than any vehicle (the GPS was wrong)" in flag.detail


def test_a_noisy_but_honest_run_raises_no_flags() -> None:
    track = with_position_noise(straight_north(5000, 1500), sigma_m=2.0, seed=3)
    measures = measure(track)
    assert measures.flags == ()
    assert measures.spikes_dropped == 0
    assert measures.distance_m == pytest.approx(geopy_length_m(track), rel=1e-6)


def test_a_track_without_elevation_has_no_climb() -> None:
    measures = measure(straight_north(1000, 300))
    assert measures.elevation_gain_m is None
    assert measures.elevation_loss_m is None
    assert measures.min_elevation_m is None
    assert measures.max_elevation_m is None
    assert measures.splits_km[0].elevation_change_m is None


def test_a_single_point_measures_nothing() -> None:
    measures = measure(make_track([46.0], [14.5], [0.0]))
    assert measures.distance_m == 0.0
    assert measures.elapsed_s == 0.0
    assert measures.moving_s == 0.0
    assert measures.pace_s_per_km is None
    assert measures.average_speed_m_s is None
    assert measures.max_speed_m_s is None
    assert measures.splits_km == () and measures.best_efforts == ()


@pytest.mark.parametrize(
    "track",
    [
        straight_north(1000, 300),
        as_route(straight_north(1000, 300)),
        make_track([46.0], [14.5], None),
        TrackBuilder(elevation_m=300).run(500, 150, climb_m=5).stand(60).pause(60).build(),
    ],
)
def test_no_measure_is_ever_nan(track: Track) -> None:
    assert no_nan(measure(track))


def test_fittrackee_gpx_file() -> None:
    # FitTrackee states 0.4 m up and 23.4 m down (gpxpy-smoothed; the raw points say +2/-25).
    track = read_gpx(real("fittrackee/gpx_file.gpx"))
    measures = measure(track)
    assert measures.start_time == datetime(2018, 3, 13, 12, 44, 45, tzinfo=UTC)
    assert measures.elapsed_s == 250.0
    assert measures.distance_m == pytest.approx(geopy_length_m(track), rel=1e-9)
    assert measures.elevation_gain_m is not None and measures.elevation_gain_m < 3.0
    assert measures.elevation_loss_m is not None and 18.0 <= measures.elevation_loss_m <= 26.0
    assert (measures.min_elevation_m, measures.max_elevation_m) == (975.0, 998.0)
    assert measures.flags == ()


def test_fittrackee_gpx_file_with_segments_skips_the_gap() -> None:
    track = read_gpx(real("fittrackee/gpx_file_with_segments.gpx"))
    measures = measure(track)
    assert measures.elapsed_s == 250.0
    assert measures.distance_m == pytest.approx(geopy_length_m(track), rel=1e-9)
    # The 15 s between the segments is a pause: 235 s of moving at most.
    assert measures.moving_s is not None and measures.moving_s <= 235.0


def test_fittrackee_heart_rate_and_cadence() -> None:
    measures = measure(read_gpx(real("fittrackee/gpx_file_with_gpxtpx_extensions.gpx")))
    assert measures.heart_rate is not None and measures.cadence is not None
    # FitTrackee states average 85, max 92 bpm.
    assert measures.heart_rate.average == pytest.approx(85, abs=1)
    assert measures.heart_rate.maximum == 92.0
    # FitTrackee states 52 rpm, which counts the first point's cadence of 0 (1301 / 25 = 52.04);
    # heroicrun leaves the zero out (standing is not a cadence): 1301 / 24.
    assert measures.cadence.average == pytest.approx(1301 / 24)
    assert measures.cadence.maximum == 57.0


def test_a_car_drive_recorded_on_a_garmin_is_flagged() -> None:
    measures = measure(read_gpx(real("gpxpy/around-visnjan-with-car.gpx")))
    assert measures.points == 104
    assert [flag.kind for flag in measures.flags] == ["vehicle", "vehicle"]
    # What is left is crawling out of and into parking spaces.
    assert measures.counted_distance_m < 0.1 * measures.distance_m
    assert all(effort.distance_m / effort.elapsed_s < 10.0 for effort in measures.best_efforts)


def test_gpxpy_track_with_extremes_loses_its_two_spikes() -> None:
    # gpxpy's own test removes exactly 2 horizontal extremes from this hand-edited route.
    measures = measure(read_gpx(real("gpxpy/track-with-extremes.gpx")))
    assert measures.kind == "route"
    assert measures.spikes_dropped == 2
    assert [flag.kind for flag in measures.flags] == ["gps_spike", "gps_spike"]
    assert [(flag.lat_deg, flag.lon_deg) for flag in measures.flags] == [
        (45.485465008, 13.513392241),
        (45.480522421, 13.511353506),
    ]
    assert all(flag.start_offset_s is None for flag in measures.flags)
