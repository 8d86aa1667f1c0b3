"""A mission's route maps: land and sea under every bundled route, labels that cover nothing,
the last and next place always named, km ticks, the closer look, and light pages."""

from __future__ import annotations

import itertools
import math

import pytest

from heroicrun import geodesy
from heroicrun.missions import catalog, routes
from heroicrun.missions.model import Mission, Route
from heroicrun.server.pages import labels, route_maps
from tests.helpers import svgmaps

BUNDLED = catalog.bundled()
JOURNEYS = [mission for mission in BUNDLED.missions if mission.route is not None]
SHARES = (None, 0.0, 0.03, 0.37, 0.5, 0.81, 1.0)  # not enrolled, then shares of the route
WHOLE = (labels.WIDE, labels.NARROW)
# Trinity's Great Court, anticlockwise from the clock tower along the flagstones: about 330 m.
COURT = [
    ("King Edward's Tower", 52.20716, 0.11660),
    ("North-east corner", 52.20716, 0.11745),
    ("Great Gate", 52.20675, 0.11752),
    ("South-east corner", 52.20632, 0.11745),
    ("South-west corner", 52.20632, 0.11640),
    ("North-west corner", 52.20716, 0.11640),
    ("King Edward's Tower", 52.20716, 0.11660),
]


def line_of(mission_id: str) -> routes.RouteLine:
    mission = BUNDLED.get(mission_id)
    assert mission is not None and mission.route is not None
    return routes.build(mission.route, BUNDLED.directory)


def at(line: routes.RouteLine, share: float | None) -> float | None:
    return None if share is None else share * line.length_km


def drawn(mission: Mission, share: float | None) -> tuple[svgmaps.Map, svgmaps.Map | None]:
    assert mission.route is not None
    line = routes.build(mission.route, BUNDLED.directory)
    whole, around = route_maps.maps(mission.title, line, at(line, share))
    closer = None if around is None else svgmaps.read(str(around))
    return svgmaps.read(str(whole)), closer


def court_line() -> routes.RouteLine:
    km, waypoints = 0.0, []
    for index, (name, lat, lon) in enumerate(COURT):
        if index:
            _, before_lat, before_lon = COURT[index - 1]
            km += geodesy.distance_m(before_lat, before_lon, lat, lon) / 1000
        waypoints.append({"name": name, "lat": lat, "lon": lon, "km": round(km, 3)})
    return routes.build(Route.model_validate({"waypoints": waypoints}))


@pytest.mark.parametrize("mission", JOURNEYS, ids=lambda m: m.id)
def test_every_route_is_drawn_on_land_and_sea_in_a_light_map(mission: Mission) -> None:
    for share in SHARES:
        whole, around = drawn(mission, share)
        for found in (whole, around):
            if found is None:
                continue
            assert '<rect class="sea"' in found.source
            assert '<g class="land"' in found.source
            assert found.land, f"{mission.id} at {share}: no land drawn"
            assert len(found.source) < 48_000, f"{mission.id} at {share}: {len(found.source)} bytes"


@pytest.mark.parametrize("mission", JOURNEYS, ids=lambda m: m.id)
def test_no_label_covers_another_a_marker_or_the_edge(mission: Mission) -> None:
    for share in SHARES:
        whole, around = drawn(mission, share)
        for layout in WHOLE:
            assert svgmaps.problems(whole, layout) == [], (mission.id, share, layout.css)
        if around is not None:
            assert svgmaps.problems(around, route_maps.AROUND) == [], (mission.id, share)


def test_athens_and_megara_are_both_named_and_apart() -> None:
    line = line_of("reach-sparta")
    for km in (None, 0.0, 10.0, 44.0, 480.0):
        whole = svgmaps.read(str(route_maps.route_map("Reach Sparta", line, km)))
        for layout in WHOLE:
            placed = {label.text: label.box for label in whole.layers[layout.css]}
            athens = [box for text, box in placed.items() if "Athens" in text]
            megara = [box for text, box in placed.items() if text.startswith("Megara")]
            assert athens and megara, (km, layout.css, list(placed))
            assert not svgmaps.overlap(athens[0], megara[0])


@pytest.mark.parametrize(
    "km", [0.0, 5.0, 42.5, 45.0, 80.0, 123.0, 160.0, 200.0, 246.0, 300.0, 414.0, 460.0, 491.9]
)
def test_the_last_place_passed_and_the_next_are_always_named(km: float) -> None:
    line = line_of("reach-sparta")
    last, ahead, _ = line.places_around(km)
    whole, around = route_maps.maps("Reach Sparta", line, km)
    maps: list[tuple[svgmaps.Map, tuple[labels.Layout, ...]]] = [(svgmaps.read(str(whole)), WHOLE)]
    assert around is not None  # a long journey: the closer look too
    maps.append((svgmaps.read(str(around)), (route_maps.AROUND,)))
    for found, layouts in maps:
        for layout in layouts:
            texts = found.texts(layout.css)
            assert "You" in texts
            for place in (last, ahead):
                if place is not None:
                    forms = route_maps.shorter_names(place.name)
                    assert any(form in texts for form in forms), (km, layout.css, place.name)


