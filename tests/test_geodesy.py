"""heroicrun.geodesy agrees with geopy's geodesic (Karney) to a micrometre, everywhere."""

from __future__ import annotations

import numpy as np
import pytest
from geopy.distance import geodesic

from heroicrun import geodesy

TOLERANCE_M = 1e-6


def reference_m(
    lat1: np.ndarray, lon1: np.ndarray, lat2: np.ndarray, lon2: np.ndarray
) -> np.ndarray:
    return np.array(
        [geodesic((a, b), (c, d)).meters for a, b, c, d in zip(lat1, lon1, lat2, lon2, strict=True)]
    )


def wrap(lon: np.ndarray) -> np.ndarray:
    return (lon + 180.0) % 360.0 - 180.0


def random_points(rng: np.random.Generator, count: int) -> tuple[np.ndarray, np.ndarray]:
    """Points spread evenly over the globe."""
    return np.degrees(np.arcsin(rng.uniform(-1, 1, count))), rng.uniform(-180, 180, count)


def test_short_steps_worldwide_agree_with_geopy() -> None:
    rng = np.random.default_rng(1)
    lat, lon = random_points(rng, 400)
    # Steps of up to a few km in every direction, as a track has them.
    lat2 = np.clip(lat + rng.normal(0, 0.02, lat.size), -90, 90)
    lon2 = wrap(lon + rng.normal(0, 0.02, lon.size))
    found = geodesy.distances_m(lat, lon, lat2, lon2)
    assert np.abs(found - reference_m(lat, lon, lat2, lon2)).max() < TOLERANCE_M


def test_long_lines_worldwide_agree_with_geopy() -> None:
    rng = np.random.default_rng(2)
    lat1, lon1 = random_points(rng, 300)
    lat2, lon2 = random_points(rng, 300)
    found = geodesy.distances_m(lat1, lon1, lat2, lon2)
    assert np.abs(found - reference_m(lat1, lon1, lat2, lon2)).max() < TOLERANCE_M


def test_steps_near_the_poles_agree_with_geopy() -> None:
    rng = np.random.default_rng(3)
    lat = 90 - rng.uniform(0, 0.05, 200)
    lat = np.where(rng.uniform(size=200) < 0.5, lat, -lat)
    lon = rng.uniform(-180, 180, 200)
    lat2 = np.clip(lat + rng.normal(0, 0.01, 200), -90, 90)
    lon2 = wrap(lon + rng.normal(0, 30, 200))  # near a pole, longitude swings widely
    found = geodesy.distances_m(lat, lon, lat2, lon2)
    assert np.abs(found - reference_m(lat, lon, lat2, lon2)).max() < TOLERANCE_M


def test_steps_across_the_antimeridian_agree_with_geopy() -> None:
    rng = np.random.default_rng(4)
    lat, _ = random_points(rng, 200)
    lon = 180 - rng.uniform(0, 0.01, 200)
    lon2 = -180 + rng.uniform(0, 0.01, 200)
    lat2 = lat + rng.normal(0, 0.01, 200)
    found = geodesy.distances_m(lat, lon, lat2, lon2)
    assert np.abs(found - reference_m(lat, lon, lat2, lon2)).max() < TOLERANCE_M
    assert found.max() < 10_000  # the short way round, not across the whole globe


def test_nearly_antipodal_points_agree_with_geopy() -> None:
    rng = np.random.default_rng(5)
    lat, lon = random_points(rng, 60)
    lat2 = np.clip(-lat + rng.normal(0, 0.3, 60), -90, 90)
    lon2 = wrap(lon + 180 + rng.normal(0, 0.3, 60))
    found = geodesy.distances_m(lat, lon, lat2, lon2)
    assert np.abs(found - reference_m(lat, lon, lat2, lon2)).max() < TOLERANCE_M


