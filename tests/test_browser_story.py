"""The story pages in a real browser, on a phone (360 px): headless Chromium against a live
`heroicrun serve`.

A newcomer's first visit (how the game works, a suggested first mission); then a runner with
one mission under way, one won and one lost enrols in Reach Sparta (its briefing, "Your next run
counts"), sees the dashboard, reads a won story and listens to a chapter (the browser's speech
synthesis, stubbed here to note what it is asked to say), and races Aragorn, Legolas and Gimli
on the map. Screenshots: screenshots/phone-story-*.png at the repository's root.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from heroicrun.db import engine as db_engine
from heroicrun.db import migrate
from heroicrun.missions import catalog
from heroicrun.play import accounts
from heroicrun.play import missions as play
from tests.browser_helpers import (
    CHROMIUM,
    CHROMIUM_ARGS,
    LABEL_CLASHES,
    PHONE,
    Device,
    open_device,
    served,
    skip_without_browser,
)
from tests.factory import TrackBuilder
from tests.helpers import runfiles

skip_without_browser()

from playwright.sync_api import Page, expect, sync_playwright  # noqa: E402 (after the skip)

PASSWORD = "rejoice we conquer"
# Notes what the page asks the browser to say, and says nothing.
FAKE_SPEECH = """(() => {
  window.spoken = [];
  const speech = {
    current: null,
    speak(utterance) { window.spoken.push(utterance.text); this.current = utterance; },
    cancel() {
      const was = this.current;
      this.current = null;
      if (was && was.onend) was.onend();
    },
    getVoices() { return []; },
  };
  Object.defineProperty(window, "speechSynthesis", { value: speech, configurable: true });
})();"""
NO_SPEECH = """Object.defineProperty(window, "speechSynthesis", { value: undefined });"""


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A server with a newcomer (bob) and a runner (ann) in three missions: After the Train
    lost (its two days ran out), The Original Marathon and The Three Hunters under way."""
    folder = tmp_path_factory.mktemp("browser-story")
    database_url = f"sqlite:///{folder / 'h.db'}"
    engine = db_engine.connect(database_url)
    migrate.upgrade(engine)
    bundled = catalog.bundled()
    now = datetime.now(UTC)
    with db_engine.writers(engine)() as session:
        accounts.add_runner(session, "bob", PASSWORD)
        ann = accounts.add_runner(session, "ann", PASSWORD)
        play.enrol(session, bundled, ann, "after-the-train", now - timedelta(days=3))
        play.enrol(session, bundled, ann, "original-marathon", now - timedelta(hours=20))
        play.enrol(session, bundled, ann, "three-hunters", now - timedelta(hours=20))
        session.commit()
    engine.dispose()
    with served(database_url, folder / "serve.log") as base_url:
        yield base_url


def signed_in(device: Device, name: str) -> None:
    device.open("/signin")
    device.page.get_by_label("Name").fill(name)
    device.page.get_by_label("Password").fill(PASSWORD)
    device.page.get_by_role("button", name="Sign in").click()
    expect(device.page.locator("footer")).to_contain_text(f"signed in as {name}")


def height_px(page: Page) -> int:
    found: int = page.evaluate("document.documentElement.scrollHeight")
    return found


