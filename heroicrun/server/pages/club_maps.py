"""A team journey's route as a map: the part the club has run split into bands, one colour for
each member's stretch in the order their runs took the team there, the rest still to run, the
places, km ticks and the team's marker.

It is the mission page's whole-route map (pages/route_maps.py) with the part run told apart by
member, so it is drawn with the same pieces: the same line through the route, the same places
named by the same rules, the same ticks. The members with most km each get a shade of their
own (SHADES of them); everyone else shares one, "the others", so that two hundred members do not
make two hundred colours no one can tell apart. The map's accessible name says where the team
is; the page lists the bands in words beside it.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass, replace

from markupsafe import Markup

from heroicrun.missions import routes
from heroicrun.server.pages import drawing, frames, route_maps
from heroicrun.server.pages.frames import Point

SHADES = 7  # members drawn in a colour of their own; the rest share the others' colour
OTHERS = "others"
TEAM = "Team"  # the team marker's label
MOST_BANDS = 150  # a club's whole history of stretches, joined into at most this many bands


@dataclass(frozen=True)
class Leg:
    """A stretch of the route the team ran, from km `start_km` to `end_km` (by the route's
    marks), by one member; `shade` is the member's colour (0 to SHADES - 1), None for the
    others."""

    member: str
    start_km: float
    end_km: float
    shade: int | None


def legs_of(contributions: Sequence[tuple[str, float]], shades: dict[str, int]) -> list[Leg]:
    """The stretches along the route of each (member, km) in the order the team ran them,
    neighbours of one colour joined; `shades` gives the members who have a colour."""
    legs: list[Leg] = []
    at_km = 0.0
    for member, km in contributions:
        if km <= 0:
            continue
        shade = shades.get(member)
        end_km = at_km + km
        if legs and legs[-1].shade == shade:  # one colour: one member, or the others
            joined = legs[-1].member if legs[-1].member == member else OTHERS
            legs[-1] = replace(legs[-1], member=joined, end_km=end_km)
        else:
            legs.append(Leg(member, at_km, end_km, shade))
        at_km = end_km
    return _fewer(legs)


def _fewer(legs: list[Leg]) -> list[Leg]:
    """At most MOST_BANDS legs: the shortest ones go to the leg before them (a sliver of a band
    shows nothing on a map a phone wide)."""
    while len(legs) > MOST_BANDS:
        shortest = min(range(1, len(legs)), key=lambda i: legs[i].end_km - legs[i].start_km)
        legs[shortest - 1] = replace(legs[shortest - 1], end_km=legs[shortest].end_km)
        del legs[shortest]
    return legs


def team_map(title: str, line: routes.RouteLine, at_km: float, legs: Sequence[Leg]) -> Markup:
    """The whole route as an SVG map with the team's stretches as bands, in colours `shade`
    (CSS classes m0..m6, and "others"), the route to come, places, km ticks and the team."""
    route = route_maps.drawn_route(line)
    at_km = min(max(at_km, 0.0), line.length_km)
    content = list(route.points)
    world = route_maps.is_world(route.points)
    if world:
        middle = (min(p[1] for p in content) + max(p[1] for p in content)) / 2
        content += [(route_maps.WORLD_LATS[0], middle), (route_maps.WORLD_LATS[1], middle)]
    low, high = route_maps.WORLD_HEIGHTS if world else route_maps.HEIGHTS
    height = frames.height_for(content, route_maps.WIDTH, route_maps.PAD, low, high)
    frame = frames.fit(content, route_maps.WIDTH, height, route_maps.PAD, route_maps.MIN_SPAN_KM)
    lines = [drawing.Line(_stretch(route, at_km, line.length_km), "todo")]
    for leg in legs:
        start, end = min(leg.start_km, at_km), min(leg.end_km, at_km)
        if end > start:
            css = OTHERS if leg.shade is None else f"m{leg.shade}"
            lines.append(drawing.Line(_stretch(route, start, end), f"band {css}"))
    markers = [
        replace(marker, label=TEAM) if marker.css == "you" else marker
        for marker in route_maps.markers_of(route, at_km)
    ]
    ticks = route_maps.ticks_of(route, 0.0, line.length_km, route_maps.tick_step(line.length_km))
    label = f"Map of the route of {title}: the team is at km {at_km:,.1f} of {line.length_km:,.1f}"
    _, ahead, to_next_km = line.places_around(at_km)
    if ahead is not None:
        label += f", {to_next_km:,.1f} km before {ahead.name}"
    svg = drawing.map_svg(lines, markers, label=label, frame=frame, ticks=ticks)
    return Markup(str(svg).replace('<svg class="map', '<svg class="map team-map', 1))


def _stretch(route: route_maps.DrawnRoute, start_km: float, end_km: float) -> list[Point]:
    """The route's line from `start_km` to `end_km`: its two ends, and every point between."""
    first = bisect.bisect_right(route.kms, start_km)
    last = bisect.bisect_left(route.kms, end_km)
    return [
        route_maps.point_at(route, start_km),
        *route.points[first:last],
        route_maps.point_at(route, end_km),
    ]
