"""A mission's route as maps: the whole route, and for a long journey a closer look around you.

Both show the part run and the part to come on land and sea, the places, km ticks along the
route and the runner. The runner's label is placed first, then the last place passed and the
next one, which are always named (shortened or moved rather than dropped), then the start and
the finish, then any other place with room for its name; places the route passes twice (out
and back) are named once. Every place is listed in the page's text as well.

A journey that races a legend shows it as a second marker (a `ghost`), named like the places
that must be named: its label is placed by the same rules, so it covers nothing.
"""

from __future__ import annotations

import bisect
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from markupsafe import Markup

from heroicrun.missions import routes
from heroicrun.server.pages import drawing, frames, labels
from heroicrun.server.pages.frames import Frame, Point
from heroicrun.track import FloatArray

MAP_STEP_KM = 50.0  # a straight leg longer than this is drawn through points on its great circle
MAP_SAMPLES = 300  # ...but never more points than this along the whole route
WIDTH = 640  # the whole route's map: its viewBox width, and the heights it may take
HEIGHTS = (300.0, 460.0)
WORLD_HEIGHTS = (200.0, 460.0)
PAD = 40.0  # the route keeps this far from the map's edge: room for the labels of its places
MIN_SPAN_KM = 0.15  # a court's loop (about 100 m across) is drawn on at least this much ground
WORLD_SPAN_DEG = 150.0  # a route across more longitude than this is drawn on the whole world
WORLD_LATS = (-56.0, 75.0)  # the world's map shows at least these latitudes (Cape Horn, Arctic)
LONG_JOURNEY_KM = 200.0  # a journey longer than this gets a closer look around the runner
AROUND_SIZE = (400.0, 300.0)  # shown at about its own size, wide screen or phone alike
AROUND_PAD = 36.0
AROUND_MIN_KM = 4.0  # across the closer look at least
AROUND = labels.Layout("one-size", 15.0, 5.0, 8.0)
TICK_STEPS_KM = (0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000)
MOST_TICKS = 10
SHORT_NAME = 14  # a place's name longer than this is shortened first when the map is crowded
SHORT_PART = 18  # "Vasilissis Sofias": a part of a name short enough to stand for it
GHOST_STEP_KM = 0.01  # the legend is drawn where it is to this (a pixel of the closer look)
MAPS_KEPT = 256  # maps drawn, kept in memory: a few for each journey under way
LINKING_WORDS = {"and", "of", "the", "on", "de", "del", "do", "das", "la", "le"}


@dataclass(frozen=True)
class Ghost:
    """The legend a journey races: its name and where it is, in km along the route."""

    name: str
    km: float


@dataclass(frozen=True)
class DrawnRoute:
    """The route as drawn: points with their km marks (longitudes continuous), the places on
    that line, and the runner's place on it when enrolled."""

    line: routes.RouteLine
    kms: list[float]
    points: list[Point]
    places: list[Point]


def maps(
    title: str, line: routes.RouteLine, at_km: float | None, ghost: Ghost | None = None
) -> tuple[Markup, Markup | None]:
    """The whole route's map and, for a long journey, the closer one around the runner; with
    a `ghost`, the legend raced on both (on the closer one when it is within it).

    Drawn once for each place of the runner (and of the legend, to GHOST_STEP_KM) and kept:
    placing the labels costs more than the rest of a mission's page."""
    if ghost is not None:  # the legend moves on by the second; a step is under a pixel
        ghost = Ghost(ghost.name, round(ghost.km / GHOST_STEP_KM) * GHOST_STEP_KM)
    key = (title, id(line), at_km, ghost)
    kept = _DRAWN.get(key)
    if kept is not None and kept[0] is line:  # the same line, not another at its address
        return kept[1]
    route = drawn_route(line)
    drawn = _whole(title, route, at_km, ghost), _around(title, route, at_km, ghost)
    if len(_DRAWN) >= MAPS_KEPT:
        _DRAWN.clear()
    _DRAWN[key] = (line, drawn)
    return drawn


_DRAWN: dict[
    tuple[str, int, float | None, Ghost | None],
    tuple[routes.RouteLine, tuple[Markup, Markup | None]],
] = {}


def route_map(
    title: str, line: routes.RouteLine, at_km: float | None, ghost: Ghost | None = None
) -> Markup:
    """The whole route as an SVG map: done in one style, the rest in another, places, km ticks
    and the runner. Without `at_km` (not enrolled) the whole route is still to run."""
    return _whole(title, drawn_route(line), at_km, ghost)


