"""A mission's route on real geography: checking its marks, and finding a kilometre on the map.

Without a GPX file the line runs along the great circle between consecutive waypoints; with one,
it follows the file's points. Either way the waypoints' kilometre marks are the truth for
progress: the line is stretched or shrunk piecewise, waypoint to waypoint, so that "km 80" lands
on the waypoint marked 80 even when the file measures that stretch at 79.2 km.

Points between two line points are interpolated on a sphere, not the ellipsoid: on a 150 km leg
that is about 3 m off the geodesic, on a 4,000 km one about 1 km, fine for a marker on a map.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from heroicrun import geodesy, reading
from heroicrun.missions.model import Route, Waypoint
from heroicrun.track import FloatArray
from heroicrun.values import frozen

# Marks are written to a kilometre or a tenth; a leg may read this much shorter than the
# straight line between its places before it is an error.
ROUNDING_SHARE = 0.02
ROUNDING_KM = 0.05
# Without a GPX file, a leg may wind to this many times the straight line, plus WINDING_KM.
WINDING_FACTOR = 3.0
WINDING_KM = 2.0
# With a GPX file: its length against the last mark, and each waypoint against the line.
LENGTH_SHARE = 0.05
NEAR_LINE_M = 2000.0
MARK_SHARE = 0.05
MARK_KM = 2.0

_MEAN_RADIUS_M = 6_371_008.8


class RouteError(Exception):
    """A route whose line cannot be built (its GPX file is missing, unreadable or disagrees)."""


@frozen(eq=False)
class RouteLine:
    """A route's line with its marks: points (degrees), metres along the line at each point, and
    where along the line (metres) each waypoint lies."""

    waypoints: tuple[Waypoint, ...]
    lat_deg: FloatArray
    lon_deg: FloatArray
    along_m: FloatArray
    anchors_m: FloatArray

    @property
    def length_km(self) -> float:
        """The route's length by its marks (the last waypoint's), in km."""
        return self.waypoints[-1].km

    def position_at(self, km: float) -> tuple[float, float]:
        """The (lat, lon) in degrees of kilometre `km` by the marks (clamped to the route)."""
        marks = np.array([waypoint.km for waypoint in self.waypoints])
        along = float(np.interp(min(max(km, 0.0), self.length_km), marks, self.anchors_m))
        last = len(self.along_m) - 2
        index = min(max(int(np.searchsorted(self.along_m, along, side="right")) - 1, 0), last)
        step = float(self.along_m[index + 1] - self.along_m[index])
        share = 0.0 if step <= 0 else min(max((along - self.along_m[index]) / step, 0.0), 1.0)
        return _between(
            (float(self.lat_deg[index]), float(self.lon_deg[index])),
            (float(self.lat_deg[index + 1]), float(self.lon_deg[index + 1])),
            share,
        )

    def places_around(self, km: float) -> tuple[Waypoint, Waypoint | None, float]:
        """The last waypoint reached at `km`, the next one (None at the end) and km to it."""
        passed = [waypoint for waypoint in self.waypoints if waypoint.km <= km]
        last = passed[-1] if passed else self.waypoints[0]
        ahead = next((waypoint for waypoint in self.waypoints if waypoint.km > km), None)
        return last, ahead, 0.0 if ahead is None else ahead.km - max(km, 0.0)


def build(route: Route, base: Path | None = None) -> RouteLine:
    """The route's line: its GPX file's (relative to `base`) when both are given, else straight.

    A route keeps every line built from it, by folder, for as long as it lives, and a catalog
    kept checked in the cache keeps them with it: judging a run against a journey needs its
    line, and building one costs more than the judging.
    """
    folder = None if route.gpx is None or base is None else os.path.abspath(base)
    # Beside the route's fields, where functools.cached_property keeps its values: never
    # compared, never written to a mission file.
    lines: dict[str | None, RouteLine] = vars(route).setdefault("_lines", {})
    line = lines.get(folder)
    if line is None:
        line = lines[folder] = _built(route, base)
    return line


def _built(route: Route, base: Path | None) -> RouteLine:
    waypoints = tuple(route.waypoints)
    if route.gpx is None or base is None:
        lat = np.array([waypoint.lat for waypoint in waypoints])
        lon = np.array([waypoint.lon for waypoint in waypoints])
        along = _cumulative_m(lat, lon)
        return RouteLine(waypoints, lat, lon, along, along.copy())
    lat, lon = _read_line(base / route.gpx, route.gpx)
    along = _cumulative_m(lat, lon)
    anchors = np.array([at_m for at_m, _ in _anchors(waypoints, lat, lon, along)])
    backwards = _backwards(waypoints, anchors, route.gpx)
    if backwards:
        raise RouteError(backwards)
    return RouteLine(waypoints, lat, lon, along, anchors)


def check(route: Route, base: Path) -> list[str]:
    """Problems with the route's places and distances, one sentence each (none: an empty list)."""
    problems = [_leg_problem(a, b, winding=route.gpx is None) for a, b in _legs(route)]
    found = [problem for problem in problems if problem]
    if route.gpx is not None:
        found += _gpx_problems(route, base)
    return found


