"""The course: kept points, their steps and the distance run so far."""

from __future__ import annotations

import numpy as np
import pytest

from heroicrun import geodesy
from heroicrun.measuring import course
from tests.factory import TrackBuilder, course_of, straight_north, with_spike


def test_steps_and_running_distance() -> None:
    run = course_of(straight_north(1000, 300))
    assert run.step_m.shape == (300,)
    assert run.step_m == pytest.approx(np.full(300, 1000 / 300))
    assert run.distance_m[0] == 0.0
    assert run.total_m == pytest.approx(1000.0, abs=1e-6)
    assert run.joined.all()


def test_times_count_from_the_first_point() -> None:
    track = straight_north(1000, 300)
    run = course_of(track)
    assert run.start_s == track.time_s[0]  # type: ignore[index]
    assert run.time_s is not None
    assert run.time_s[0] == 0.0 and run.time_s[-1] == 300.0


def test_a_step_across_a_pause_has_no_distance() -> None:
    run = course_of(TrackBuilder().run(100, 30).pause(60, moved_m=500).run(100, 30).build())
    assert run.step_m[30] == 0.0
    assert not run.joined[30]
    assert run.total_m == pytest.approx(200.0, abs=1e-6)


def test_dropped_points_are_bridged() -> None:
    track = with_spike(straight_north(100, 30), 10, 300.0)
    keep = np.ones(len(track), dtype=bool)
    keep[10] = False
    run = course.build(track, keep, geodesy.step_distances_m(track.lat_deg, track.lon_deg))
    assert len(run) == 30
    assert run.step_m[9] == pytest.approx(2 * 100 / 30)
    assert run.total_m == pytest.approx(100.0, abs=1e-6)


def test_locate_tells_arriving_from_leaving() -> None:
    # The runner stands at 10 m from point 1 to point 3.
    running = np.array([0.0, 10.0, 10.0, 10.0, 20.0])
    first = course.locate(running, np.array([10.0, 5.0, 15.0]), "first")
    last = course.locate(running, np.array([10.0, 5.0, 15.0]), "last")
    index = np.arange(5.0)
    assert first.of(index).tolist() == [1.0, 0.5, 3.5]
    assert last.of(index).tolist() == [3.0, 0.5, 3.5]


def test_locate_clamps_to_the_ends() -> None:
    # Beyond the ends: where the runner first was at the start, first got to the end...
    running = np.array([0.0, 0.0, 10.0, 20.0, 20.0])
    index = np.arange(5.0)
    assert course.locate(running, np.array([-5.0, 0.0, 25.0]), "first").of(index).tolist() == [
        0.0,
        0.0,
        3.0,
    ]
    # ... and where they last were at the start, and last at the end.
    assert course.locate(running, np.array([-5.0, 0.0, 20.0]), "last").of(index).tolist() == [
        1.0,
        1.0,
        4.0,
    ]


@pytest.mark.parametrize("side", ["left", "right"])
def test_search_sorted_is_numpy_searchsorted(side: str) -> None:
    rng = np.random.default_rng(1)
    # Many blocks, with runs of equal values (standing still) and exact hits.
    values = np.cumsum(np.where(rng.uniform(size=30_000) < 0.3, 0.0, rng.exponential(3.0, 30_000)))
    for targets in (values + 400.0, values - 400.0, np.sort(rng.choice(values, 5000)), values):
        found = course.search_sorted(values, targets, side)  # type: ignore[arg-type]
        assert np.array_equal(found, np.searchsorted(values, targets, side=side))  # type: ignore[call-overload]
