"""The small map of an upload's answer: the stretch of a journey's route that the upload ran,
with the runner's marker sliding along it from where they were to where they are now.

The map shows the stretch and, when they are near enough to read, the last place passed and the
next one. The slide is an SVG animation of a copy of the marker along the stretch; the
stylesheet hides it, and shows the marker still at its end, when the reader asks for reduced
motion. The map's accessible name says everything it shows.
"""

from __future__ import annotations

import numpy as np
from markupsafe import Markup

from heroicrun.missions import routes
from heroicrun.missions.model import Waypoint
from heroicrun.server.pages import drawing, frames, route_maps
from heroicrun.server.pages.frames import Point

WIDTH, HEIGHT = 640.0, 280.0
PAD = 44.0
MIN_SPAN_KM = 1.0  # a few hundred metres' run still shows some ground around it
CONTEXT_SHARE = 4.0  # places within this many times the stretch's length are shown too
CONTEXT_KM = 40.0  # ... or within this many km
SLIDE_S = 2.4  # how long the marker takes to slide


def slide_map(title: str, line: routes.RouteLine, km_before: float, km_after: float) -> Markup:
    """An SVG map of the route around km_before..km_after, the part run before in one style, the
    stretch just run in another, and the runner's marker sliding along it."""
    km_before, km_after = _clamped(line, km_before), _clamped(line, km_after)
    kms, points = _drawn(line)
    moved = max(km_after - km_before, 0.0)
    reach = max(CONTEXT_SHARE * moved, CONTEXT_KM)
    last, _, _ = line.places_around(km_before)
    _, ahead, _ = line.places_around(km_after)
    low = last.km if km_before - last.km <= reach else km_before - moved / 2
    high = km_after + moved / 2
    if ahead is not None and ahead.km - km_after <= reach:
        high = ahead.km
    high = min(max(high, km_after), line.length_km)
    shown = _stretch(kms, points, max(low, 0.0), high)
    frame = frames.fit(shown, WIDTH, HEIGHT, PAD, MIN_SPAN_KM)
    margin = max(high - low, MIN_SPAN_KM) * 2  # drawn past the frame's edge, never cut short
    before = _stretch(kms, points, max(low - margin, 0.0), km_before)
    ran = _stretch(kms, points, km_before, km_after)
    after = _stretch(kms, points, km_after, min(high + margin, line.length_km))
    lines = [drawing.Line(after, "todo"), drawing.Line(before, "done")]
    if len(ran) >= 2:
        lines.append(drawing.Line(ran, "done gain"))
    markers = _markers(line, points, kms, low - margin, high + margin, km_after, last, ahead)
    label = f"Map of {title} from km {km_before:,.1f} to km {km_after:,.1f}, past {last.name}" + (
        f", on the way to {ahead.name}" if ahead is not None else ", at the end of the route"
    )
    svg = str(drawing.map_svg(lines, markers, label=label, frame=frame))
    svg = svg.replace('<svg class="map', '<svg class="map reward-map', 1)
    if len(ran) >= 2:
        svg = svg[: -len("</svg>")] + _slider(frame, ran) + "</svg>"
    return Markup(svg)


def _clamped(line: routes.RouteLine, km: float) -> float:
    return min(max(km, 0.0), line.length_km)


def _drawn(line: routes.RouteLine) -> tuple[list[float], list[Point]]:
    """The route's points with their km marks, longitudes continuous across the antimeridian."""
    marks = np.array([point.km for point in line.waypoints])
    kms = np.interp(line.along_m, line.anchors_m, marks).tolist()
    lats, lons = line.lat_deg.tolist(), line.lon_deg.tolist()
    points: list[Point] = [(lats[0], lons[0])]
    for lat, lon in zip(lats[1:], lons[1:], strict=True):
        points.append((lat, lon + 360.0 * round((points[-1][1] - lon) / 360.0)))
    return kms, points


def _at(kms: list[float], points: list[Point], km: float) -> Point:
    lat = float(np.interp(km, kms, [p[0] for p in points]))
    lon = float(np.interp(km, kms, [p[1] for p in points]))
    return lat, lon


def _stretch(kms: list[float], points: list[Point], first_km: float, last_km: float) -> list[Point]:
    """The route from `first_km` to `last_km`: its ends, and every point between."""
    inner = [p for km, p in zip(kms, points, strict=True) if first_km < km < last_km]
    return [_at(kms, points, first_km), *inner, _at(kms, points, last_km)]


def _markers(
    line: routes.RouteLine,
    points: list[Point],
    kms: list[float],
    low: float,
    high: float,
    km_after: float,
    last: Waypoint,
    ahead: Waypoint | None,
) -> list[drawing.Marker]:
    """The places near the stretch (the last passed and the next named first) and the runner."""
    markers = []
    for place in line.waypoints:
        if not low <= place.km <= high:
            continue
        rank = 1 if place is last or place is ahead else 3
        forms = route_maps.shorter_names(place.name)
        spot = _at(kms, points, place.km)
        markers.append(drawing.Marker(spot, forms[0], "place", rank, tuple(forms[1:])))
    markers.append(drawing.Marker(_at(kms, points, km_after), "You", "you", 0))
    return markers


def _slider(frame: frames.Frame, ran: list[Point]) -> str:
    """A copy of the runner's marker, moving along the stretch once, then still at its end."""
    lat = np.array([p[0] for p in ran])
    lon = np.array([p[1] for p in ran])
    xs, ys = frame.xy_arrays(lat, lon)
    # The motion is added to where the circle stands: it stands at the start, so that it is
    # there before the slide begins, and the path runs from (0, 0).
    x0, y0 = float(xs[0]), float(ys[0])
    steps = zip((xs - x0).tolist(), (ys - y0).tolist(), strict=True)
    path = "M" + "L".join(f"{x:.1f} {y:.1f}" for x, y in steps)
    return (
        f'<g class="slider" aria-hidden="true"><circle r="8" cx="{x0:.1f}" cy="{y0:.1f}">'
        f'<animateMotion dur="{SLIDE_S:g}s" begin="0.3s" fill="freeze" path="{path}"/>'
        "</circle></g>"
    )
