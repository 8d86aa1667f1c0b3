"""The run page in a real browser, light and dark, on a phone (360×740) and a desktop (1280×800):
scrubbing the pace chart with a finger or a mouse moves the dot on the map and says the values
there; the map's and charts' words are at least 12 CSS px; a 36-hour run shows its headline and
readable charts within a phone screen and a half. Screenshots: screenshots/{device}-run-*.png.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from typing import Literal

import pytest

from tests.browser_helpers import (
    CHROMIUM,
    CHROMIUM_ARGS,
    DESKTOP,
    LABEL_CLASHES,
    PHONE,
    Device,
    open_device,
    served,
    skip_without_browser,
)
from tests.factory import TrackBuilder
from tests.helpers import axe, runfiles
from tests.helpers.real import real

skip_without_browser()

from playwright.sync_api import expect, sync_playwright  # noqa: E402 (after the skip)

NAME = "pheidippides"
PASSWORD = "rejoice we conquer"
Scheme = Literal["light", "dark"]
MOVE = "goldencheetah/Move_2014_01_17_09_33_11.gpx"  # a Suunto run with heart rate, 15.5 km
RIDE = "tcxreader/mapmyride_biking.tcx"  # a ride: stretches too fast to run, as a loop

# The font size of every visible word on the run's map and charts, in CSS pixels as drawn.
WORD_SIZES = """() => [...document.querySelectorAll(
    "svg.map g.labels text, svg.map .scale text, .run-charts svg.chart text, svg.split-bars text")]
  .filter((t) => t.getClientRects().length && getComputedStyle(t).display !== "none")
  .filter((t) => getComputedStyle(t.closest("g.labels") || t).display !== "none")
  .map((t) => ({text: t.textContent,
                px: parseFloat(getComputedStyle(t).fontSize) * t.getScreenCTM().a}))"""
SCRUBBED = """() => ({
  dot: [document.getElementById("scrub-dot").getAttribute("cx"),
        document.getElementById("scrub-dot").getAttribute("cy")],
  shown: getComputedStyle(document.getElementById("scrub-dot")).display,
  line: document.querySelector("svg.chart.pace .scrub-line").getAttribute("x1"),
  readout: document.getElementById("scrub-readout").textContent,
})"""


@pytest.fixture(scope="module")
def site(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[Device, Device, dict[str, str]]]:
    folder = tmp_path_factory.mktemp("browser-run-page")
    database_url = f"sqlite:///{folder / 'h.db'}"
    with served(database_url, folder / "serve.log") as base_url, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            phone = open_device(browser, "phone", base_url, PHONE)
            desktop = open_device(browser, "desktop", base_url, DESKTOP)
            _first_runner(phone)
            _sign_in(desktop)
            pages = {
                "move": _upload(phone, real(MOVE).name, real(MOVE).read_bytes()),
                "long": _upload(phone, "spartathlon.gpx.gz", gzip.compress(_long_run(), 1)),
                "ride": _upload(phone, real(RIDE).name, real(RIDE).read_bytes()),
            }
            yield phone, desktop, pages
        finally:
            browser.close()


def _long_run() -> bytes:
    """246 km in 36 hours, a point every 2 s, with elevation and a heart rate."""
    track = TrackBuilder(elevation_m=300.0).run(246_000, 36 * 3600, step_s=2, heart_rate_bpm=140)
    return runfiles.gpx(track.build(), "Spartathlon")


def _first_runner(device: Device) -> None:
    device.open("/welcome")
    device.page.get_by_label("Your runner name").fill(NAME)
    device.page.get_by_label("Password", exact=True).fill(PASSWORD)
    device.page.get_by_label("Password again").fill(PASSWORD)
    device.page.get_by_role("button", name="Start running").click()
    expect(device.page.locator("footer")).to_contain_text(f"signed in as {NAME}")


def _sign_in(device: Device) -> None:
    device.open("/signin")
    device.page.get_by_label("Name").fill(NAME)
    device.page.get_by_label("Password").fill(PASSWORD)
    device.page.get_by_role("button", name="Sign in").click()
    expect(device.page.locator("footer")).to_contain_text(f"signed in as {NAME}")


def _upload(device: Device, name: str, data: bytes) -> str:
    """Upload a file as the upload page does (the runner's cookie, from the site's own page);
    the new run's path."""
    answer = device.context.request.post(
        device.base_url + "/api/runs",
        multipart={"files": {"name": name, "mimeType": "application/octet-stream", "buffer": data}},
        headers={"Origin": device.base_url},
        timeout=120_000,
    )
    assert answer.status == 201, answer.text()
    return f"/runs/{answer.json()['runs'][0]['id']}"


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_scrubbing_the_pace_chart_moves_the_dot_on_the_map(
    site: tuple[Device, Device, dict[str, str]], scheme: Scheme
) -> None:
    phone, desktop, pages = site
    for device in (phone, desktop):
        page = device.page
        page.emulate_media(color_scheme=scheme)
        device.open(pages["move"])
        chart = page.locator("svg.chart.pace")
        chart.scroll_into_view_if_needed()
        box = chart.bounding_box()
        assert box is not None
        before = page.evaluate(SCRUBBED)
        assert before["shown"] == "none"  # no dot until a chart is pointed at
        seen = []
        for share in (0.3, 0.8):
            x, y = box["x"] + box["width"] * share, box["y"] + box["height"] / 2
            if device.name == "phone":
                page.touchscreen.tap(x, y)
            else:
                page.mouse.move(x, y)
            seen.append(page.evaluate(SCRUBBED))
        first, second = seen
        assert first["shown"] != "none" and second["shown"] != "none"
        assert first["dot"] != second["dot"] and first["line"] != second["line"]
        assert first["readout"].startswith("km ") and first["readout"] != second["readout"]
        assert " /km · " in first["readout"] and " bpm · " in first["readout"]
        km = [float(state["readout"].split(" ")[1]) for state in seen]
        assert km[0] == pytest.approx(15.5 * 0.3, abs=2) and km[1] > km[0] + 5
        device.shot(f"run-scrubbed-{scheme}")
        assert device.outside() == []


