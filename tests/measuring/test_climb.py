"""Elevation gain and loss, GPS noise smoothed out."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from heroicrun.measuring import climb
from heroicrun.track import Track
from tests.factory import TrackBuilder, course_of, read_gpx, square_loop, with_elevation_noise
from tests.helpers.real import real


def gain_loss(track: Track) -> tuple[float, float]:
    run = course_of(track)
    profile = climb.smoothed(run)
    assert profile is not None
    assert not np.isnan(profile).any()
    return climb.gain_loss_m(run, profile)


def hill(height_m: float, up_m: float, down_m: float) -> Track:
    """A clean climb and descent at 3 m/s, flat 500 m before and after."""
    builder = TrackBuilder(elevation_m=200.0).run(500, 500 / 3)
    builder.run(up_m, up_m / 3, climb_m=height_m).run(down_m, down_m / 3, climb_m=-height_m)
    return builder.run(500, 500 / 3).build()


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5])
def test_a_flat_loop_with_noisy_elevation_climbs_almost_nothing(seed: int) -> None:
    # 10 km at 3 m/s, one point a second, elevation noise of 3 m: the raw points add up to
    # some 5,600 m of climb.
    gain, loss = gain_loss(with_elevation_noise(square_loop(10_000, 10_000 / 3), 3.0, seed))
    assert gain < 20.0
    assert loss < 20.0


def test_a_clean_100_m_climb_and_descent() -> None:
    gain, loss = gain_loss(hill(100.0, 1000.0, 1000.0))
    assert gain == pytest.approx(100.0, rel=0.05)
    assert loss == pytest.approx(100.0, rel=0.05)


def test_a_steep_100_m_climb_and_descent() -> None:
    gain, loss = gain_loss(hill(100.0, 500.0, 500.0))  # 20 %
    assert gain == pytest.approx(100.0, rel=0.05)
    assert loss == pytest.approx(100.0, rel=0.05)


def test_fittrackee_gpx_file() -> None:
    # Raw points: +2 m / -25 m. FitTrackee (gpxpy's smoothing) states 0.4 m / 23.4 m.
    gain, loss = gain_loss(read_gpx(real("fittrackee/gpx_file.gpx")))
    assert gain < 3.0
    assert 18.0 <= loss <= 26.0


def test_bumps_under_the_threshold_do_not_count() -> None:
    builder = TrackBuilder(elevation_m=100.0)
    for _ in range(5):
        builder.run(400, 120, climb_m=3.0).run(400, 120, climb_m=-3.0)
    assert gain_loss(builder.build()) == (0.0, 0.0)


def test_bumps_over_the_threshold_count_almost_in_full() -> None:
    builder = TrackBuilder(elevation_m=100.0)
    for _ in range(5):
        builder.run(400, 120, climb_m=6.0).run(400, 120, climb_m=-6.0)
    gain, loss = gain_loss(builder.build())
    # Smoothing rounds off each summit and valley by a few decimetres: 90 % of 30 m remains.
    assert 27.0 <= gain <= 30.0
    assert 27.0 <= loss <= 30.0


def test_points_without_elevation_are_skipped() -> None:
    track = hill(100.0, 1000.0, 1000.0)
    elevation = track.elevation_m.copy()
    elevation[::3] = np.nan
    gain, loss = gain_loss(replace(track, elevation_m=elevation))
    assert gain == pytest.approx(100.0, rel=0.05)
    assert loss == pytest.approx(100.0, rel=0.05)


def test_no_elevation_at_all() -> None:
    run = course_of(TrackBuilder().run(1000, 300).build())
    assert climb.smoothed(run) is None


def test_a_jump_across_a_pause_is_not_climbed() -> None:
    builder = TrackBuilder(elevation_m=100.0).run(1000, 300).pause(600)
    builder.elevation[-1] = 400.0  # took the cable car up while the watch was paused
    assert gain_loss(builder.run(1000, 300).build()) == (0.0, 0.0)


def test_dropping_small_zigzags_never_changes_the_result() -> None:
    rng = np.random.default_rng(11)
    for trial in range(500):
        count = int(rng.integers(2, 400))
        values = np.cumsum(rng.normal(0, 1.5 + trial % 3, count))
        new_segment = np.zeros(count, dtype=bool)
        new_segment[0] = True
        new_segment[rng.integers(0, count, int(rng.integers(0, 4)))] = True
        turns = np.flatnonzero(climb._turning_points(values, new_segment))
        fewer = climb._without_small_zigzags(values, new_segment, turns)
        expected = climb._hysteresis(values, new_segment)
        assert climb._hysteresis(values[turns], new_segment[turns]) == pytest.approx(expected)
        assert climb._hysteresis(values[fewer], new_segment[fewer]) == pytest.approx(expected)
