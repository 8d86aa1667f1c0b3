"""Maps and charts as SVG: whatever the run, a bounded number of vertices on the page."""

from __future__ import annotations

import math
import re

from heroicrun.geography import land
from heroicrun.server.pages import basemap, drawing, frames, labels
from tests.helpers import svgmaps

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


# --- geography and labels --------------------------------------------------------------------

ATHENS = (37.9715, 23.7257)  # by the Acropolis
SARONIC = (37.86, 23.62)  # the gulf off Piraeus


def test_a_run_map_has_land_and_the_sea_off_a_coast() -> None:
    assert land.is_land(*ATHENS) and not land.is_land(*SARONIC)
    track = drawing.Line([ATHENS, SARONIC], "track")
    markers = [
        drawing.Marker(ATHENS, "Start", "start"),
        drawing.Marker(SARONIC, "Finish", "finish"),
    ]
    found = svgmaps.read(str(drawing.map_svg([track], markers)))
    assert '<rect class="sea"' in found.source and '<g class="land"' in found.source
    start, finish = found.markers
    assert found.on_land(start.x, start.y) and not found.on_land(finish.x, finish.y)


def test_a_map_in_a_city_is_all_land() -> None:
    track = drawing.Line([(52.2063, 0.1164), (52.2072, 0.1175)], "track")  # Cambridge
    found = svgmaps.read(str(drawing.map_svg([track])))
    assert len(found.land) == 1  # one ring: the map's own box, cut from Great Britain
    assert found.on_land(5, 5) and found.on_land(found.width - 5, found.height - 5)


def test_a_short_track_is_drawn_on_a_deliberate_scale() -> None:
    # 100 m of track is drawn on at least 200 m of ground, with a scale bar.
    track = drawing.Line([(52.2063, 0.1164), (52.2072, 0.1164)], "track")
    found = svgmaps.read(str(drawing.map_svg([track])))
    ys = [
        float(y) for y in re.findall(r",([\d.]+)", found.source.split('class="track" points="')[1])
    ]
    assert max(ys) - min(ys) < found.height / 2
    [scale] = [label.text for label in found.layers["wide"] if label.css == "scale"]
    assert scale in ("20 m", "50 m")


def test_crowded_labels_cover_nothing_and_the_wanted_ones_stay() -> None:
    # Start, finish and eight GPS spikes within a few metres of each other.
    here = (46.05, 14.5)
    track = drawing.Line([here, (46.06, 14.51)], "track")
    spikes = [
        drawing.Marker((46.05 + i * 2e-5, 14.5 + i * 2e-5), "GPS spike", "flag", rank=3)
        for i in range(8)
    ]
    must = drawing.Marker(
        (46.0501, 14.5001),
        "A place that must be named, however crowded",
        rank=1,
        shorter=("A place",),
    )
    markers = [drawing.Marker(here, "Start", "start"), *spikes, must]
    found = svgmaps.read(str(drawing.map_svg([track], markers)))
    for layout in (labels.WIDE, labels.NARROW):
        assert svgmaps.problems(found, layout) == []
        texts = found.texts(layout.css)
        assert any(text.startswith("A place") for text in texts)
        assert texts.count("GPS spike") < 8  # those that had room


def test_the_land_under_a_frame_is_drawn_once() -> None:
    frame = frames.fit([(37.9, 23.6), (38.0, 23.8)], 640, 400, 24)
    basemap.ground.cache_clear()
    first = basemap.ground(frame)
    again = basemap.ground(frames.fit([(37.9, 23.6), (38.0, 23.8)], 640, 400, 24))
    assert again is first
    assert basemap.ground.cache_info().hits == 1


def test_a_run_across_the_antimeridian_is_drawn_where_it_is() -> None:
    # Taveuni, Fiji: 179.99° E to 179.99° W is 2 km, not a lap of the world.
    track = drawing.Line([(-16.8, 179.99), (-16.8, -179.99)], "track")
    markers = [drawing.Marker((-16.8, -179.99), "Finish", "finish")]
    found = svgmaps.read(str(drawing.map_svg([track], markers)))
    xs = [float(p.split(",")[0]) for p in found.source.split('points="')[1].split('"')[0].split()]
    assert 300 < max(xs) - min(xs) < 640  # the 2 km fill the map's width
    [finish] = found.markers
    assert math.isclose(finish.x, max(xs), abs_tol=0.1)
