"""Best efforts: fastest elapsed time over standard distances, found anywhere, interpolated."""

from __future__ import annotations

import numpy as np
import pytest

from heroicrun.measuring import efforts, measure
from heroicrun.measuring.results import BestEffort
from tests.factory import TrackBuilder, course_of, straight_north

MILE_M = 1609.344


def by_name(found: tuple[BestEffort, ...]) -> dict[str, BestEffort]:
    return {effort.name: effort for effort in found}


def test_the_standard_distances() -> None:
    assert efforts.DISTANCES_M == (
        ("400 m", 400.0),
        ("1/2 mile", 804.672),
        ("1 km", 1000.0),
        ("1 mile", 1609.344),
        ("2 miles", 3218.688),
        ("5 km", 5000.0),
        ("10 km", 10000.0),
        ("15 km", 15000.0),
        ("10 miles", 16093.44),
        ("20 km", 20000.0),
        ("Half marathon", 21097.5),
        ("30 km", 30000.0),
        ("Marathon", 42195.0),
        ("50 km", 50000.0),
    )


def test_a_fast_km_in_the_middle_is_found_between_the_splits() -> None:
    # 1.5 km at 350 s/km, a fast km at 240 s/km, 2 km at 350 s/km: the fast km is no split.
    track = TrackBuilder().run(1500, 525).run(1000, 240).run(2000, 700).build()
    found = measure(track).best_efforts
    assert [effort.name for effort in found] == ["400 m", "1/2 mile", "1 km", "1 mile", "2 miles"]
    best = by_name(found)
    assert best["400 m"].elapsed_s == pytest.approx(96.0)
    assert best["1/2 mile"].elapsed_s == pytest.approx(804.672 * 0.24)
    assert best["1 km"].elapsed_s == pytest.approx(240.0)
    assert best["1 km"].start_distance_m == pytest.approx(1500.0)
    assert best["1 km"].start_offset_s == pytest.approx(525.0)
    # A mile holds the fast km and 609.344 m at 0.35 s/m: interpolated, not a whole point.
    assert best["1 mile"].elapsed_s == pytest.approx(240.0 + (MILE_M - 1000.0) * 0.35)
    assert best["2 miles"].elapsed_s == pytest.approx(240.0 + (2 * MILE_M - 1000.0) * 0.35)


def test_a_steady_run_gives_every_distance_at_its_pace() -> None:
    found = measure(straight_north(5500, 1650)).best_efforts
    assert [effort.name for effort in found][-1] == "5 km"
    assert [effort.elapsed_s for effort in found] == pytest.approx(
        [effort.distance_m * 0.3 for effort in found]
    )


def test_an_effort_spans_a_stop() -> None:
    found = by_name(
        measure(TrackBuilder().run(600, 180).stand(60).run(600, 180).build()).best_efforts
    )
    assert found["400 m"].elapsed_s == pytest.approx(120.0)
    assert found["1 km"].elapsed_s == pytest.approx(360.0)


def test_the_best_window_starts_when_the_runner_leaves_a_stop() -> None:
    track = TrackBuilder().run(200, 100).stand(60).run(400, 100).run(200, 100).build()
    best = by_name(measure(track).best_efforts)["400 m"]
    assert best.elapsed_s == pytest.approx(100.0)
    assert best.start_offset_s == pytest.approx(160.0)
    assert best.start_distance_m == pytest.approx(200.0)


def test_efforts_stay_within_their_piece() -> None:
    run = course_of(TrackBuilder().run(600, 120).run(600, 30).run(600, 120).build())
    assert run.time_s is not None
    # The fast middle is left out: two pieces of 600 m at 5 m/s.
    found = efforts.best_efforts(run.distance_m, run.time_s, [(0, 120), (150, 270)])
    assert [effort.name for effort in found] == ["400 m"]
    assert found[0].elapsed_s == pytest.approx(80.0)


def test_no_effort_longer_than_the_run() -> None:
    assert measure(straight_north(399, 120)).best_efforts == ()


@pytest.mark.parametrize("run_m", [10_000.0, 9_999.95])
def test_a_run_measured_a_hair_short_of_10_km_has_its_10_km(run_m: float) -> None:
    measures = measure(TrackBuilder().run(run_m, 3000, step_s=10).build())
    assert measures.distance_m < 10_000.0  # summed steps fall just short of the round figure

    best = by_name(measures.best_efforts)["10 km"]

    # The missing few centimetres are run at the run's pace: 0.3 s/m.
    assert best.elapsed_s == pytest.approx(3000.0 * 10_000.0 / run_m)
    assert best.start_offset_s == 0.0
    assert best.start_distance_m == 0.0


def test_a_hair_short_window_starts_when_the_runner_leaves_and_ends_on_arrival() -> None:
    track = TrackBuilder().stand(30).run(9_999.9, 3000, step_s=10).stand(30).build()

    best = by_name(measure(track).best_efforts)["10 km"]

    assert best.elapsed_s == pytest.approx(3000.0 * 10_000.0 / 9_999.9)
    assert best.start_offset_s == pytest.approx(30.0)


def test_ten_metres_short_of_10_km_has_no_10_km() -> None:
    found = measure(TrackBuilder().run(9_990.0, 3000, step_s=10).build()).best_efforts

    assert [effort.name for effort in found][-1] == "5 km"


def test_matches_a_brute_force_search() -> None:
    rng = np.random.default_rng(7)
    # Irregular steps and stops, some of them exactly on round distances.
    steps = np.round(rng.exponential(4.0, 3000) * (rng.uniform(size=3000) > 0.2))
    distance = np.concatenate(([0.0], np.cumsum(steps)))
    time = np.concatenate(([0.0], np.cumsum(rng.uniform(0.5, 3.0, 3000))))
    (best, *_) = efforts.best_efforts(distance, time, [(0, 3000)])

    def time_first(x: float) -> float:
        i = int(np.searchsorted(distance, x, side="left"))
        span = distance[i] - distance[i - 1]
        return float(time[i - 1] + (x - distance[i - 1]) / span * (time[i] - time[i - 1]))

    def time_last(x: float) -> float:
        i = int(np.searchsorted(distance, x, side="right")) - 1
        if distance[i] == x:
            return float(time[i])
        span = distance[i + 1] - distance[i]
        return float(time[i] + (x - distance[i]) / span * (time[i + 1] - time[i]))

    starts = np.concatenate(
        (distance, distance - 400.0, np.linspace(0, distance[-1] - 400, 20_000))
    )
    starts = starts[(starts >= 0) & (starts <= distance[-1] - 400.0)]
    brute = min(time_first(start + 400.0) - time_last(start) for start in starts)
    assert best.elapsed_s == pytest.approx(brute, abs=1e-9)
    assert time_first(best.start_distance_m + 400) - time_last(
        best.start_distance_m
    ) == pytest.approx(best.elapsed_s, abs=1e-9)
