"""A map's projection: what it shows, where it puts it, at what scale."""

from __future__ import annotations

import math

from heroicrun.server.pages import frames

SPARTA = [(37.971, 23.7215), (37.083, 22.426)]  # Athens and Sparta


def test_a_fitted_frame_keeps_every_point_inside_its_padding() -> None:
    frame = frames.fit(SPARTA, 640, 420, 30)
    for point in SPARTA:
        x, y = frame.xy(point)
        assert 30 - 1e-6 <= x <= 610 + 1e-6 and 30 - 1e-6 <= y <= 390 + 1e-6
    # One of the two directions is filled to its padding.
    xs, ys = zip(*(frame.xy(p) for p in SPARTA), strict=True)
    assert math.isclose(max(xs) - min(xs), 580) or math.isclose(max(ys) - min(ys), 360)


def test_distances_are_true_east_west_and_north_south_at_the_middle_latitude() -> None:
    frame = frames.fit(SPARTA, 640, 420, 30)
    north = frame.xy((37.6, 23.0))[1] - frame.xy((37.5, 23.0))[1]
    east = frame.xy((37.55, 23.1))[0] - frame.xy((37.55, 23.0))[0]
    # 0.1° of latitude is 11.1 km; 0.1° of longitude at 37.5° is 8.8 km.
    assert math.isclose(east / -north, math.cos(math.radians(37.527)), rel_tol=1e-3)
    assert math.isclose(frame.km_per_unit * -north, 11.132, rel_tol=1e-3)


def test_a_tiny_route_is_shown_on_at_least_the_ground_asked_for() -> None:
    court = [(52.2063, 0.1164), (52.2072, 0.1175)]  # about 100 m across
    frame = frames.fit(court, 640, 420, 30, min_span_km=0.3)
    assert math.isclose(frame.km_per_unit * 360, 0.3, rel_tol=1e-6)


def test_a_centred_frame_has_its_centre_in_the_middle_and_longitudes_run_on() -> None:
    frame = frames.centred(0.0, 200.0, 2.0, 400, 300)  # 200° east is 160° west, continuous
    assert frame.xy((0.0, 200.0)) == (200.0, 150.0)
    assert frame.west < 200.0 < frame.east and frame.east > 180.0
    box = frame.box(margin=10)
    assert box.east - frame.east > 0 and frame.south - box.south == 5.0
