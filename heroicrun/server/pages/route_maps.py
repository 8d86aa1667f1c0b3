"""A mission's route as a map: the part run, the part to come, the places, and the runner.

Labels are placed so they do not overlap: the runner first, then the next place, the start and
the finish, then the others while there is room; a dropped label's name is in the page's text.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Sequence

import numpy as np
from markupsafe import Markup

from heroicrun.missions import routes
from heroicrun.server.pages import drawing

MAP_STEP_KM = 50.0  # a straight leg longer than this is drawn through points on its great circle
MAP_SAMPLES = 300  # ...but never more points than this along the whole route
MAP_SIZE = (640, 420)  # the map's viewBox
MAP_PAD = 24  # as drawing.map_svg pads it
LABEL_SIZE = 24  # a label's height in viewBox units on a phone (see heroicrun.css)
LABEL_ROOM = 0.12  # room above the route for labels, as a share of its north-south extent


def route_map(title: str, line: routes.RouteLine, at_km: float | None) -> Markup:
    """The route as an SVG map: done in one style, the rest in another, places, and the runner.

    Without `at_km` (not enrolled) the whole route is still to run and there is no runner.
    """
    kms, points = _drawn(line)
    places = [_near((point.lat, point.lon), points, kms, point.km) for point in line.waypoints]
    if at_km is None:
        lines = [drawing.Line(points, "todo")]
        label = f"Map of the route of {title}, {line.length_km:,.1f} km"
        wanted = [0, len(places) - 1]
    else:
        _, ahead, to_next_km = line.places_around(at_km)
        here = _near(line.position_at(at_km), points, kms, at_km)
        before = bisect.bisect_left(kms, at_km)
        after = bisect.bisect_right(kms, at_km)
        lines = [
            drawing.Line([here, *points[after:]], "todo"),
            drawing.Line([*points[:before], here], "done"),
        ]
        label = f"Map of the route of {title}: you are at km {at_km:,.1f} of {line.length_km:,.1f}"
        if ahead is not None:
            label += f", {to_next_km:,.1f} km before {ahead.name}"
        wanted = [0, len(places) - 1]
        if ahead is not None:
            wanted.insert(0, line.waypoints.index(ahead))
    wanted += range(len(places))  # then every other place that has room for its name
    # Labels sit above their markers: room above the route's northernmost point for them.
    lats = [lat for lat, _ in points]
    headroom = (max(lats) + LABEL_ROOM * (max(lats) - min(lats)), points[0][1])
    lines.insert(0, drawing.Line([headroom, headroom], "headroom"))
    names = [point.name for point in line.waypoints]
    runner = None if at_km is None else here
    named = _labelled([*points, headroom], places, names, wanted, runner)
    markers = [
        drawing.Marker(place, point.name if index in named else "")
        for index, (place, point) in enumerate(zip(places, line.waypoints, strict=True))
    ]
    if at_km is not None:
        markers.append(drawing.Marker(here, "You", "you"))
    width, height = MAP_SIZE
    return drawing.map_svg(lines, markers, width=width, height=height, label=label)


def _labelled(
    points: Sequence[drawing.Point],
    places: Sequence[drawing.Point],
    names: Sequence[str],
    wanted: Sequence[int],
    runner: drawing.Point | None,
) -> set[int]:
    """Which of the `wanted` places (in order of preference) get a label: those whose label
    would not cover one already placed (the runner's first), at a phone's label size."""
    box = _Boxes(points)
    given = [] if runner is None else [box.label(runner, "You")]
    named: set[int] = set()
    for index in wanted:
        proposed = box.label(places[index], names[index])
        if index not in named and not any(_overlap(proposed, other) for other in given):
            named.add(index)
            given.append(proposed)
    return named


class _Boxes:
    """Where map_svg will put a marker's label, in its viewBox units (its projection and
    placement, repeated; labels at the phone size, the largest in user units)."""

    def __init__(self, points: Sequence[drawing.Point]) -> None:
        lats, lons = [p[0] for p in points], [p[1] for p in points]
        self.cos_lat = max(math.cos(math.radians((min(lats) + max(lats)) / 2)), 0.05)
        self.lat1, self.lon0 = max(lats), min(lons)
        span_x = max((max(lons) - self.lon0) * self.cos_lat, 1e-6)
        span_y = max(self.lat1 - min(lats), 1e-6)
        inner_w, inner_h = MAP_SIZE[0] - 2 * MAP_PAD, MAP_SIZE[1] - 2 * MAP_PAD
        self.scale = min(inner_w / span_x, inner_h / span_y)
        self.left = MAP_PAD + (inner_w - span_x * self.scale) / 2
        self.top = MAP_PAD + (inner_h - span_y * self.scale) / 2

    def label(self, point: drawing.Point, text: str) -> tuple[float, float, float, float]:
        """The label's box: left, top, right, bottom."""
        x = self.left + (point[1] - self.lon0) * self.cos_lat * self.scale
        y = self.top + (self.lat1 - point[0]) * self.scale
        width = 0.6 * LABEL_SIZE * len(text)
        left = x - 8 - width if x > MAP_SIZE[0] * 0.7 else x + 8
        return left, y - 8 - LABEL_SIZE, left + width, y - 8 + 4


def _overlap(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _drawn(line: routes.RouteLine) -> tuple[list[float], list[drawing.Point]]:
    """The points to draw the route through and their km marks, longitudes made continuous.

    A straight leg is a great circle, which a flat map bends: long legs get points on it, so
    the runner's marker sits on the line drawn.
    """
    marks = np.array([point.km for point in line.waypoints])
    point_km = np.interp(line.along_m, line.anchors_m, marks)
    step_km = max(MAP_STEP_KM, line.length_km / MAP_SAMPLES)
    kms: list[float] = [float(point_km[0])]
    points: list[drawing.Point] = [(float(line.lat_deg[0]), float(line.lon_deg[0]))]
    long_legs = set(np.flatnonzero(np.diff(point_km) > step_km).tolist())
    for index in range(1, len(point_km)):
        if index - 1 in long_legs:
            start, end = float(point_km[index - 1]), float(point_km[index])
            pieces = math.ceil((end - start) / step_km)
            for piece in range(1, pieces):
                km = start + (end - start) * piece / pieces
                kms.append(km)
                points.append(line.position_at(km))
        kms.append(float(point_km[index]))
        points.append((float(line.lat_deg[index]), float(line.lon_deg[index])))
    for index in range(1, len(points)):  # no jump across the antimeridian
        lat, lon = points[index]
        points[index] = (lat, _beside(lon, points[index - 1][1]))
    return kms, points


def _near(
    point: drawing.Point, points: Sequence[drawing.Point], kms: Sequence[float], km: float
) -> drawing.Point:
    """`point` with its longitude shifted by whole turns to sit by the line at `km`."""
    index = min(bisect.bisect_left(kms, km), len(points) - 1)
    return point[0], _beside(point[1], points[index][1])


def _beside(lon: float, reference: float) -> float:
    return lon + 360.0 * round((reference - lon) / 360.0)
