"""Maps and charts as SVG: whatever the run, a bounded number of vertices on the page."""

from __future__ import annotations

import math
import re

from heroicrun.server.pages import drawing

NAN = float("nan")


def vertices(svg: str) -> int:
    """How many x,y pairs the polylines of an SVG hold."""
    return sum(len(points.split()) for points in re.findall(r'points="([^"]*)"', svg))


def test_a_short_track_is_drawn_point_for_point() -> None:
    line = drawing.Line([(46.0 + i / 1000, 14.0) for i in range(300)], "track")
    assert vertices(drawing.map_svg([line])) == 300


def test_a_million_points_make_at_most_the_map_budget() -> None:
    line = drawing.Line([(46.0 + i / 1e6, 14.0 + (i % 7) / 1e5) for i in range(1_000_000)], "track")
    svg = drawing.map_svg([line])
    assert drawing.MAP_POINTS / 2 < vertices(svg) <= drawing.MAP_POINTS + 1
    # The last point is still where the line ends.
    assert svg.count("<polyline") == 1


def test_a_track_changing_style_at_every_step_stays_a_light_map() -> None:
    # A track that hops between continents every point: thousands of short lines.
    cities = [(51.5, -0.12), (-33.9, 151.2), (40.7, -74.0), (35.7, 139.7)]
    lines = [
        drawing.Line([cities[i % 4], cities[(i + 1) % 4]], ("track", "vehicle", "pause")[i % 3])
        for i in range(7000)
    ]
    svg = drawing.map_svg(lines, [drawing.Marker(cities[i % 4], "GPS spike") for i in range(7000)])
    assert svg.count("<polyline") == drawing.MAP_LINES
    assert vertices(svg) <= drawing.MAP_POINTS + 2 * drawing.MAP_LINES
    assert svg.count("<circle") == drawing.MAP_MARKERS
    assert len(svg) < 100_000


def test_a_chart_of_any_length_draws_at_most_its_budget() -> None:
    # Two values, then a gap, over and over: as many separate lines as a chart can hold.
    ys = [NAN if i % 3 == 2 else 300.0 + i % 17 for i in range(300_000)]
    xs = [i / 100 for i in range(len(ys))]
    svg = drawing.chart_svg(drawing.Series(xs, ys, "pace", "Pace"))
    assert 0 < vertices(svg) <= drawing.CHART_POINTS
    assert len(svg) < 100_000


def test_a_chart_keeps_its_last_value() -> None:
    xs = [i / 10 for i in range(10_001)]
    ys = [math.sin(x) for x in xs]
    svg = drawing.chart_svg(drawing.Series(xs, ys, "elevation", "Elevation"))
    assert vertices(svg) <= drawing.CHART_POINTS + 1
    last_x = float(re.findall(r'points="([^"]*)"', svg)[-1].split()[-1].split(",")[0])
    assert last_x == 640 - 12  # the right edge of the plot: x = 1000 km is drawn
