"""Moving time over 0.894 m/s, and the best speed held for 5 s."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from heroicrun.measuring import moving
from heroicrun.track import Track
from tests.factory import TrackBuilder, course_of, straight_north


def moving_s(track: Track) -> float:
    run = course_of(track)
    assert run.time_s is not None
    return float(moving.cumulative_moving_s(run.time_s, moving.moving_steps(run, run.time_s))[-1])


def max_speed(track: Track, ridden: slice | None = None) -> float | None:
    run = course_of(track)
    assert run.time_s is not None
    excluded = np.zeros(len(run) - 1, dtype=bool)
    if ridden is not None:
        excluded[ridden] = True
    return moving.max_speed_m_s(run, run.time_s, excluded)


def test_slower_than_30_min_per_mile_is_not_moving() -> None:
    assert moving_s(straight_north(100, 125)) == 0.0  # 0.8 m/s


def test_faster_than_30_min_per_mile_is_moving() -> None:
    assert moving_s(straight_north(90, 100)) == 100.0  # 0.9 m/s


def test_moving_time_up_to_each_point() -> None:
    run = course_of(TrackBuilder().run(30, 10).stand(5).run(30, 10).build())
    assert run.time_s is not None
    so_far = moving.cumulative_moving_s(run.time_s, moving.moving_steps(run, run.time_s))
    assert so_far[[0, 10, 15, 25]].tolist() == [0.0, 10.0, 10.0, 20.0]


def test_a_pause_is_not_moving_even_if_the_watch_moved() -> None:
    assert (
        moving_s(TrackBuilder().run(300, 100).pause(60, moved_m=500).run(300, 100).build()) == 200.0
    )


def test_max_speed_is_held_for_5_seconds() -> None:
    track = TrackBuilder().run(300, 100).run(50, 10).run(300, 100).build()
    assert max_speed(track) == pytest.approx(5.0)


def test_one_jittery_step_is_not_the_max_speed() -> None:
    # Steady 3 m/s with one 9 m step: over 5 s that is (4 * 3 + 9) / 5 m/s, not 9 m/s.
    track = TrackBuilder().run(90, 30).run(9, 1).run(90, 30).build()
    assert max_speed(track) == pytest.approx((4 * 3 + 9) / 5)


def test_max_speed_leaves_rides_out() -> None:
    track = TrackBuilder().run(300, 100).run(1500, 100).run(300, 100).build()
    assert max_speed(track, ridden=slice(100, 200)) == pytest.approx(3.0)


def test_a_run_under_5_seconds_is_its_own_max_speed() -> None:
    assert max_speed(straight_north(12, 3)) == pytest.approx(4.0)


def test_no_max_speed_when_everything_was_ridden() -> None:
    assert max_speed(straight_north(300, 20), ridden=slice(0, 20)) is None


WALK_M_S = 1.3
FIX_S = 12.0  # a new position every 12 s
POINT_S = 2.0  # a point every 2 s, repeating the last position in between


def walk(builder: TrackBuilder, distance_m: float, repeated: bool) -> TrackBuilder:
    """Walk distance_m at 1.3 m/s, a new position every 12 s, repeated every 2 s if asked."""
    fix_m = WALK_M_S * FIX_S
    for _ in range(round(distance_m / fix_m)):
        if repeated:
            builder.stand(FIX_S - POINT_S, step_s=POINT_S).run(fix_m, POINT_S, step_s=POINT_S)
        else:
            builder.run(fix_m, FIX_S, step_s=FIX_S)
    return builder


def elapsed_s(track: Track) -> float:
    assert track.time_s is not None
    return float(track.time_s[-1] - track.time_s[0])


def test_repeated_positions_count_like_one_fix() -> None:
    repeated = walk(TrackBuilder(), 7500, repeated=True).build()
    once = walk(TrackBuilder(), 7500, repeated=False).build()
    assert len(repeated) == 6 * (len(once) - 1) + 1
    assert moving_s(repeated) == pytest.approx(moving_s(once), rel=0.01)
    assert moving_s(repeated) == pytest.approx(elapsed_s(repeated), rel=0.01)


def test_a_standstill_among_repeated_positions_is_not_moving() -> None:
    builder = walk(TrackBuilder(), 1000, repeated=True)
    walked_s = elapsed_s(builder.build())
    track = walk(builder.stand(300, step_s=POINT_S), 1000, repeated=True).build()
    assert elapsed_s(track) == pytest.approx(2 * walked_s + 300)
    # The first fix after the stop ends a 312 s stretch: only its own last step was moving.
    assert 2 * walked_s - FIX_S <= moving_s(track) <= 2 * walked_s


def test_jittered_times_with_repeated_positions_give_the_same_moving_time() -> None:
    track = walk(TrackBuilder(), 7500, repeated=True).build()
    assert track.time_s is not None
    jitter = np.random.default_rng(7).uniform(-0.5, 0.5, len(track))
    jittered = replace(track, time_s=track.time_s + jitter)
    once = walk(TrackBuilder(), 7500, repeated=False).build()
    assert moving_s(jittered) == pytest.approx(moving_s(once), rel=0.02)


def test_repeated_positions_do_not_raise_the_top_speed() -> None:
    # Timed from its last repeat, each 15.6 m jump would look like 7.8 m/s over 2 s, and the
    # best 5 s window like 2.6 m/s: twice the walk.
    repeated = walk(TrackBuilder(), 3000, repeated=True).build()
    once = walk(TrackBuilder(), 3000, repeated=False).build()
    assert max_speed(repeated) == pytest.approx(WALK_M_S, rel=0.01)
    assert max_speed(repeated) == pytest.approx(max_speed(once), rel=0.01)