def test_the_arrow_keys_move_along_the_charts(site: tuple[Device, Device, dict[str, str]]) -> None:
    _, desktop, pages = site
    page = desktop.page
    page.emulate_media(color_scheme="light")
    desktop.open(pages["move"])
    page.locator(".run-charts").focus()
    page.keyboard.press("Home")
    start = page.evaluate(SCRUBBED)
    page.keyboard.press("ArrowRight")
    page.keyboard.press("Shift+ArrowRight")
    moved = page.evaluate(SCRUBBED)
    assert start["readout"].startswith("km 0.00")
    assert float(moved["readout"].split(" ")[1]) > 1.0 and moved["dot"] != start["dot"]


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_words_on_the_map_and_charts_are_12_css_px_or_more(
    site: tuple[Device, Device, dict[str, str]], scheme: Scheme
) -> None:
    phone, desktop, pages = site
    for device in (phone, desktop):
        device.page.emulate_media(color_scheme=scheme)
        for name in ("move", "long", "ride"):
            device.open(pages[name])
            sizes = device.page.evaluate(WORD_SIZES)
            assert len(sizes) > 20, (device.name, name)
            small = [word for word in sizes if word["px"] < 12]
            assert small == [], (device.name, name, json.dumps(small[:5]))
            assert device.page.evaluate(LABEL_CLASHES) == [], (device.name, name)
            assert device.scroll_width_px() <= device.width_px
            device.shot(f"run-{name}-{scheme}")


def test_a_36_hour_run_shows_its_charts_within_a_phone_screen_and_a_half(
    site: tuple[Device, Device, dict[str, str]],
) -> None:
    phone, _, pages = site
    phone.page.emulate_media(color_scheme="light")
    phone.open(pages["long"])
    page = phone.page
    size = page.evaluate("document.documentElement.outerHTML.length")
    assert size < 100_000
    charts = page.locator(".run-charts")
    box = charts.bounding_box()
    assert box is not None
    height = PHONE[1]
    # About one screen and a half (1,190 px): the header, the title, its records in one row,
    # the three figures, the map and the three charts.
    assert box["y"] + box["height"] <= 1.65 * height, box
    # The headline comes first, on the first screen.
    headline = page.locator(".run-headline").bounding_box()
    assert headline is not None and headline["y"] + headline["height"] <= height
    assert page.locator("svg.split-bars rect").count() == 36


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_finds_nothing_on_the_run_pages(
    site: tuple[Device, Device, dict[str, str]], scheme: Scheme
) -> None:
    reason = axe.missing()
    if reason:
        pytest.skip(reason)
    phone, desktop, pages = site
    for device in (phone, desktop):
        device.page.emulate_media(color_scheme=scheme)
        for name in ("move", "long", "ride"):
            device.open(pages[name])
            # Scrubbed, so the line, the dot and the values are checked too.
            device.page.locator(".run-charts").focus()
            device.page.keyboard.press("End")
            assert axe.violations(device.page) == [], (device.name, name)
