"""Routes: load-time checks of marks against geography, and kilometres placed on the map."""

from __future__ import annotations

from pathlib import Path

import gpxpy.gpx
import pytest
from geopy.distance import geodesic

from heroicrun.missions import routes
from heroicrun.missions.model import Route, Waypoint

START = (46.05, 14.5)


def point_at(origin: tuple[float, float], km: float, bearing_deg: float) -> tuple[float, float]:
    """The point km along the geodesic from origin at bearing_deg."""
    found = geodesic(kilometers=km).destination(origin, bearing_deg)
    return found.latitude, found.longitude


def waypoint(name: str, at: tuple[float, float], km: float) -> Waypoint:
    return Waypoint(name=name, lat=at[0], lon=at[1], km=km)


def straight_route(marks_km: float, apart_km: float) -> Route:
    """Two places apart_km apart (east), marked marks_km apart."""
    return Route(
        waypoints=[
            waypoint("Here", START, 0),
            waypoint("There", point_at(START, apart_km, 90.0), marks_km),
        ]
    )


def walk(legs: list[tuple[float, float]], step_km: float = 0.1) -> list[tuple[float, float]]:
    """Points every step_km along legs of (km, bearing), from START."""
    points = [START]
    for km, bearing in legs:
        origin = points[-1]
        steps = round(km / step_km)
        points += [point_at(origin, km * k / steps, bearing) for k in range(1, steps + 1)]
    return points


def write_gpx(path: Path, points: list[tuple[float, float]], as_route: bool = True) -> Path:
    """A GPX file of the points, as a <rte> (a planned route) or an untimed <trk>."""
    document = gpxpy.gpx.GPX()
    if as_route:
        line = gpxpy.gpx.GPXRoute()
        line.points = [gpxpy.gpx.GPXRoutePoint(lat, lon) for lat, lon in points]
        document.routes.append(line)
    else:
        track = gpxpy.gpx.GPXTrack()
        segment = gpxpy.gpx.GPXTrackSegment()
        segment.points = [gpxpy.gpx.GPXTrackPoint(lat, lon) for lat, lon in points]
        track.segments.append(segment)
        document.tracks.append(track)
    path.write_text(document.to_xml(), encoding="utf-8")
    return path


# An L: 6 km north, then 4 km east; the corner is "Corner", the end "End" at km 10.
L_LEGS = [(6.0, 0.0), (4.0, 90.0)]


def l_route(gpx: str | None = "l.gpx", corner_km: float = 6.0, end_km: float = 10.0) -> Route:
    points = walk(L_LEGS)
    return Route(
        waypoints=[
            waypoint("Start", points[0], 0),
            waypoint("Corner", points[60], corner_km),
            waypoint("End", points[-1], end_km),
        ],
        gpx=gpx,
    )


# --- legs against the straight line --------------------------------------------------------------


def test_a_leg_a_little_longer_than_the_straight_line_is_fine() -> None:
    assert routes.check(straight_route(12.0, 10.0), Path()) == []


def test_marks_rounded_a_little_short_are_fine() -> None:
    assert routes.check(straight_route(9.9, 10.0), Path()) == []


def test_a_leg_shorter_than_the_straight_line() -> None:
    (problem,) = routes.check(straight_route(5.0, 38.2), Path())
    assert problem == "leg Here → There is 5 km by its marks but the places are 38.2 km apart"


def test_a_42_km_leg_between_places_5_km_apart() -> None:
    (problem,) = routes.check(straight_route(42.0, 5.0), Path())
    assert problem.startswith("leg Here → There is 42 km by its marks, too long for places")
    assert "5.0 km apart" in problem


def test_a_leg_up_to_three_times_the_straight_line_plus_2_km_is_fine() -> None:
    assert routes.check(straight_route(16.9, 5.0), Path()) == []


# --- a GPX line ----------------------------------------------------------------------------------


def test_a_gpx_route_that_agrees_with_its_waypoints(tmp_path: Path) -> None:
    write_gpx(tmp_path / "l.gpx", walk(L_LEGS))
    assert routes.check(l_route(), tmp_path) == []