def test_a_first_visit_a_briefing_the_dashboard_listen_and_the_legend(server: str) -> None:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            newcomer = open_device(browser, "phone", server, PHONE)
            signed_in(newcomer, "bob")
            newcomer.open("/")
            main = newcomer.page.locator("main")
            expect(main.get_by_role("heading", name="How heroicrun works")).to_be_visible()
            suggested = main.locator(".suggested")
            expect(suggested).to_contain_text("Suggested first mission")
            expect(
                suggested.get_by_role("button", name="Enrol: The Original Marathon")
            ).to_be_visible()
            expect(main.get_by_role("button")).to_have_count(1)  # the suggestion's, no other
            assert height_px(newcomer.page) < 4 * PHONE[1]  # was 7.5 phone screens
            newcomer.shot("story-01-first-visit")

            runner = open_device(browser, "phone", server, PHONE)
            runner.context.add_init_script(FAKE_SPEECH)
            signed_in(runner, "ann")
            page = runner.page

            runner.open("/missions/reach-sparta")
            page.get_by_role("button", name="Enrol: Reach Sparta").click()
            briefing = page.locator("#briefing")
            expect(briefing).to_contain_text("Your next run counts")
            expect(briefing).to_contain_text("The Persians have come at last")
            expect(page.locator(".beat.next")).to_contain_text("Goal: Reach Kerameikos")
            runner.shot("story-02-enrolled")

            # A 43 km run this morning: the whole marathon, and on the roads to Sparta and Isengard.
            builder = TrackBuilder(start_time_s=time.time() - 6 * 3600, elevation_m=100.0)
            track = builder.run(43_000.0, 43 * 300.0, 15.0).build()
            sent = runner.context.request.post(
                f"{server}/api/runs",
                multipart={
                    "files": {
                        "name": "long.gpx",
                        "mimeType": "application/gpx+xml",
                        "buffer": runfiles.gpx(track, "long"),
                    }
                },
                headers={"Origin": server},
            )
            assert sent.ok, sent.text()

            runner.open("/")
            cards = page.locator(".mission-card")
            expect(cards).to_have_count(2)
            sparta = cards.filter(has_text="Reach Sparta").locator(".ahead")
            expect(sparta).to_have_text("Corinth Canal bridge: 36 km ≈ 8 runs of 5 km")
            hunters = cards.filter(has_text="The Three Hunters").locator(".ahead")
            expect(hunters).to_contain_text("≈ 1 run of 5 km")
            expect(cards.first).to_contain_text("The Three Hunters")  # the closest chapter
            runs = [
                int(text.split("≈ ")[1].split()[0])
                for text in page.locator(".ahead").all_inner_texts()
            ]
            assert runs == sorted(runs)  # the closest chapter first
            expect(page.locator(".medal-card")).to_contain_text("The Original Marathon")
            lost = page.locator(".lost-card")
            expect(lost).to_contain_text("After the Train")
            expect(lost.get_by_role("button", name="Try again: After the Train")).to_be_visible()
            runner.shot("story-03-dashboard")

            runner.open("/missions/original-marathon")
            chapters = page.locator("section.story article.beat")
            expect(chapters).to_have_count(6)
            listen = chapters.first.get_by_role("button", name="Listen")
            expect(listen).to_be_visible()
            listen.click()
            expect(chapters.first.get_by_role("button", name="Stop")).to_be_visible()
            spoken = page.evaluate("window.spoken")
            title = chapters.first.locator("h3").inner_text()
            assert len(spoken) == 1 and spoken[0].startswith(title), spoken
            first_line = chapters.first.locator(".beat-text p").first.inner_text()
            assert first_line in spoken[0]
            runner.shot("story-04-listen")
            chapters.first.get_by_role("button", name="Stop").click()
            expect(listen).to_have_text("Listen")
            assert page.evaluate("window.spoken.length") == 1

            runner.open("/missions/three-hunters")
            expect(page.locator(".race")).to_contain_text("Aragorn, Legolas and Gimli")
            ghost = page.locator("svg.map").first.locator(".marker.ghost")
            expect(ghost).to_have_count(1)
            assert page.evaluate(LABEL_CLASHES) == []  # the legend's name covers no other
            expect(page.locator(".beat.locked .teaser").first).to_be_visible()
            runner.shot("story-05-three-hunters")
            runner.open("/missions/reach-sparta")
            expect(page.locator("svg.map").first.locator(".marker.ghost")).to_have_count(1)
            assert page.evaluate(LABEL_CLASHES) == []
            runner.shot("story-06-reach-sparta")

            mute = runner.context.new_page()
            mute.add_init_script(NO_SPEECH)
            mute.goto(f"{server}/missions/original-marathon")
            expect(mute.locator("button.listen").first).to_be_hidden()
            assert runner.outside() == [] and newcomer.outside() == []
        finally:
            browser.close()
