"""Fingerprints of runs without GPS and of the outings of one file."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from heroicrun import activity, outings
from tests.factory import TrackBuilder, straight_north, without_gps

DAY = 86400.0


def test_a_run_without_gps_has_a_fingerprint_of_its_times_and_distances() -> None:
    track = without_gps(straight_north(5000, 1500))
    assert track.device_distance_m is not None

    found = activity.of(track)

    assert found.points == len(track)
    assert track.time_s is not None and found.start_s == track.time_s[0]
    # The same run re-exported with distances rounded to the centimetre is the same activity.
    rounded = np.round(track.device_distance_m, 2)
    assert activity.of(replace(track, device_distance_m=rounded)).key == found.key
    # Another treadmill run over the same hours but another distance is another.
    longer = replace(track, device_distance_m=track.device_distance_m * 1.01)
    assert activity.of(longer).key != found.key


def test_two_treadmill_runs_of_one_length_at_other_times_differ() -> None:
    one = without_gps(straight_north(5000, 1500))
    assert one.time_s is not None
    other = replace(one, time_s=one.time_s + DAY)

    assert activity.of(one).key != activity.of(other).key


def test_a_run_with_gps_keeps_its_fingerprint_whatever_it_carries_beside() -> None:
    track = straight_north(2000, 600)
    assert activity.of(replace(track, began_s=1.0)).key == activity.of(track).key


def test_two_outings_of_one_file_have_two_fingerprints() -> None:
    builder = TrackBuilder().run(5000, 1500, step_s=5).pause(DAY).run(5000, 1500, step_s=5)
    track = builder.build()

    for version in (track, without_gps(track)):
        first, second = outings.split(version)
        keys = {activity.of(first).key, activity.of(second).key}
        assert len(keys) == 2


def test_an_outing_cut_from_a_file_is_the_same_activity_as_on_its_own() -> None:
    alone = TrackBuilder().run(5000, 1500, step_s=5).build()
    assert alone.time_s is not None
    later = TrackBuilder(start_time_s=float(alone.time_s[-1]) + DAY).run(3000, 900, step_s=5)
    together = TrackBuilder().run(5000, 1500, step_s=5).pause(DAY).run(3000, 900, step_s=5)

    first, _ = outings.split(together.build())

    assert activity.of(first).key == activity.of(alone).key
    assert activity.of(later.build()).key != activity.of(alone).key


def test_a_treadmill_outing_cut_from_a_file_counts_its_distance_from_its_own_start() -> None:
    together = TrackBuilder().run(5000, 1500, step_s=5).pause(DAY).run(3000, 900, step_s=5)
    track = without_gps(together.build())
    assert track.time_s is not None
    alone = TrackBuilder(start_time_s=float(track.time_s[0]) + 1500 + DAY)
    second_alone = without_gps(alone.run(3000, 900, step_s=5).build())

    _, second = outings.split(track)

    assert activity.of(second).key == activity.of(second_alone).key
