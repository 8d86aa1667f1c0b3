"""The maps in a real browser: land and sea drawn, and no label covering another, a marker or the
map's edge as Chromium lays out the text, on a phone (360×740) and a desktop (1280×800).

The runner enrols in three journeys and uploads the dawn run in Athens: Reach Sparta then shows
the whole route and the closer look at km 5.9, Around the World the lap of the planet, and the
run's page its track by the sea. Screenshots are saved as screenshots/{device}-maps-{page}.png.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from tests.browser_helpers import (
    CHROMIUM,
    CHROMIUM_ARGS,
    DESKTOP,
    LABEL_CLASHES,
    PHONE,
    REPOSITORY,
    Device,
    open_device,
    served,
    skip_without_browser,
)
from tests.helpers import runfiles

skip_without_browser()

from playwright.sync_api import expect, sync_playwright  # noqa: E402 (after the skip)

NAME = "pheidippides"
PASSWORD = "rejoice we conquer"
# Moved to this morning: only runs recorded since the day before enrolling count.
DAWN_RUN = runfiles.recent(REPOSITORY / "heroicrun/samples/athens-dawn-run.gpx")
JOURNEYS = ("reach-sparta", "around-the-world", "original-marathon")


@pytest.fixture(scope="module")
def devices(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Device, Device]]:
    folder = tmp_path_factory.mktemp("browser-maps")
    database_url = f"sqlite:///{folder / 'h.db'}"
    with served(database_url, folder / "serve.log") as base_url, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            phone = open_device(browser, "phone", base_url, PHONE)
            desktop = open_device(browser, "desktop", base_url, DESKTOP)
            _first_runner(phone)
            for device in (phone, desktop):
                _sign_in(device)
            for mission in JOURNEYS:
                phone.open(f"/missions/{mission}")
                phone.page.get_by_role("button", name="Enrol").first.click()
            _upload(phone)
            yield phone, desktop
        finally:
            browser.close()


def _first_runner(device: Device) -> None:
    device.open("/welcome")
    device.page.get_by_label("Your runner name").fill(NAME)
    device.page.get_by_label("Password", exact=True).fill(PASSWORD)
    device.page.get_by_label("Password again").fill(PASSWORD)
    device.page.get_by_role("button", name="Start running").click()


def _sign_in(device: Device) -> None:
    device.open("/signin")
    if device.page.get_by_label("Name").count():
        device.page.get_by_label("Name").fill(NAME)
        device.page.get_by_label("Password").fill(PASSWORD)
        device.page.get_by_role("button", name="Sign in").click()
    expect(device.page.locator("footer")).to_contain_text(f"signed in as {NAME}")


def _upload(device: Device) -> None:
    device.open("/upload")
    device.page.locator("#files").set_input_files(str(DAWN_RUN))
    expect(device.page.locator("#upload-result")).to_contain_text("athens-dawn-run", timeout=30_000)


def _run_path(device: Device) -> str:
    device.open("/runs")
    href = device.page.locator("main a[href^='/runs/']").first.get_attribute("href")
    assert href is not None
    return href


def test_every_map_has_land_and_labels_that_cover_nothing(
    devices: tuple[Device, Device],
) -> None:
    pages = {mission: f"/missions/{mission}" for mission in JOURNEYS}
    pages["run"] = _run_path(devices[0])
    for device in devices:
        for name, path in pages.items():
            device.open(path)
            page = device.page
            maps = page.locator("svg.map")
            expect(maps.first).to_be_visible()
            for index in range(maps.count()):
                assert maps.nth(index).locator("g.land path").count() >= 1
                assert maps.nth(index).locator("rect.sea").count() == 1
            assert page.evaluate(LABEL_CLASHES) == [], (device.name, name)
            device.shot(f"maps-{name}")
        assert device.outside() == []


def test_a_long_journey_shows_the_closer_look_beside_or_below(
    devices: tuple[Device, Device],
) -> None:
    for device in devices:
        device.open("/missions/reach-sparta")
        whole, around = device.page.locator(".where svg.map").all()
        expect(around).to_be_visible()
        expect(around.locator("text", has_text="You")).to_be_visible()
        first, second = whole.bounding_box(), around.bounding_box()
        assert first is not None and second is not None
        if device.name == "desktop":  # side by side
            assert second["x"] >= first["x"] + first["width"] and abs(second["y"] - first["y"]) < 2
        else:  # one under the other, each the page's width
            assert second["y"] >= first["y"] + first["height"]
            assert second["width"] > 300
        # The text of the labels a runner reads is at least 11 CSS pixels high.
        sizes = device.page.evaluate(
            """() => [...document.querySelectorAll("svg.map g.labels text.place")]
                .filter((t) => t.getClientRects().length)
                .map((t) => t.getBoundingClientRect().height)"""
        )
        assert sizes and min(sizes) >= 11, json.dumps(sizes)
