"""Per-km and per-mile splits, boundaries interpolated between points."""

from __future__ import annotations

import pytest

from heroicrun.measuring import measure, splits
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


def test_splits_are_over_the_distance_run_not_ridden() -> None:
    # 2.5 km on foot, 5 km by car, 1.5 km on foot: four splits of the 4 km run.
    track = TrackBuilder().run(2500, 750).run(5000, 333).run(1500, 450).build()
    measures = measure(track)
    splits = measures.splits_km
    assert [split.distance_m for split in splits] == pytest.approx([1000.0] * 4)
    assert sum(split.distance_m for split in splits) == pytest.approx(measures.counted_distance_m)
    # The third km holds the ride: its clock time, but only the running in its pace.
    assert [split.elapsed_s for split in splits] == pytest.approx([300.0, 300.0, 633.0, 300.0])
    assert [split.pace_s_per_km for split in splits] == pytest.approx([300.0] * 4)


def test_a_track_of_impossible_jumps_has_no_splits() -> None:
    builder = TrackBuilder()
    for hop in range(19):
        builder.run(9_000_000, 3, step_s=3, bearing_deg=(hop * 97) % 360)
    measures = measure(builder.build())
    assert measures.distance_m > 100_000_000
    assert measures.splits_km == measures.splits_mile == ()
    assert measures.splits_km_count == measures.splits_mile_count == 0


def test_a_246_km_spartathlon_keeps_every_split() -> None:
    measures = measure(straight_north(246_000, 36 * 3600, step_s=10))
    assert [split.number for split in measures.splits_km] == list(range(1, 247))
    assert measures.splits_km_count == 246
    assert len(measures.splits_mile) == measures.splits_mile_count == 153
    assert measures.splits_km[-1].distance_m == pytest.approx(1000.0)


def test_a_journey_past_a_thousand_splits_lists_the_first_thousand_and_counts_all() -> None:
    # 1,500 km on foot in one file, a point every 10 minutes at 2.5 m/s.
    measures = measure(straight_north(1_500_000, 600_000, step_s=600))
    assert len(measures.splits_km) == splits.MAX_SPLITS
    assert measures.splits_km[-1].number == splits.MAX_SPLITS
    assert measures.splits_km_count == 1500
    # 932 full miles and 99 m: under the cap, every one listed.
    assert len(measures.splits_mile) == measures.splits_mile_count == 933
