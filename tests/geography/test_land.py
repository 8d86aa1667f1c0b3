"""The bundled land and borders: what is land, what lies in a box, at what detail, how heavy."""

from __future__ import annotations

import ast
import math
from importlib import resources
from pathlib import Path

import numpy as np
import pytest

from heroicrun.geography import land

PACKAGE = Path(land.__file__).parent
GREECE = land.Box(36.0, 21.0, 39.0, 26.5)  # the Peloponnese, Attica and the Aegean
WORLD = land.Box(-60.0, -90.0, 80.0, 290.0)  # a lap of the equator from Ecuador, and more


def vertices(shapes: land.Shapes) -> int:
    return sum(len(outline.lat_deg) for outline in (*shapes.land, *shapes.borders))


@pytest.mark.parametrize(
    ("lat", "lon", "on_land"),
    [
        (37.9715, 23.7257, True),  # Athens, by the Acropolis
        (37.0830, 22.4260, True),  # Sparta
        (52.2070, 0.1170, True),  # Trinity's Great Court, Cambridge
        (-1.2921, 36.8219, True),  # Nairobi
        (-80.0, 0.0, True),  # Antarctica
        (37.5, 25.0, False),  # the Aegean, between the Cyclades
        (37.8, 23.2, False),  # the Saronic Gulf, off Megara
        (0.0, -30.0, False),  # the Atlantic on the equator
        (0.0, 170.0, False),  # the Pacific
        (42.0, 50.5, False),  # the Caspian, which no country holds
    ],
)
def test_a_point_is_land_or_sea(lat: float, lon: float, on_land: bool) -> None:
    assert land.is_land(lat, lon) is on_land


def test_longitudes_past_the_antimeridian_are_the_same_places() -> None:
    assert land.is_land(-1.2921, 36.8219 + 360.0)  # Nairobi, a turn east
    assert not land.is_land(0.0, -30.0 - 720.0)


def test_greece_has_the_mainland_and_its_islands_cut_to_the_box() -> None:
    # Natural Earth's 1:50m Greece in this box: the mainland, Euboea, Crete's west end, the
    # Cyclades and the Dodecanese's west: 23 rings, 400 points, all of them kept at 0.01°.
    full = land.within(GREECE, detail_deg=0.0)
    assert (len(full.land), vertices(full)) == (23, 400)
    shapes = land.within(GREECE, detail_deg=0.01)
    assert len(shapes.land) == 23 and 390 <= vertices(shapes) <= 400
    for outline in shapes.land:
        assert len(outline.lat_deg) >= 3
        assert (
            GREECE.south - 1e-9
            <= outline.lat_deg.min()
            <= outline.lat_deg.max()
            <= GREECE.north + 1e-9
        )
        assert (
            GREECE.west - 1e-9
            <= outline.lon_deg.min()
            <= outline.lon_deg.max()
            <= GREECE.east + 1e-9
        )
    # Greece borders Albania, North Macedonia, Bulgaria and Turkey to the north and east, all
    # outside this box: no borders in it but the Turkish coast's, if any.
    assert all(outline.lon_deg.min() > 25.5 for outline in shapes.borders)


def test_a_coarser_map_keeps_fewer_points_but_the_same_islands_that_show() -> None:
    fine = land.within(WORLD, detail_deg=0.05)
    coarse = land.within(WORLD, detail_deg=0.6)  # a 640-unit map of the world: 0.6° a unit
    assert vertices(coarse) < vertices(fine) / 3
    assert 2_000 <= vertices(coarse) <= 8_000  # a few thousand points: a light page
    assert len(coarse.land) < len(fine.land)  # islands under a unit across are left out


def test_a_box_past_the_antimeridian_is_filled_with_the_world_turned() -> None:
    shapes = land.within(WORLD, detail_deg=0.6)
    east = [o for o in shapes.land if o.lon_deg.min() >= 180.0]
    assert east, "the Americas, a turn east, close the lap"
    assert max(o.lon_deg.max() for o in east) <= WORLD.east + 1e-9
    # Each continent has land in the box: a point of each is inside some ring.
    for lat, lon in ((-3.0, 23.0), (-10.0, -55.0), (-10.0, 285.0), (45.0, 90.0), (-25.0, 134.0)):
        assert _inside(shapes, lat, lon), (lat, lon)


def test_the_data_is_small_and_loads_without_pickles() -> None:
    data = resources.files("heroicrun.geography").joinpath(land.DATA)
    size = len(data.read_bytes())
    assert 100_000 < size < 1_000_000
    with data.open("rb") as file:
        arrays = np.load(file, allow_pickle=False)
        assert set(arrays.files) == {
            "scale",
            "translate",
            "xy",
            "arc_ends",
            "weight",
            "land",
            "land_ends",
            "borders",
        }
    assert (PACKAGE / "SOURCES.md").read_text().count("world-atlas") >= 2


def test_the_geography_imports_no_framework() -> None:
    allowed = {
        "__future__",
        "functools",
        "math",
        "dataclasses",
        "importlib",
        "collections",
        "numpy",
        "heroicrun",
    }
    for module in PACKAGE.glob("*.py"):
        tree = ast.parse(module.read_text())
        for node in ast.walk(tree):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            for name in names:
                assert name.split(".")[0] in allowed, f"{module.name} imports {name}"


def _inside(shapes: land.Shapes, lat: float, lon: float) -> bool:
    """Even-odd over all the rings, as the map fills them."""
    crossings = 0
    for outline in shapes.land:
        x, y = outline.lon_deg, outline.lat_deg
        x_next, y_next = np.roll(x, -1), np.roll(y, -1)
        straddles = (y > lat) != (y_next > lat)
        with np.errstate(divide="ignore", invalid="ignore"):
            at_x = x + (lat - y) * (x_next - x) / (y_next - y)
        crossings += int(np.count_nonzero(straddles & (lon < at_x)))
    return crossings % 2 == 1


def test_simplifying_keeps_a_coast_within_a_few_units_of_the_full_one() -> None:
    # At a unit of 0.05°, Attica's coast moves by no more than a couple of units.
    box = land.Box(37.6, 23.2, 38.3, 24.2)
    full = land.within(box, detail_deg=0.0)
    kept = land.within(box, detail_deg=0.05)
    assert vertices(kept) < vertices(full)
    kept_points = np.concatenate([np.stack([o.lon_deg, o.lat_deg], axis=1) for o in kept.land])
    for outline in full.land:
        for lon, lat in zip(outline.lon_deg.tolist(), outline.lat_deg.tolist(), strict=True):
            nearest = np.min(np.hypot(kept_points[:, 0] - lon, kept_points[:, 1] - lat))
            # No point of the full coast is far from a kept point (a coarse but fair bound).
            assert nearest < 0.25, (lat, lon)
    assert math.isfinite(nearest)
