"""Dark mode in a real browser: a phone that prefers a dark scheme gets a dark page, and a map's
sea and land drawn dark too; on the dashboard every link and button is 44 px tall at least.

Screenshots are saved as screenshots/phone-dark-{page}.png."""

from __future__ import annotations

import re
from pathlib import Path

from tests.browser_helpers import (
    CHROMIUM,
    CHROMIUM_ARGS,
    PHONE,
    open_device,
    served,
    skip_without_browser,
)

skip_without_browser()

from playwright.sync_api import sync_playwright  # noqa: E402 (after the skip)

NAME = "pheidippides"
PASSWORD = "rejoice we conquer"
MISSION = "reach-sparta"

# Every visible link and button in the header and the main part shorter than 44 px.
SHORT_TAPS = """() => [...document.querySelectorAll(
    'header a, header button, main a, main button, main summary')]
  .filter(e => e.offsetParent !== null && e.getBoundingClientRect().height < 44)
  .map(e => `${e.textContent.trim()}: ${e.getBoundingClientRect().height}px`)"""


def _luminance(css_colour: str) -> float:
    """The WCAG relative luminance of a computed `rgb(r, g, b)` colour."""
    red, green, blue = (int(c) / 255 for c in re.findall(r"\d+", css_colour)[:3])
    linear = [
        c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in (red, green, blue)
    ]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def test_a_phone_that_prefers_dark_gets_dark_pages_and_maps(tmp_path: Path) -> None:
    with (
        served(f"sqlite:///{tmp_path / 'h.db'}", tmp_path / "serve.log") as base_url,
        sync_playwright() as playwright,
    ):
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            phone = open_device(browser, "phone", base_url, PHONE)
            phone.page.emulate_media(color_scheme="dark")
            phone.open("/welcome")
            phone.page.get_by_label("Your runner name").fill(NAME)
            phone.page.get_by_label("Password", exact=True).fill(PASSWORD)
            phone.page.get_by_label("Password again").fill(PASSWORD)
            phone.page.get_by_role("button", name="Start running").click()
            phone.open(f"/missions/{MISSION}")
            phone.page.get_by_role("button", name="Enrol").first.click()

            phone.open(f"/missions/{MISSION}")
            phone.shot("dark-mission")
            page = phone.page
            ground = page.evaluate("getComputedStyle(document.documentElement).backgroundColor")
            ink = page.evaluate("getComputedStyle(document.body).color")
            sea = page.evaluate("getComputedStyle(document.querySelector('svg.map .sea')).fill")
            land = page.evaluate(
                "getComputedStyle(document.querySelector('svg.map .land path')).fill"
            )
            assert _luminance(ground) < 0.05, ground
            assert _luminance(ink) > 0.6, ink
            assert _luminance(sea) < 0.05, sea
            assert _luminance(land) < 0.05, land

            phone.open("/")
            phone.shot("dark-dashboard")
            assert page.evaluate(SHORT_TAPS) == []
        finally:
            browser.close()