def _legs(route: Route) -> list[tuple[Waypoint, Waypoint]]:
    return list(zip(route.waypoints, route.waypoints[1:], strict=False))


def _leg_problem(a: Waypoint, b: Waypoint, winding: bool) -> str | None:
    """A leg shorter than the straight line between its places, or (without a GPX line to show
    the way) far longer than any road between them."""
    marks_km = b.km - a.km
    straight_km = geodesy.distance_m(a.lat, a.lon, b.lat, b.lon) / 1000.0
    leg = f"leg {a.name} → {b.name} is {marks_km:g} km by its marks"
    if marks_km < straight_km * (1 - ROUNDING_SHARE) - ROUNDING_KM:
        return f"{leg} but the places are {straight_km:.1f} km apart"
    if winding and marks_km > WINDING_FACTOR * straight_km + WINDING_KM:
        return (
            f"{leg}, too long for places {straight_km:.1f} km apart (a leg may wind to"
            f" {WINDING_FACTOR:g}× the straight line plus {WINDING_KM:g} km; a GPX file can show"
            " a longer way)"
        )
    return None


def _gpx_problems(route: Route, base: Path) -> list[str]:
    """The GPX file read, its length against the marks, and each waypoint against its line."""
    assert route.gpx is not None
    try:
        lat, lon = _read_line(base / route.gpx, route.gpx)
    except RouteError as error:
        return [f"gpx: {error}"]
    along = _cumulative_m(lat, lon)
    problems: list[str] = []
    line_km = float(along[-1]) / 1000.0
    last = route.waypoints[-1]
    if abs(line_km - last.km) > LENGTH_SHARE * last.km:
        problems.append(
            f"gpx: {route.gpx} is {line_km:.1f} km long but the last waypoint, {last.name},"
            f" is at km {last.km:g} (more than {LENGTH_SHARE:.0%} apart)"
        )
    anchors = _anchors(tuple(route.waypoints), lat, lon, along)
    for waypoint, (at_m, off_m) in zip(route.waypoints, anchors, strict=True):
        if off_m > NEAR_LINE_M:
            problems.append(
                f"waypoint {waypoint.name} is {off_m / 1000:.1f} km from the line of"
                f" {route.gpx} (at most {NEAR_LINE_M / 1000:g} km)"
            )
            continue
        at_km = at_m / 1000.0
        if abs(at_km - waypoint.km) > max(MARK_SHARE * waypoint.km, MARK_KM):
            problems.append(
                f"waypoint {waypoint.name} is marked km {waypoint.km:g} but lies at km"
                f" {at_km:.1f} along {route.gpx}"
            )
    backwards = _backwards(route.waypoints, np.array([at_m for at_m, _ in anchors]), route.gpx)
    if backwards and not problems:
        problems.append(backwards)
    return problems


def _backwards(waypoints: Sequence[Waypoint], anchors_m: FloatArray, name: str) -> str | None:
    """A sentence naming the first waypoint that lies before its predecessor along the line."""
    for index in range(1, len(waypoints)):
        if anchors_m[index] < anchors_m[index - 1]:
            before, after = waypoints[index - 1], waypoints[index]
            return f"waypoint {after.name} comes before {before.name} along the line of {name}"
    return None