def around_map(
    title: str, line: routes.RouteLine, at_km: float | None, ghost: Ghost | None = None
) -> Markup | None:
    """A closer map centred on the runner, showing the last place passed and the next one;
    None when not enrolled or when the journey is short enough for one map."""
    return _around(title, drawn_route(line), at_km, ghost)


def _whole(
    title: str, route: DrawnRoute, at_km: float | None, ghost: Ghost | None = None
) -> Markup:
    line = route.line
    world = is_world(route.points)
    content = list(route.points)
    if world:
        middle = (min(p[1] for p in content) + max(p[1] for p in content)) / 2
        content += [(WORLD_LATS[0], middle), (WORLD_LATS[1], middle)]
    low, high = WORLD_HEIGHTS if world else HEIGHTS
    height = frames.height_for(content, WIDTH, PAD, low, high)
    frame = frames.fit(content, WIDTH, height, PAD, MIN_SPAN_KM)
    lines = _lines(route, at_km)
    if at_km is None:
        label = f"Map of the route of {title}, {line.length_km:,.1f} km"
    else:
        _, ahead, to_next_km = line.places_around(at_km)
        label = f"Map of the route of {title}: you are at km {at_km:,.1f} of {line.length_km:,.1f}"
        if ahead is not None:
            label += f", {to_next_km:,.1f} km before {ahead.name}"
        around = _around_frame(route, at_km)
        if around is not None:  # where the closer look is, as a box on the whole map
            lines.insert(0, drawing.Line(_outline(around, frame), "zoom", avoid=False))
    ticks = ticks_of(route, 0.0, line.length_km, tick_step(line.length_km))
    markers = markers_of(route, at_km)
    if ghost is not None:
        markers.append(_ghost(route, ghost))
        label += f"; {ghost.name} at km {ghost.km:,.1f}"
    return drawing.map_svg(lines, markers, label=label, frame=frame, ticks=ticks)


def _ghost(route: DrawnRoute, ghost: Ghost) -> drawing.Marker:
    """The legend's marker, named as a place that must be (labels.FORCED)."""
    km = min(max(ghost.km, 0.0), route.line.length_km)
    forms = shorter_names(ghost.name)
    return drawing.Marker(point_at(route, km), forms[0], "ghost", labels.FORCED, tuple(forms[1:]))


def _around(
    title: str, route: DrawnRoute, at_km: float | None, ghost: Ghost | None = None
) -> Markup | None:
    if at_km is None:
        return None
    line = route.line
    frame = _around_frame(route, at_km)
    if frame is None:
        return None
    last, ahead, _ = line.places_around(at_km)
    first_km = last.km
    end_km = ahead.km if ahead is not None else line.length_km
    span_km = frame.width * frame.km_per_unit
    ticks = ticks_of(route, first_km, end_km, tick_step(span_km, most=6))
    label = f"Map around you in {title}: km {at_km:,.1f}, past {last.name}"
    if ahead is not None:
        label += f", on the way to {ahead.name}"
    markers = markers_of(route, at_km)
    if ghost is not None:
        shown = _ghost(route, ghost)
        x, y = frame.xy(shown.point)
        margin = AROUND_PAD / 2  # a legend at the very edge would have no room for its name
        inside_x = margin <= x <= frame.width - margin
        if inside_x and margin <= y <= frame.height - margin:
            markers.append(shown)
            label += f"; {ghost.name} at km {ghost.km:,.1f}"
    return drawing.map_svg(
        _lines(route, at_km),
        markers,
        label=label,
        frame=frame,
        ticks=ticks,
        layouts=(AROUND,),
    )


def drawn_route(line: routes.RouteLine) -> DrawnRoute:
    """The route as maps draw it: its line thinned, with each place's km on it."""
    kms, points = _drawn(line)
    places = [_near((point.lat, point.lon), points, kms, point.km) for point in line.waypoints]
    return DrawnRoute(line, kms, points, places)


def is_world(points: Sequence[Point]) -> bool:
    """Whether a line spans enough longitude to be drawn on the world's map."""
    lons = [p[1] for p in points]
    return max(lons) - min(lons) > WORLD_SPAN_DEG


def _lines(route: DrawnRoute, at_km: float | None) -> list[drawing.Line]:
    """The route to run, and over it the part run."""
    if at_km is None:
        return [drawing.Line(route.points, "todo")]
    here = point_at(route, at_km)
    before = bisect.bisect_left(route.kms, at_km)
    after = bisect.bisect_right(route.kms, at_km)
    return [
        drawing.Line([here, *route.points[after:]], "todo"),
        drawing.Line([*route.points[:before], here], "done"),
    ]