def test_the_runner_label_sits_beside_the_marker_never_under_it() -> None:
    line = line_of("original-marathon")
    for km in (0.0, 5.9, 21.0, 42.0):
        found = svgmaps.read(str(route_maps.route_map("The Original Marathon", line, km)))
        [you] = [marker for marker in found.markers if marker.css == "you"]
        for layout in WHOLE:
            [label] = [label for label in found.layers[layout.css] if label.css == "you"]
            left, top, right, bottom = label.box
            near_x, near_y = min(max(you.x, left), right), min(max(you.y, top), bottom)
            apart = math.hypot(near_x - you.x, near_y - you.y)
            assert layout.you_r <= apart <= layout.you_r + 4 * layout.font


def test_the_route_has_km_ticks_at_a_round_step() -> None:
    found = svgmaps.read(str(route_maps.route_map("Reach Sparta", line_of("reach-sparta"), None)))
    assert found.source.count('class="tick-marks"') == 1
    marks = found.source.split('class="tick-marks" d="')[1].split('"')[0]
    assert marks.count("M") == 9  # every 50 km of 492
    numbers = [label.text for label in found.layers["wide"] if label.css == "tick"]
    assert numbers[0] == "50 km"
    assert {"100", "150", "200", "250"} <= set(numbers)


def test_a_lap_of_the_world_is_the_whole_world_with_its_continents() -> None:
    world = BUNDLED.get("around-the-world")
    assert world is not None and world.route is not None
    found, _ = drawn(world, None)
    assert found.height < 300  # a world map is wide
    places = dict(zip((w.name for w in world.route.waypoints), found.markers, strict=False))

    def at(name: str) -> svgmaps.Marker:
        [marker] = [m for n, m in places.items() if n.startswith(name)]
        return marker

    for name in ("Nanyuki", "Bonjol", "Mitad del Mundo, Ecuador (the"):
        assert found.on_land(at(name).x, at(name).y), name
    quito, macapa, sao_tome = at("Mitad del Mundo, Ecuador (the"), at("Marco Zero"), at("Ilhéu")
    assert found.on_land((quito.x + macapa.x) / 2, quito.y)  # the Amazon (Macapá is on its mouth)
    assert not found.on_land((macapa.x + sao_tome.x) / 2, macapa.y)  # the Atlantic
    assert not found.on_land(at("Aranuka").x - 40, at("Aranuka").y)  # the Pacific
    # Land fills the map from edge to edge: the Americas repeat a turn east.
    xs = [x for ring in found.land for x in ring[:, 0]]
    assert min(xs) <= 2 and max(xs) >= found.width - 2


def test_a_long_journey_gets_a_closer_look_centred_on_the_runner() -> None:
    line = line_of("reach-sparta")
    assert route_maps.around_map("Reach Sparta", line, None) is None  # not enrolled
    assert route_maps.around_map("The Original Marathon", line_of("original-marathon"), 5) is None
    around = route_maps.around_map("Reach Sparta", line, 65.5)
    assert around is not None
    found = svgmaps.read(str(around))
    [you] = [marker for marker in found.markers if marker.css == "you"]
    assert (round(you.x), round(you.y)) == (found.width / 2, found.height / 2)
    inside = [m for m in found.markers if 0 <= m.x <= found.width and 0 <= m.y <= found.height]
    assert len(inside) >= 3  # the runner, Megara behind and the Corinth Canal ahead
    assert "Megara" in found.texts("one-size")
    whole = str(route_maps.route_map("Reach Sparta", line, 65.5))
    assert '<polyline class="zoom"' in whole  # where the closer look is, on the whole map


def test_a_court_loop_is_drawn_on_a_few_hundred_metres_of_land() -> None:
    line = court_line()
    assert 0.3 < line.length_km < 0.4
    found = svgmaps.read(str(route_maps.route_map("The Great Court Run", line, 0.2)))
    assert found.land  # Cambridge: all land
    assert found.on_land(found.width / 2, found.height / 2)
    numbers = [label.text for label in found.layers["wide"] if label.css == "tick"]
    assert numbers[:1] == ["0.1 km"]
    scale = [label.text for label in found.layers["wide"] if label.css == "scale"]
    assert scale and scale[0].endswith(" m")
    for layout in WHOLE:
        assert svgmaps.problems(found, layout) == []


@pytest.mark.parametrize(
    ("name", "shortest"),
    [
        ("Foot of the Acropolis, Athens", "Athens"),
        ("Sparta, statue of Leonidas", "Sparta"),
        ("Corinth Canal bridge (homeward)", "Corinth"),
        ("Lincoln Memorial Reflecting Pool, Washington, D.C.", "Washington"),
        ("Ilhéu das Rolas, São Tomé and Príncipe", "Ilhéu"),
        ("Forrest Gump Point, US 163, Monument Valley, Utah", "Forrest Gump"),
        ("Megara", "Megara"),
    ],
)
def test_a_place_name_shortens_to_what_names_it(name: str, shortest: str) -> None:
    forms = route_maps.shorter_names(name)
    assert forms[0] == name and forms[-1] == shortest
    assert all(len(b) < len(a) for a, b in itertools.pairwise(forms))