def _read_line(path: Path, name: str) -> tuple[FloatArray, FloatArray]:
    """The points of a GPX track or route, segments joined into one line (degrees)."""
    if not path.is_file():
        raise RouteError(f'"{name}" is not there (it is read relative to the mission file)')
    try:
        track = reading.read_path(path)
    except reading.ReadError as error:
        raise RouteError(f"{name}: {error.problem}") from None
    if len(track) < 2 or float(_cumulative_m(track.lat_deg, track.lon_deg)[-1]) <= 0:
        raise RouteError(f"{name} has no line to follow (fewer than two distinct points)")
    return track.lat_deg, track.lon_deg


def _cumulative_m(lat: FloatArray, lon: FloatArray) -> FloatArray:
    """Metres along the line at each point, 0 at the first."""
    return np.concatenate(([0.0], np.cumsum(geodesy.step_distances_m(lat, lon))))


def _anchors(
    waypoints: tuple[Waypoint, ...], lat: FloatArray, lon: FloatArray, along: FloatArray
) -> list[tuple[float, float]]:
    """For each waypoint, (metres along the line, metres off it) at its foot on the line.

    A line may pass a place twice (out and back), so each pass (a foot nearer than its neighbours)
    within NEAR_LINE_M is a candidate, and the one nearest the waypoint's mark, scaled to the
    line's length, is taken; failing any, the nearest foot.
    """
    scale = float(along[-1]) / (waypoints[-1].km * 1000.0)
    found: list[tuple[float, float]] = []
    for waypoint in waypoints:
        at_m, off_m = _feet(waypoint, lat, lon, along)
        padded = np.concatenate(([np.inf], off_m, [np.inf]))
        passes = (off_m <= padded[:-2]) & (off_m <= padded[2:])
        near = passes & (off_m <= NEAR_LINE_M)
        if near.any():
            expected_m = waypoint.km * 1000.0 * scale
            index = int(np.flatnonzero(near)[np.argmin(np.abs(at_m[near] - expected_m))])
        else:
            index = int(np.argmin(off_m))
        found.append((float(at_m[index]), float(off_m[index])))
    return found


def _feet(
    waypoint: Waypoint, lat: FloatArray, lon: FloatArray, along: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """The foot of the waypoint on every step of the line: (metres along, metres off).

    Worked on a plane tangent at the waypoint, which is exact enough near it, and the feet
    that matter are near it.
    """
    east = np.radians(((lon - waypoint.lon + 180.0) % 360.0) - 180.0) * np.cos(
        np.radians(waypoint.lat)
    )
    x = east * _MEAN_RADIUS_M
    y = np.radians(lat - waypoint.lat) * _MEAN_RADIUS_M
    dx, dy = np.diff(x), np.diff(y)
    length2 = dx * dx + dy * dy
    with np.errstate(divide="ignore", invalid="ignore"):
        t = np.where(length2 > 0, -(x[:-1] * dx + y[:-1] * dy) / length2, 0.0)
    t = np.clip(t, 0.0, 1.0)
    off = np.hypot(x[:-1] + t * dx, y[:-1] + t * dy)
    at = along[:-1] + t * np.diff(along)
    return at, off


def _between(a: tuple[float, float], b: tuple[float, float], share: float) -> tuple[float, float]:
    """The point `share` of the way from a to b along the great circle, in degrees."""
    va, vb = _unit(a), _unit(b)
    angle = float(np.arccos(np.clip(va @ vb, -1.0, 1.0)))
    if angle < 1e-12:
        return a
    v = (np.sin((1 - share) * angle) * va + np.sin(share * angle) * vb) / np.sin(angle)
    return (
        float(np.degrees(np.arctan2(v[2], np.hypot(v[0], v[1])))),
        float(np.degrees(np.arctan2(v[1], v[0]))),
    )


def _unit(point: tuple[float, float]) -> FloatArray:
    lat, lon = np.radians(point[0]), np.radians(point[1])
    return np.array([np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon), np.sin(lat)])
