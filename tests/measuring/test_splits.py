"""Per-km and per-mile splits, boundaries interpolated between points."""

from __future__ import annotations

import pytest

from heroicrun.measuring import measure
from tests.factory import TrackBuilder, as_route, straight_north

MILE_M = 1609.344


def test_a_steady_5_5_km_run_has_five_equal_km_and_a_half() -> None:
    splits = measure(straight_north(5500, 1650)).splits_km
    assert [split.number for split in splits] == [1, 2, 3, 4, 5, 6]
    assert [split.distance_m for split in splits] == pytest.approx([1000.0] * 5 + [500.0])
    assert [split.elapsed_s for split in splits] == pytest.approx([300.0] * 5 + [150.0])
    assert [split.moving_s for split in splits] == pytest.approx([300.0] * 5 + [150.0])
    assert [split.pace_s_per_km for split in splits] == pytest.approx([300.0] * 6)


def test_mile_splits_end_between_points() -> None:
    splits = measure(straight_north(5500, 1650)).splits_mile
    last_m = 5500 - 3 * MILE_M
    assert [split.distance_m for split in splits] == pytest.approx([MILE_M] * 3 + [last_m])
    assert [split.elapsed_s for split in splits] == pytest.approx(
        [MILE_M * 0.3] * 3 + [last_m * 0.3]
    )
    assert [split.pace_s_per_km for split in splits] == pytest.approx([300.0] * 4)


def test_a_pause_inside_a_split_is_elapsed_not_moving() -> None:
    splits = measure(TrackBuilder().run(500, 150).stand(120).run(1500, 450).build()).splits_km
    assert [split.elapsed_s for split in splits] == pytest.approx([420.0, 300.0])
    assert [split.moving_s for split in splits] == pytest.approx([300.0, 300.0])
    assert [split.pace_s_per_km for split in splits] == pytest.approx([300.0, 300.0])


def test_a_split_spent_mostly_standing_has_its_pace_from_moving_time() -> None:
    # 1 km in 240 s of running plus 5 minutes standing: elapsed 540 s, pace 240 s/km.
    (split,) = measure(TrackBuilder().run(500, 120).stand(300).run(500, 120).build()).splits_km
    assert split.elapsed_s == pytest.approx(540.0)
    assert split.pace_s_per_km == pytest.approx(240.0)


def test_a_last_split_under_a_metre_is_dropped() -> None:
    splits = measure(straight_north(2000.5, 600)).splits_km
    assert [split.distance_m for split in splits] == pytest.approx([1000.0, 1000.0])


def test_splits_show_the_climb() -> None:
    track = TrackBuilder(elevation_m=200).run(2500, 750, climb_m=125).build()
    splits = measure(track).splits_km
    assert [split.elevation_change_m for split in splits] == pytest.approx([50.0, 50.0, 25.0])


def test_a_route_has_splits_without_times() -> None:
    splits = measure(as_route(straight_north(1500, 450))).splits_km
    assert [split.distance_m for split in splits] == pytest.approx([1000.0, 500.0])
    assert all(split.elapsed_s is None and split.moving_s is None for split in splits)
    assert all(split.pace_s_per_km is None for split in splits)
