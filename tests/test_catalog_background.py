"""A mission edited while serving: checked again in the background and swapped in when ready,
while requests go on with the catalog in hand."""

from __future__ import annotations

import shutil
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from heroicrun.missions import catalog, loading
from heroicrun.server import create_app
from heroicrun.settings import Settings

WAIT_S = 30.0  # how long to wait for the background thread before calling the test failed
MISSION = "twenty-minutes"


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A missions folder of one bundled mission."""
    missions = tmp_path / "missions"
    missions.mkdir()
    shutil.copy(catalog.directory() / f"{MISSION}.toml", missions)
    return missions


class Gate:
    """The background checking held until the test lets it go."""

    def __init__(self) -> None:
        self.entered = threading.Event()
        self.open = threading.Event()
        self.calls = 0

    def ready(self, folder: Path) -> loading.Catalog:
        self.calls += 1
        self.entered.set()
        assert self.open.wait(WAIT_S), "the test never let the checking go"
        return real_ready(folder)


real_ready = catalog.ready


@pytest.fixture
def gate(monkeypatch: pytest.MonkeyPatch) -> Iterator[Gate]:
    held = Gate()
    monkeypatch.setattr(catalog, "CHECK_EVERY_S", 0.02)
    monkeypatch.setattr(catalog, "ready", held.ready)
    yield held
    held.open.set()


def title_of(client: TestClient) -> str:
    answer = client.get(f"/api/missions/{MISSION}")
    assert answer.status_code == 200, answer.text
    title: str = answer.json()["title"]
    return title


def edit_title(folder: Path, title: str) -> None:
    path = folder / f"{MISSION}.toml"
    text = path.read_text(encoding="utf-8")
    start = text.index("\ntitle = ")
    end = text.index("\n", start + 1)
    path.write_text(f'{text[:start]}\ntitle = "{title}"{text[end:]}', encoding="utf-8")


def test_an_edited_mission_is_swapped_in_once_checked_in_the_background(
    folder: Path, gate: Gate, tmp_path: Path
) -> None:
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'db.sqlite'}", missions_dir=folder)
    with TestClient(create_app(settings)) as client:
        before = title_of(client)
        edit_title(folder, "Twenty Minutes, Revised")
        assert gate.entered.wait(WAIT_S), "the edit was not noticed"
        # The checking is held: a request now is answered from the catalog in hand.
        answered: list[str] = []
        asking = threading.Thread(target=lambda: answered.append(title_of(client)))
        asking.start()
        asking.join(WAIT_S)
        assert answered == [before], "a request waited for the missions to be checked again"
        gate.open.set()
        deadline = time.monotonic() + WAIT_S
        while title_of(client) == before:
            assert time.monotonic() < deadline, "the checked catalog was never swapped in"
            time.sleep(0.02)
        assert title_of(client) == "Twenty Minutes, Revised"
        assert gate.calls == 1


def test_a_folder_that_no_longer_checks_keeps_the_catalog_in_hand(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(catalog, "CHECK_EVERY_S", 3600.0)  # the test looks itself

    class Owner:
        catalog: loading.Catalog

    owner = Owner()
    owner.catalog = catalog.watched(folder, owner)
    first = owner.catalog
    watcher = catalog._watcher(folder)
    (folder / f"{MISSION}.toml").write_text("title = [unclosed", encoding="utf-8")
    assert watcher.check()
    assert owner.catalog is first  # half written: not swapped in
    shutil.copy(catalog.directory() / f"{MISSION}.toml", folder)
    edit_title(folder, "Clean Again")
    assert watcher.check()
    assert owner.catalog is not first
    assert [mission.title for mission in owner.catalog.missions] == ["Clean Again"]


def test_the_watch_ends_with_its_owners(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(catalog, "CHECK_EVERY_S", 3600.0)

    class Owner:
        catalog: loading.Catalog

    owner = Owner()
    owner.catalog = catalog.watched(folder, owner)
    watcher = catalog._watcher(folder)
    assert watcher.check()
    del owner
    assert not watcher.check()
