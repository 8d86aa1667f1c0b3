"""The checked catalog kept between runs: used again only while nothing it came from changed."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from heroicrun.missions import catalog_cache, loading, routes

MISSION = """
id = "{id}"
title = "{title}"
inspired_by = "A test"
summary = "A mission for tests."
briefing = "It begins."
level = "steady"
{route}
[[sources]]
fact = "none"
source = "the test"

[[beats]]
id = "first"
title = "First"
teaser = "The first step."
text = "Go."
goal = {{ kind = "{kind}", km = 1 }}
"""

# A route along a GPX line: 0.01 degrees of latitude north from Athens, about 1.11 km.
ROUTE = """
[route]
gpx = "line.gpx"
waypoints = [
  {{ name = "Here", lat = 37.97, lon = 23.72, km = 0 }},
  {{ name = "There", lat = 37.98, lon = 23.72, km = {km} }},
]
"""
LINE = """<?xml version="1.0"?>
<gpx version="1.1" creator="test" xmlns="http://www.topografix.com/GPX/1/1"><rte>
<rtept lat="37.97" lon="23.72"/><rtept lat="37.975" lon="{east}"/><rtept lat="37.98" lon="23.72"/>
</rte></gpx>
"""


def write(
    folder: Path, mission_id: str = "probe", title: str = "Test", kind: str = "distance"
) -> Path:
    path = folder / f"{mission_id}.toml"
    path.write_text(MISSION.format(id=mission_id, title=title, kind=kind, route=""))
    return path


def touched(path: Path) -> None:
    """Move the file's modification time on, as a later edit would."""
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))


@pytest.fixture
def folders(tmp_path: Path) -> tuple[Path, Path]:
    missions, cache = tmp_path / "missions", tmp_path / "cache"
    missions.mkdir()
    return missions, cache


def forbid_checking(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(directory: Path) -> loading.Catalog:
        raise AssertionError(f"{directory} was checked again")

    monkeypatch.setattr(loading, "load_all", refuse)


def test_a_second_load_takes_the_checked_missions_from_the_cache(
    folders: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    missions, cache = folders
    write(missions)
    first = catalog_cache.load_all(missions, cache)
    assert [mission.id for mission in first.missions] == ["probe"]
    forbid_checking(monkeypatch)
    again = catalog_cache.load_all(missions, cache)
    assert again.missions == first.missions
    assert again.errors == () and again.directory == missions


def test_an_edited_added_or_removed_mission_file_is_checked_again(
    folders: tuple[Path, Path],
) -> None:
    missions, cache = folders
    path = write(missions)
    catalog_cache.load_all(missions, cache)
    write(missions, title="Edited")
    touched(path)
    assert catalog_cache.load_all(missions, cache).missions[0].title == "Edited"
    write(missions, "second")
    assert len(catalog_cache.load_all(missions, cache).missions) == 2
    path.unlink()
    assert [m.id for m in catalog_cache.load_all(missions, cache).missions] == ["second"]


def test_a_changed_route_file_is_checked_again(folders: tuple[Path, Path]) -> None:
    missions, cache = folders
    path = missions / "journey.toml"
    route = ROUTE.format(km=1.1)
    path.write_text(MISSION.format(id="journey", title="J", kind="distance", route=route))
    line = missions / "line.gpx"
    line.write_text(LINE.format(east="23.72"))
    assert catalog_cache.load_all(missions, cache).errors == ()
    # A line that wanders 50 km east and back is far longer than the marks say.
    line.write_text(LINE.format(east="24.3"))
    touched(line)
    assert catalog_cache.load_all(missions, cache).errors != ()


def test_route_lines_are_kept_with_the_missions(
    folders: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    missions, cache = folders
    route = ROUTE.format(km=1.1)
    (missions / "journey.toml").write_text(
        MISSION.format(id="journey", title="J", kind="distance", route=route)
    )
    (missions / "line.gpx").write_text(LINE.format(east="23.72"))
    first = catalog_cache.load_all(missions, cache).missions[0].route
    assert first is not None
    built = routes.build(first, missions)
    forbid_checking(monkeypatch)

    def refuse(*_: object) -> routes.RouteLine:
        raise AssertionError("a line was built again")

    monkeypatch.setattr(routes, "_built", refuse)
    again = catalog_cache.load_all(missions, cache).missions[0].route
    assert again is not None and again is not first
    line = routes.build(again, missions)
    assert line.along_m.tolist() == built.along_m.tolist()
    assert line.anchors_m.tolist() == built.anchors_m.tolist()
    assert line.waypoints == built.waypoints


def test_a_catalog_with_errors_is_checked_every_time(
    folders: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    missions, cache = folders
    write(missions)
    write(missions, "broken", kind="sprint")
    found = catalog_cache.load_all(missions, cache)
    assert [error.source for error in found.errors] == [str(missions / "broken.toml")]
    assert not list(cache.glob("catalog-*"))
    forbid_checking(monkeypatch)
    with pytest.raises(AssertionError, match="checked again"):
        catalog_cache.load_all(missions, cache)


def test_a_damaged_cache_file_is_only_a_miss(folders: tuple[Path, Path]) -> None:
    missions, cache = folders
    write(missions)
    catalog_cache.load_all(missions, cache)
    (kept,) = cache.glob("catalog-*.pickle")
    kept.write_bytes(b"not a catalog")
    assert [m.id for m in catalog_cache.load_all(missions, cache).missions] == ["probe"]


def test_an_unwritable_cache_folder_still_gives_the_catalog(folders: tuple[Path, Path]) -> None:
    missions, cache = folders
    write(missions)
    cache.write_text("a file where the folder should be")
    assert [m.id for m in catalog_cache.load_all(missions, cache).missions] == ["probe"]


def test_missions_from_the_cache_are_judged_without_pydantic(folders: tuple[Path, Path]) -> None:
    missions, cache = folders
    write(missions)
    catalog_cache.load_all(missions, cache)
    script = (
        "import sys\n"
        "from pathlib import Path\n"
        "from heroicrun.missions import catalog_cache, describe\n"
        "found = catalog_cache.load_all(Path(sys.argv[1]), Path(sys.argv[2]))\n"
        "print(describe.goal_words(found.missions[0].beats[0].goal))\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'pydantic'))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, str(missions), str(cache)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["Run 1 km in one run", "[]"]