def test_exactly_antipodal_points_agree_with_geopy() -> None:
    found = geodesy.distances_m(
        np.array([0.0, 30.0]),
        np.array([0.0, 10.0]),
        np.array([0.0, -30.0]),
        np.array([180.0, -170.0]),
    )
    expected = reference_m(
        np.array([0.0, 30.0]),
        np.array([0.0, 10.0]),
        np.array([0.0, -30.0]),
        np.array([180.0, -170.0]),
    )
    assert np.abs(found - expected).max() < TOLERANCE_M


@pytest.mark.parametrize(
    ("lat", "lon"),
    [(46.05, 14.5), (0.0, 0.0), (90.0, 45.0), (-90.0, 0.0), (-33.9, 180.0), (12.0, -180.0)],
)
def test_a_step_to_the_same_point_is_exactly_zero(lat: float, lon: float) -> None:
    steps = geodesy.step_distances_m(np.array([lat, lat, lat]), np.array([lon, lon, lon]))
    assert steps.tolist() == [0.0, 0.0]


def test_the_antimeridian_written_two_ways_is_the_same_point() -> None:
    assert geodesy.distance_m(12.0, 180.0, 12.0, -180.0) == 0.0


def test_step_distances_follow_the_track() -> None:
    rng = np.random.default_rng(6)
    lat = 46.0 + np.cumsum(rng.normal(0, 3e-5, 500))
    lon = 14.5 + np.cumsum(rng.normal(0, 4e-5, 500))
    steps = geodesy.step_distances_m(lat, lon)
    assert steps.shape == (499,)
    assert np.abs(steps - reference_m(lat[:-1], lon[:-1], lat[1:], lon[1:])).max() < TOLERANCE_M


def test_a_track_of_one_point_has_no_steps() -> None:
    assert geodesy.step_distances_m(np.array([46.0]), np.array([14.5])).shape == (0,)


def test_one_pair() -> None:
    expected = geodesic((46.05, 14.5), (46.06, 14.52)).meters
    assert geodesy.distance_m(46.05, 14.5, 46.06, 14.52) == pytest.approx(expected, abs=TOLERANCE_M)


def test_a_degree_of_latitude_on_the_equator() -> None:
    # The WGS84 meridian arc from 0 to 1 degree north is 110,574.389 m.
    assert geodesy.distance_m(0.0, 0.0, 1.0, 0.0) == pytest.approx(110574.389, abs=1e-3)


@pytest.mark.parametrize(
    ("place", "spread_deg"),
    [
        ((46.05, 14.5), 0.001),  # metres around a place
        ((46.05, 14.5), 0.5),  # a long run's tens of kilometres
        ((89.99, 0.0), 0.02),  # at a pole
        ((0.0, 0.0), 90.0),  # across the globe
        ((-12.0, 179.99), 0.3),  # over the antimeridian
    ],
)
def test_distance_bounds_hold_and_are_tight(place: tuple[float, float], spread_deg: float) -> None:
    rng = np.random.default_rng(7)
    lat = np.clip(place[0] + rng.normal(0, spread_deg, 300), -90, 90)
    lon = wrap(place[1] + rng.normal(0, spread_deg, 300))
    exact = geodesy.distances_from_m(place[0], place[1], lat, lon)
    expected = reference_m(np.full(300, place[0]), np.full(300, place[1]), lat, lon)
    assert np.abs(exact - expected).max() < TOLERANCE_M
    low, high = geodesy.distance_bounds_m(place[0], place[1], lat, lon)
    assert (low <= exact).all() and (exact <= high).all()
    assert (high - low <= 0.004 * exact + 0.01).all()


def test_only_the_points_asked_for_are_measured() -> None:
    lat, lon = np.array([46.0, 46.1, 46.2]), np.array([14.5, 14.5, 14.5])
    low, _ = geodesy.distance_bounds_m(46.0, 14.5, lat, lon)
    found = geodesy.distances_from_m(
        46.0, 14.5, lat, lon, where=np.array([False, True, False]), otherwise_m=low
    )
    assert found[0] == low[0] and found[2] == low[2]
    assert found[1] == pytest.approx(geodesic((46.0, 14.5), (46.1, 14.5)).meters, abs=TOLERANCE_M)