def test_a_gpx_track_without_times_serves_as_well(tmp_path: Path) -> None:
    write_gpx(tmp_path / "l.gpx", walk(L_LEGS), as_route=False)
    assert routes.check(l_route(), tmp_path) == []


def test_a_missing_gpx_file(tmp_path: Path) -> None:
    (problem,) = routes.check(l_route("nowhere.gpx"), tmp_path)
    assert problem == 'gpx: "nowhere.gpx" is not there (it is read relative to the mission file)'


def test_a_gpx_file_that_does_not_read(tmp_path: Path) -> None:
    (tmp_path / "l.gpx").write_text("<html></html>", encoding="utf-8")
    (problem,) = routes.check(l_route(), tmp_path)
    assert problem == "gpx: l.gpx: is XML with a <html> root, not GPX or TCX (expected <gpx>)"


def test_a_gpx_line_longer_than_the_marks(tmp_path: Path) -> None:
    write_gpx(tmp_path / "l.gpx", walk([*L_LEGS, (2.0, 90.0)]))
    problems = routes.check(l_route(), tmp_path)
    assert problems[0] == (
        "gpx: l.gpx is 12.0 km long but the last waypoint, End, is at km 10 (more than 5% apart)"
    )


def test_a_waypoint_far_from_the_gpx_line(tmp_path: Path) -> None:
    write_gpx(tmp_path / "l.gpx", walk(L_LEGS))
    route = l_route()
    # 3.5 km north and 2.5 km east: 2.5 km from either leg of the L.
    stray = waypoint("Corner", point_at(point_at(START, 3.5, 0.0), 2.5, 90.0), 6.0)
    route = Route(waypoints=[route.waypoints[0], stray, route.waypoints[2]], gpx="l.gpx")
    (problem,) = routes.check(route, tmp_path)
    assert problem == "waypoint Corner is 2.5 km from the line of l.gpx (at most 2 km)"


def test_a_waypoint_mark_far_from_its_place_along_the_gpx_line(tmp_path: Path) -> None:
    write_gpx(tmp_path / "l.gpx", walk(L_LEGS))
    problems = routes.check(l_route(corner_km=3.0), tmp_path)
    assert "waypoint Corner is marked km 3 but lies at km 6.0 along l.gpx" in problems


def test_a_winding_leg_is_fine_when_a_gpx_line_shows_the_way(tmp_path: Path) -> None:
    # A 10 km loop that ends 1 km from where it began: no road could be that long without a map.
    legs = [(3.0, 0.0), (3.0, 90.0), (3.0, 180.0), (1.0, 270.0)]
    points = walk(legs)
    marks = [waypoint("Gate", points[0], 0), waypoint("Lodge", points[-1], 10.0)]
    assert routes.check(Route(waypoints=marks), tmp_path) != []
    write_gpx(tmp_path / "loop.gpx", points)
    assert routes.check(Route(waypoints=marks, gpx="loop.gpx"), tmp_path) == []


# --- kilometres on the map -----------------------------------------------------------------------


def test_halfway_between_two_waypoints_is_the_geodesic_midpoint() -> None:
    far = point_at(START, 10.0, 60.0)
    line = routes.build(Route(waypoints=[waypoint("A", START, 0), waypoint("B", far, 10.0)]))
    lat, lon = line.position_at(5.0)
    assert geodesic((lat, lon), point_at(START, 5.0, 60.0)).meters < 1.0


def test_a_position_follows_the_marks_not_the_straight_line() -> None:
    # Marked 20 km apart, 10 km apart on the map: km 5 of 20 is a quarter of the way.
    far = point_at(START, 10.0, 0.0)
    line = routes.build(Route(waypoints=[waypoint("A", START, 0), waypoint("B", far, 20.0)]))
    assert geodesic(line.position_at(5.0), point_at(START, 2.5, 0.0)).meters < 1.0


def test_positions_are_clamped_to_the_route() -> None:
    line = routes.build(straight_route(12.0, 10.0))
    assert line.position_at(-3.0) == pytest.approx(START)
    assert geodesic(line.position_at(99.0), point_at(START, 10.0, 90.0)).meters < 0.01


