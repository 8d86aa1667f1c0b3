"""The upload's answer in a real browser, on a phone: headless Chromium against a live `heroicrun
serve`, one journey through Reach Sparta.

The runner enrols and uploads a long run, then an 8 km one: the marker slides from km 83.6 to
91.6 (still at its end when the reader asks for reduced motion) and the page says "+8.0 km".
Then three files at once, one refused and one already here; then a ride, which says why it does
not count. Screenshots: screenshots/phone-upload-*.png at the repository's root.

The run files are dated hours before the test runs: a run counts from a day before enrolling,
and the server enrols at its own clock.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator

import pytest

from heroicrun.db import engine as db_engine
from heroicrun.db import migrate
from heroicrun.play import accounts
from tests.browser_helpers import (
    CHROMIUM,
    CHROMIUM_ARGS,
    PHONE,
    SCREENSHOTS,
    Device,
    open_device,
    served,
    skip_without_browser,
)
from tests.factory import TrackBuilder
from tests.helpers import runfiles

skip_without_browser()

from playwright.sync_api import FilePayload, expect, sync_playwright  # noqa: E402 (after the skip)

NAME, PASSWORD = "pheidippides", "rejoice we conquer"
HOUR_S = 3600.0
# A phone's Web Share API, as Chromium on Android has it (the desktop build here has none): it
# notes what it was given in window.shared.
WEB_SHARE = """
navigator.canShare = (data) => Boolean(data && data.files && data.files.length);
navigator.share = (data) => {
    const file = data.files[0];
    window.shared = {name: file.name, type: file.type, size: file.size};
    return Promise.resolve();
};
"""


def run_payload(name: str, hours_ago: float, km: float, sport: str = "running") -> FilePayload:
    """A run of `km` at 5:00/km (a ride at 2:24/km) that set out `hours_ago` hours ago."""
    pace_s = 300.0 if sport == "running" else 144.0
    builder = TrackBuilder(start_time_s=time.time() - hours_ago * HOUR_S, elevation_m=100.0)
    track = builder.run(km * 1000.0, km * pace_s, 15.0).build()
    data = runfiles.gpx(track, name.removesuffix(".gpx"), sport)
    return {"name": name, "mimeType": "application/gpx+xml", "buffer": data}


@pytest.fixture(scope="module")
def phone(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Device]:
    folder = tmp_path_factory.mktemp("browser-upload")
    database_url = f"sqlite:///{folder / 'h.db'}"
    engine = db_engine.connect(database_url)
    migrate.upgrade(engine)
    with db_engine.writers(engine)() as session:
        runner = accounts.add_runner(session, NAME, PASSWORD)
        token = accounts.create_token(session, runner, "setup")
        session.commit()
    engine.dispose()
    with served(database_url, folder / "serve.log") as base_url, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            device = open_device(browser, "phone", base_url, PHONE)
            headers = {"Authorization": f"Bearer {token}"}
            enrolled = device.context.request.post(
                f"{base_url}/api/missions/reach-sparta/enrol", headers=headers
            )
            assert enrolled.ok, enrolled.text()
            device.open("/signin")
            device.page.get_by_label("Name").fill(NAME)
            device.page.get_by_label("Password").fill(PASSWORD)
            device.page.get_by_role("button", name="Sign in").click()
            expect(device.page.locator("footer")).to_contain_text(f"signed in as {NAME}")
            yield device
        finally:
            browser.close()


def test_the_upload_answer_on_a_phone(phone: Device) -> None:
    page = phone.page
    phone.context.add_init_script(WEB_SHARE)
    result = page.locator("#upload-result")
    eight_km = run_payload("eight.gpx", 3, 8.0)

    phone.open("/upload")
    page.locator("input[type=file]").set_input_files(run_payload("long.gpx", 20, 83.6))
    expect(result.locator("#result-title")).to_have_text(
        "1 run stored · 4 new chapters unlocked", timeout=30_000
    )
    expect(result.locator(".unlocked-chapter")).to_have_count(4)
    # A postcard from each place passed: the newest shown, the other three named.
    expect(result.locator(".postcard")).to_have_count(1)
    expect(result.locator(".postcard")).to_contain_text("Corinth Canal bridge · km 78.5")
    expect(result.locator(".more-postcards")).to_contain_text(
        "And 3 more: Kerameikos, the potters' quarter, Eleusis, Megara."
    )
    expect(result.locator(".postcard img")).to_have_js_property("complete", True)
    phone.shot("upload-1-chapters")

    # The 8 km: the marker slides to km 91.6 and the words say so.
    phone.open("/upload")
    page.locator("input[type=file]").set_input_files(eight_km)
    reward = result.locator(".reward")
    expect(reward).to_contain_text("+8.0 km · km 83.6 → 91.6 · 31.1 km to Nemea", timeout=30_000)
    expect(page.locator("#upload-status")).to_have_text("1 run stored")
    slider = reward.locator(".slider circle")
    expect(slider).to_be_visible()
    you = reward.locator(".marker.you circle")
    page.wait_for_function(
        "() => document.querySelector('.reward-map .marker.you').getAnimations()"
        ".every((a) => a.playState === 'finished')",
        timeout=10_000,
    )
    moved, still = slider.bounding_box(), you.bounding_box()
    assert moved is not None and still is not None
    assert abs(moved["x"] - still["x"]) < 2 and abs(moved["y"] - still["y"]) < 2
    phone.shot("upload-2-eight-km")

    # Asking for reduced motion: no sliding marker, the still one at km 91.6 at once.
    page.emulate_media(reduced_motion="reduce")
    phone.open("/upload")
    page.locator("input[type=file]").set_input_files(run_payload("five.gpx", 12, 5.0))
    expect(reward).to_contain_text("+5.0 km · km 91.6 → 96.6", timeout=30_000)
    expect(reward.locator(".slider")).to_be_hidden()
    expect(reward.locator(".marker.you circle")).to_be_visible()
    page.emulate_media(reduced_motion="no-preference")

    # Three files: one new, one already here, one refused: refusals first, with the way out.
    phone.open("/upload")
    broken: FilePayload = {"name": "broken.gpx", "mimeType": "application/gpx+xml", "buffer": b"?"}
    page.locator("input[type=file]").set_input_files(
        [run_payload("four.gpx", 9, 4.0), eight_km, broken]
    )
    title = result.locator("#result-title")
    expect(title).to_have_text("1 run stored · 1 already here · 1 refused", timeout=30_000)
    expect(page.locator("#upload-status")).to_have_text("1 run stored · 1 already here · 1 refused")
    refused = result.locator(".refused")
    expect(refused.locator("li.error")).to_contain_text("broken.gpx")
    refused.get_by_text("How to export a GPX from your app").click()
    expect(refused.locator(".gpx-help li")).to_have_count(7)
    assert refused.bounding_box()["y"] < result.locator(".reward").bounding_box()["y"]  # type: ignore[index]
    expect(result.locator(".uploaded-run").filter(has_text="eight")).to_contain_text("Already here")
    phone.shot("upload-3-three-files")

    # A ride: stored, and it says why it does not count.
    phone.open("/upload")
    page.locator("input[type=file]").set_input_files(run_payload("ride.gpx", 6, 20.0, "cycling"))
    expect(result.locator(".uploaded-run .why")).to_contain_text(
        re.compile(r"Does not count: a ride"), timeout=30_000
    )
    expect(result).to_contain_text("No mission moved this time")
    phone.shot("upload-4-ride")
    assert phone.scroll_width_px() <= PHONE[0] + 1

    # The mission page lists the postcards; Share hands the PNG to the phone's share sheet.
    phone.open("/missions/reach-sparta")
    listed = page.locator("#postcards .postcard")
    expect(listed).to_have_count(4)
    expect(listed.last).to_contain_text("Corinth Canal bridge · km 78.5")
    listed.last.scroll_into_view_if_needed()
    expect(listed.last.locator("img")).to_have_js_property("complete", True)
    phone.shot("upload-5-mission")
    page.locator("#postcards").screenshot(path=str(SCREENSHOTS / "phone-upload-5-postcards.png"))
    listed.last.get_by_role("button", name="Share").click()
    page.wait_for_function("() => window.shared !== undefined")
    shared = page.evaluate("window.shared")
    assert shared["type"] == "image/png" and shared["size"] > 10_000, shared
    assert shared["name"] == "heroicrun-reach-sparta-4.png"
    assert phone.scroll_width_px() <= PHONE[0] + 1
    assert phone.outside() == []
