"""A run's profile: a thinned line with its styles, km marks, samples along the distance with
pace, elevation and heart rate, a sketch, and bytes that read back the same."""

from __future__ import annotations

import numpy as np
import pytest

from heroicrun import measuring
from heroicrun.measuring import profile
from heroicrun.track import Track
from tests.factory import TrackBuilder, as_route, square_loop, straight_north, without_gps


def profiled(track: Track) -> profile.Profile:
    return profile.of(measuring.course_of(track), measuring.measure(track).flags)


def test_an_even_run_has_an_even_pace_and_its_times() -> None:
    # 5 km due north in 25 minutes: 300 s a km all the way.
    run = profiled(straight_north(5000, 1500))
    assert run.at_km[0] == 0.0 and run.at_km[-1] == pytest.approx(5.0)
    assert 990 <= len(run.at_km) <= profile.CHART_POINTS
    assert np.nanmax(np.abs(run.pace_s_per_km - 300.0)) < 0.5
    assert run.elapsed_s[-1] == pytest.approx(1500.0, abs=0.1)
    assert run.moving_s[-1] == pytest.approx(1500.0, abs=0.1)
    assert list(run.mark_km) == [1.0, 2.0, 3.0, 4.0]
    # The km marks lie where the run had gone that far: 1 km north is 0.009 degrees.
    assert run.mark_lat[0] - run.lat_deg[0] == pytest.approx(0.009, abs=0.0002)
    assert run.toward_lat[0] > run.mark_lat[0]  # pointing on, north
    assert run.timed and run.placed and not run.paused


def test_a_long_run_keeps_a_bounded_line_and_fewer_marks() -> None:
    # 246 km in 36 hours, a point a second: 130,000 points.
    run = profiled(straight_north(246_000, 36 * 3600, step_s=1))
    assert len(run.lat_deg) <= profile.MAP_POINTS + 2
    assert len(run.at_km) == profile.CHART_POINTS
    assert list(run.mark_km[:3]) == [20.0, 40.0, 60.0] and len(run.mark_km) == 12
    assert len(profile.to_bytes(run)) < 40_000


def test_a_ride_is_its_own_style_and_leaves_no_pace() -> None:
    track = TrackBuilder().run(2000, 600).run(10_000, 600).run(2000, 600).build()
    run = profiled(track)
    assert set(run.style.tolist()) == {profile.RUN, profile.VEHICLE}
    ridden = run.lat_deg[run.style == profile.VEHICLE]
    assert ridden.min() - run.lat_deg[0] == pytest.approx(2000 / 111_200, rel=0.02)
    middle = (run.at_km > 4) & (run.at_km < 10)
    assert np.isnan(run.pace_s_per_km[middle]).all()
    assert np.nanmedian(run.pace_s_per_km[run.at_km < 1.5]) == pytest.approx(300.0, abs=1)


def test_a_pause_between_segments_is_drawn_as_a_jump() -> None:
    track = TrackBuilder().run(1000, 300).pause(600, moved_m=300).run(1000, 300).build()
    run = profiled(track)
    assert run.paused and (run.style == profile.PAUSE).sum() == 1


def test_heart_rate_and_elevation_follow_the_points() -> None:
    track = (
        TrackBuilder(elevation_m=100.0)
        .run(1000, 300, climb_m=50.0, heart_rate_bpm=140.0)
        .run(1000, 300, heart_rate_bpm=160.0)
        .build()
    )
    run = profiled(track)
    assert np.nanmean(run.heart_rate_bpm[run.at_km < 0.9]) == pytest.approx(140.0)
    assert np.nanmean(run.heart_rate_bpm[run.at_km > 1.1]) == pytest.approx(160.0)
    assert run.elevation_m[0] == pytest.approx(100.0, abs=3) and np.nanmax(
        run.elevation_m
    ) == pytest.approx(150.0, abs=3)


def test_a_route_has_no_times_and_a_run_without_gps_no_map() -> None:
    route = profiled(as_route(straight_north(3000, 900)))
    assert not route.timed and np.isnan(route.pace_s_per_km).all() and route.placed
    blind = profiled(without_gps(straight_north(3000, 900)))
    assert not blind.placed and blind.sketch is None and len(blind.at_lat) == 0
    assert blind.at_km[-1] == pytest.approx(3.0, rel=0.01) and blind.timed


def test_the_sketch_fits_the_box_and_closes_a_loop() -> None:
    run = profiled(square_loop(4000, 1200))
    assert run.sketch is not None and run.sketch.startswith("M")
    points = [tuple(map(float, p.split())) for p in run.sketch[1:].split("L")]
    assert len(points) <= profile.SKETCH_POINTS
    assert all(0 <= x <= 100 and 0 <= y <= 100 for x, y in points)
    assert points[0] == pytest.approx(points[-1], abs=1)
    xs, ys = [x for x, _ in points], [y for _, y in points]
    assert max(xs) - min(xs) == pytest.approx(92, abs=1)  # a square fills the box, padded
    assert max(ys) - min(ys) == pytest.approx(92, abs=1)


def test_the_bytes_read_back_the_same_and_refuse_another_format() -> None:
    run = profiled(square_loop(4000, 1200))
    again = profile.from_bytes(profile.to_bytes(run))
    assert again.sketch == run.sketch
    assert np.array_equal(again.style, run.style)
    np.testing.assert_allclose(again.lat_deg, run.lat_deg, atol=1e-5)
    np.testing.assert_allclose(again.pace_s_per_km, run.pace_s_per_km, rtol=1e-5)
    with pytest.raises(profile.ProfileError):
        profile.from_bytes(b"not a profile")


def test_a_profile_made_another_way_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    kept = profile.to_bytes(profiled(straight_north(1000, 300)))
    monkeypatch.setattr(profile, "MADE_WITH", "profile-next")
    with pytest.raises(profile.ProfileError, match="profile-next"):
        profile.from_bytes(kept)


def test_a_file_of_many_pauses_keeps_a_bounded_line() -> None:
    # 5,000 segments of 20 points each: a style change at every twentieth point.
    builder = TrackBuilder()
    for _ in range(5000):
        builder.run(20, 20, step_s=1).pause(5)
    run = profiled(builder.build())
    assert len(run.lat_deg) <= profile.MAP_POINTS + 1
    assert run.paused and set(run.style.tolist()) == {profile.RUN, profile.PAUSE}
