"""The records page and the runs list after a year of runs, in a real browser at 360 px and
1280 px, light and dark: nothing sticks out sideways, every link and button is 44 px tall at
least, the calendar scrolls in its own box. Screenshots are saved as
screenshots/{phone,desktop}-{light,dark}-{records,runs}.png."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from heroicrun.db import engine as db_engine
from heroicrun.db import migrate
from heroicrun.db.schema import RunProfile
from heroicrun.play import accounts
from tests.browser_helpers import (
    CHROMIUM,
    CHROMIUM_ARGS,
    DESKTOP,
    PHONE,
    Device,
    open_device,
    served,
    skip_without_browser,
)
from tests.helpers.year_of_runs import a_year_of_runs

skip_without_browser()

from playwright.sync_api import expect, sync_playwright  # noqa: E402 (after the skip)

NAME = "pheidippides"
PASSWORD = "rejoice we conquer"
# A loop drawn as the runs list's mini map draws it: a path in a 100 x 100 box.
SKETCH = "M50 95L20 80L8 50L20 20L50 5L80 20L92 50L80 80Z"

# Every visible link, button, select and summary in the main part shorter than 44 px.
SHORT_TAPS = """() => [...document.querySelectorAll(
    'main a, main button, main select, main summary')]
  .filter(e => e.offsetParent !== null && e.getBoundingClientRect().height < 44)
  .map(e => `${e.textContent.trim().slice(0, 40)}: ${e.getBoundingClientRect().height}px`)"""


def a_year_database(path: Path) -> str:
    """A database of one runner with a year of runs up to today, mini maps on half of them."""
    url = f"sqlite:///{path}"
    engine = db_engine.connect(url)
    migrate.upgrade(engine)
    with db_engine.writers(engine)() as session:
        runner = accounts.add_runner(session, NAME, PASSWORD)
        runs = a_year_of_runs(session, runner, datetime.now(UTC).date())
        for run in runs[::2]:
            session.add(RunProfile(run_id=run.id, made_with="test", sketch=SKETCH, content=b""))
        session.commit()
    engine.dispose()
    return url


def test_records_and_the_runs_list_on_a_phone_and_a_desktop(tmp_path: Path) -> None:
    url = a_year_database(tmp_path / "h.db")
    with served(url, tmp_path / "serve.log") as base_url, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            for size_name, size in (("phone", PHONE), ("desktop", DESKTOP)):
                for scheme in ("light", "dark"):
                    device = open_device(browser, f"{size_name}-{scheme}", base_url, size)
                    device.page.emulate_media(color_scheme=scheme)
                    sign_in(device)
                    look_at_records(device)
                    look_at_the_runs_list(device)
                    if scheme == "dark":
                        paper = "getComputedStyle(document.documentElement).backgroundColor"
                        assert device.page.evaluate(paper) == "rgb(21, 23, 26)"
                    device.context.close()
        finally:
            browser.close()


def sign_in(device: Device) -> None:
    device.open("/signin")
    device.page.get_by_label("Name").fill(NAME)
    device.page.get_by_label("Password").fill(PASSWORD)
    device.page.get_by_role("button", name="Sign in").click()
    expect(device.page.locator("footer")).to_contain_text(f"signed in as {NAME}")


def look_at_records(device: Device) -> None:
    """A card per distance run (400 m, 1/2 mile, 1 km, mile, 2 miles, 5 and 10 km)."""
    page = device.page
    device.open("/records")
    expect(page.get_by_role("heading", name="5 km")).to_be_visible()
    expect(page.locator(".record")).to_have_count(7)
    device.shot("records")
    assert device.widths["records"] <= device.width_px, "the records page is too wide"
    assert page.evaluate(SHORT_TAPS) == []


def look_at_the_runs_list(device: Device) -> None:
    """Rows 44 px tall at least, the calendar in its own box, a month a jump away."""
    page = device.page
    device.open("/runs")
    expect(page.locator(".run-row")).to_have_count(25)
    expect(page.locator("svg.sketch")).not_to_have_count(0)
    device.shot("runs")
    assert device.widths["runs"] <= device.width_px, "the runs list is too wide"
    assert page.evaluate(SHORT_TAPS) == []
    rows = page.locator(".run-row")
    heights = [rows.nth(n).evaluate("e => e.getBoundingClientRect().height") for n in range(3)]
    assert min(heights) >= 44
    box = page.locator(".heatmap-box")
    assert box.evaluate("e => e.clientWidth") <= device.width_px
    if device.width_px < 600:  # the calendar scrolls on a phone
        assert box.evaluate("e => e.scrollWidth > e.clientWidth")
    page.get_by_label("Jump to a month").select_option(index=3)
    page.get_by_role("button", name="Go").click()
    page.wait_for_url("**/runs**#m*")
    month_id = page.url.rsplit("#", 1)[1]
    expect(page.locator(f"li#{month_id}")).to_have_count(1)