def point_at(route: DrawnRoute, at_km: float) -> Point:
    """Where km `at_km` of the route falls on its drawn line."""
    return _near(route.line.position_at(at_km), route.points, route.kms, at_km)


def markers_of(route: DrawnRoute, at_km: float | None) -> list[drawing.Marker]:
    """A marker for every place, and the runner's; each spot named once, by the place that
    matters most there."""
    waypoints = route.line.waypoints
    last_index = len(waypoints) - 1
    ranks = [3] * len(waypoints)
    for index in (0, last_index):
        ranks[index] = 2 if at_km is not None else 1
    if at_km is not None:
        last, ahead, _ = route.line.places_around(at_km)
        ranks[waypoints.index(last)] = 1
        if ahead is not None:
            ranks[waypoints.index(ahead)] = 1
    named: dict[tuple[float, float], int] = {}
    for index, place in enumerate(route.places):
        spot = (round(place[0], 4), round(place[1], 4))
        if spot not in named or ranks[index] < ranks[named[spot]]:
            named[spot] = index
    chosen = set(named.values())
    markers = []
    for index, (place, waypoint) in enumerate(zip(route.places, waypoints, strict=True)):
        if index in chosen:
            forms = shorter_names(waypoint.name)
            markers.append(drawing.Marker(place, forms[0], "place", ranks[index], tuple(forms[1:])))
        else:
            markers.append(drawing.Marker(place, "", "place"))
    if at_km is not None:
        markers.append(drawing.Marker(point_at(route, at_km), "You", "you", 0))
    return markers


def shorter_names(name: str) -> list[str]:
    """The name, then ever shorter forms of it for a crowded map: without its parentheses,
    the telling part of a comma list, a few whole words, a few letters."""
    forms = [name]
    plain = re.sub(r"\s*\([^)]*\)", "", name).strip() or name
    forms.append(plain)
    parts = [part.strip() for part in plain.split(",") if part.strip()]
    if len(parts) > 1:
        if len(parts[0]) <= SHORT_PART:  # "Sparta, statue of Leonidas"
            forms.append(parts[0])
        else:  # "Foot of the Acropolis, Athens": the next part names the place
            named = [p for p in parts[1:] if len(p) <= SHORT_PART and not re.search(r"\d", p)]
            forms.append(named[0] if named else min(parts, key=len))
    words = forms[-1].split()
    kept = words[0]
    for word in words[1:]:
        if len(kept) + 1 + len(word) > SHORT_NAME - 2:
            break
        kept += " " + word
    while " " in kept and kept.rsplit(" ", 1)[1].lower() in LINKING_WORDS:
        kept = kept.rsplit(" ", 1)[0]  # not "São Tomé and"
    forms.append(kept)
    if len(kept) > SHORT_NAME - 2:
        forms.append(kept[: SHORT_NAME - 4] + "…")
    found: list[str] = []
    for form in forms:
        if not found or len(form) < len(found[-1]):
            found.append(form)
    return found


def _around_frame(route: DrawnRoute, at_km: float) -> Frame | None:
    """The closer look: centred on the runner, wide enough for the last place and the next
    (or, at the finish, the one before it); None for a short journey."""
    line = route.line
    if line.length_km <= LONG_JOURNEY_KM:
        return None
    here = point_at(route, at_km)
    last, ahead, _ = line.places_around(at_km)
    index = line.waypoints.index(last)
    if ahead is None:
        ahead = line.waypoints[max(index - 1, 0)]
    shown = [route.places[index], route.places[line.waypoints.index(ahead)]]
    cos_lat = max(math.cos(math.radians(here[0])), frames.MIN_COS_LAT)
    reach_x = max(abs(p[1] - here[1]) * cos_lat for p in shown)
    reach_y = max(abs(p[0] - here[0]) for p in shown)
    least = AROUND_MIN_KM / 2 / frames.KM_PER_DEG_LAT
    width, height = AROUND_SIZE
    scale = min(
        (width / 2 - AROUND_PAD) / max(reach_x, least),
        (height / 2 - AROUND_PAD) / max(reach_y, least),
    )
    return frames.centred(here[0], here[1], scale, width, height)


def _outline(inner: Frame, outer: Frame) -> list[Point]:
    """The inner frame's box as a closed line, cut to the outer frame (a hair inside it)."""
    hair = 1.0 / outer.scale
    south, north = max(inner.south, outer.south + hair), min(inner.north, outer.north - hair)
    hair_lon = hair / outer.cos_lat
    west, east = max(inner.west, outer.west + hair_lon), min(inner.east, outer.east - hair_lon)
    return [(south, west), (north, west), (north, east), (south, east), (south, west)]