def test_places_around_a_kilometre() -> None:
    line = routes.build(l_route(gpx=None))
    last, ahead, to_next_km = line.places_around(4.5)
    assert (last.name, ahead and ahead.name, to_next_km) == ("Start", "Corner", 1.5)
    last, ahead, to_next_km = line.places_around(6.0)
    assert (last.name, ahead and ahead.name, to_next_km) == ("Corner", "End", 4.0)
    last, ahead, to_next_km = line.places_around(10.0)
    assert (last.name, ahead, to_next_km) == ("End", None, 0.0)


def test_a_gpx_line_is_followed_round_its_corner(tmp_path: Path) -> None:
    points = walk(L_LEGS)
    write_gpx(tmp_path / "l.gpx", points)
    gpx_line = routes.build(l_route(), tmp_path)
    straight_line = routes.build(l_route(), None)  # no folder given: straight between waypoints
    # km 3 is halfway up the first leg either way; km 8 is halfway along the second.
    assert geodesic(gpx_line.position_at(3.0), points[30]).meters < 1.0
    assert geodesic(gpx_line.position_at(8.0), points[80]).meters < 1.0
    assert geodesic(straight_line.position_at(8.0), points[80]).meters < 1.0


def test_a_gpx_line_is_scaled_to_the_marks_piecewise(tmp_path: Path) -> None:
    # The file's first leg is 6 km but marked 6.6: km 3.3 is still its middle.
    points = walk(L_LEGS)
    write_gpx(tmp_path / "l.gpx", points)
    line = routes.build(l_route(corner_km=6.6, end_km=10.6), tmp_path)
    assert geodesic(line.position_at(3.3), points[30]).meters < 1.0
    assert geodesic(line.position_at(8.6), points[80]).meters < 1.0


def test_an_out_and_back_line_places_the_return_at_its_end(tmp_path: Path) -> None:
    points = walk([(5.0, 0.0), (5.0, 180.0)])
    write_gpx(tmp_path / "back.gpx", points)
    route = Route(
        waypoints=[
            waypoint("Home", START, 0),
            waypoint("Turn", points[50], 5.0),
            waypoint("Home again", START, 10.0),
        ],
        gpx="back.gpx",
    )
    assert routes.check(route, tmp_path) == []
    line = routes.build(route, tmp_path)
    assert geodesic(line.position_at(7.5), points[25]).meters < 1.0
    assert line.anchors_m[-1] == pytest.approx(10_000.0, abs=1.0)


def test_building_from_a_missing_gpx_file_raises(tmp_path: Path) -> None:
    with pytest.raises(routes.RouteError, match=r"nowhere\.gpx"):
        routes.build(l_route("nowhere.gpx"), tmp_path)


def test_waypoints_out_of_order_along_the_gpx_line(tmp_path: Path) -> None:
    points = walk(L_LEGS)
    write_gpx(tmp_path / "l.gpx", points)
    route = Route(
        waypoints=[
            waypoint("Start", points[0], 0),
            waypoint("Bridge", points[40], 4.9),
            waypoint("Mill", points[35], 5.0),
            waypoint("End", points[-1], 10.0),
        ],
        gpx="l.gpx",
    )
    assert "waypoint Mill comes before Bridge along the line of l.gpx" in routes.check(
        route, tmp_path
    )
    with pytest.raises(routes.RouteError, match="Mill comes before Bridge"):
        routes.build(route, tmp_path)


def test_a_route_keeps_each_line_built_from_it(tmp_path: Path) -> None:
    write_gpx(tmp_path / "l.gpx", walk(L_LEGS))
    route = l_route()
    gpx_line = routes.build(route, tmp_path)
    assert routes.build(route, tmp_path) is gpx_line
    straight = routes.build(route, None)
    assert straight is not gpx_line and routes.build(route) is straight
    (tmp_path / "l.gpx").unlink()
    assert routes.build(route, tmp_path) is gpx_line  # read once, as the mission was
    # The lines are no part of the route's value: an equal route is equal, and builds its own.
    fresh = l_route()
    assert fresh == route and fresh.model_dump() == route.model_dump()
    with pytest.raises(routes.RouteError, match="is not there"):
        routes.build(fresh, tmp_path)