def tick_step(span_km: float, most: int = MOST_TICKS) -> float:
    """A round km step giving at most `most` ticks over `span_km`."""
    return next((s for s in TICK_STEPS_KM if span_km / s <= most), TICK_STEPS_KM[-1])


def ticks_of(route: DrawnRoute, first_km: float, end_km: float, step: float) -> list[drawing.Tick]:
    """A tick at every whole `step` of km strictly between `first_km` and `end_km`."""
    kms = np.array(route.kms)
    lat = np.array([p[0] for p in route.points])
    lon = np.array([p[1] for p in route.points])

    def at(km: float) -> Point:
        return float(np.interp(km, kms, lat)), float(np.interp(km, kms, lon))

    nudge = step / 50
    ticks: list[drawing.Tick] = []
    number = math.floor(first_km / step) + 1
    while number * step < end_km - 1e-9 and len(ticks) < 4 * MOST_TICKS:
        km = number * step
        (lat0, lon0), (lat1, lon1), (lat2, lon2) = at(km - nudge), at(km), at(km + nudge)
        toward = (lat1 + lat2 - lat0, lon1 + lon2 - lon0)  # the route's direction there
        text = f"{km:,.1f}" if step < 1 else f"{km:,.0f}"
        ticks.append(drawing.Tick((lat1, lon1), toward, text))
        number += 1
    if ticks:  # the first number says what the numbers are
        first = ticks[0]
        ticks[0] = drawing.Tick(first.point, first.toward, f"{first.text} km")
    return ticks


def _drawn(line: routes.RouteLine) -> tuple[list[float], list[Point]]:
    """The points to draw the route through and their km marks, longitudes made continuous.

    A straight leg is a great circle, which a flat map bends: long legs get points on it, so
    the runner's marker sits on the line drawn.
    """
    marks = np.array([point.km for point in line.waypoints])
    point_km = np.interp(line.along_m, line.anchors_m, marks)
    step_km = max(MAP_STEP_KM, line.length_km / MAP_SAMPLES)
    kms: list[float] = [float(point_km[0])]
    points: list[Point] = [(float(line.lat_deg[0]), float(line.lon_deg[0]))]
    long_legs = set(np.flatnonzero(np.diff(point_km) > step_km).tolist())
    for index in range(1, len(point_km)):
        if index - 1 in long_legs:
            start, end = float(point_km[index - 1]), float(point_km[index])
            pieces = math.ceil((end - start) / step_km)
            shares = np.arange(1, pieces) / pieces
            kms.extend((start + (end - start) * shares).tolist())
            bent_lat, bent_lon = _great_circle(
                (float(line.lat_deg[index - 1]), float(line.lon_deg[index - 1])),
                (float(line.lat_deg[index]), float(line.lon_deg[index])),
                shares,
            )
            points.extend(zip(bent_lat.tolist(), bent_lon.tolist(), strict=True))
        kms.append(float(point_km[index]))
        points.append((float(line.lat_deg[index]), float(line.lon_deg[index])))
    for index in range(1, len(points)):  # no jump across the antimeridian
        lat, lon = points[index]
        points[index] = (lat, _beside(lon, points[index - 1][1]))
    return kms, points


def _great_circle(a: Point, b: Point, shares: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Points `shares` of the way from a to b along the great circle (as the route's own
    line interpolates them), in degrees."""
    va, vb = _unit(a), _unit(b)
    angle = float(np.arccos(np.clip(va @ vb, -1.0, 1.0)))
    if angle < 1e-12:
        return np.full(len(shares), a[0]), np.full(len(shares), a[1])
    v = (
        np.sin((1 - shares) * angle)[:, None] * va + np.sin(shares * angle)[:, None] * vb
    ) / np.sin(angle)
    lat = np.degrees(np.arctan2(v[:, 2], np.hypot(v[:, 0], v[:, 1])))
    return lat, np.degrees(np.arctan2(v[:, 1], v[:, 0]))


def _unit(point: Point) -> FloatArray:
    lat, lon = math.radians(point[0]), math.radians(point[1])
    return np.array([math.cos(lat) * math.cos(lon), math.cos(lat) * math.sin(lon), math.sin(lat)])


def _near(point: Point, points: Sequence[Point], kms: Sequence[float], km: float) -> Point:
    """`point` with its longitude shifted by whole turns to sit by the line at `km`."""
    index = min(bisect.bisect_left(kms, km), len(points) - 1)
    return point[0], _beside(point[1], points[index][1])


def _beside(lon: float, reference: float) -> float:
    return lon + 360.0 * round((reference - lon) / 360.0)
