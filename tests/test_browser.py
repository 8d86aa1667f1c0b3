"""The web pages in a real browser: headless Chromium against a live `heroicrun serve`.

One journey, as a new runner makes it, on a phone (360×740) and a desktop (1280×800) at once:
the tests are its steps, in order, on one server and one database (a fresh server per step would
cost seconds each and undo the previous step). Every step saves screenshots as
screenshots/{phone,desktop}-NN-step.png at the repository's root: look at them.

They skip when Playwright for Python or Debian's chromium is missing; .ci/run installs chromium.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.browser_helpers import (
    CHROMIUM,
    CHROMIUM_ARGS,
    DESKTOP,
    PHONE,
    REPOSITORY,
    Device,
    gpx_named,
    open_device,
    served,
    skip_without_browser,
)
from tests.helpers import runfiles

skip_without_browser()

from playwright.sync_api import FilePayload, FloatRect, Locator, Page, expect, sync_playwright  # noqa: E402 (after the skip)

NAME = "pheidippides"
PASSWORD = "rejoice we conquer"
MISSION = "original-marathon"
# Moved to this morning: only runs recorded since the day before enrolling count.
LONG_RUN = runfiles.recent(runfiles.long_run_with_car(), ended_ago_s=4 * 3600)  # 15.7 km on foot
ON_FOOT_M = sum(distance_m for ridden, distance_m, _ in runfiles.LONG_LEGS if not ridden)
DAWN_RUN = runfiles.recent(REPOSITORY / "heroicrun/samples/athens-dawn-run.gpx")  # 5.9 km, HR
# 15.7 km along the road from Marathon opens the beats at km 5 and 9; the dawn run's 5.9 km
# more passes km 20. The last beat stays locked, its text unseen.
FIRST_BEAT = ("The Mound on the Plain", "The plain still smells of bronze")
SECOND_BEAT = ("A Shield on the Hill", "The road hugs the bay")
THIRD_BEAT = "The Long Pull Inland"
LAST_BEAT = "Rejoice, We Win"
LAST_BEAT_TEXT = "a long horseshoe of white marble"
RUN_LINK = re.compile(r"/runs/(\d+)$")
# Notes every value the upload's progress bar takes, in window.seenProgress.
WATCH_PROGRESS = """() => {
    window.seenProgress = [];
    const bar = document.getElementById("upload-progress");
    const note = () => window.seenProgress.push(Number(bar.getAttribute("aria-valuenow")));
    new MutationObserver(note).observe(bar, {attributes: true, attributeFilter: ["aria-valuenow"]});
}"""
# A form like the one the phone's share sheet sends, added to the page.
SHARE_FORM = """({action, field}) => {
    const form = document.createElement("form");
    Object.assign(form, {id: "shared", method: "post", action, enctype: "multipart/form-data"});
    const input = Object.assign(document.createElement("input"), {type: "file", name: field});
    form.append(input);
    document.body.append(form);
}"""


@dataclass
class Journey:
    """The server, the two devices, and what the steps so far have left behind."""

    base_url: str
    phone: Device
    desktop: Device
    run_paths: dict[str, str] = field(default_factory=dict)  # device name → its run's page

    @property
    def devices(self) -> tuple[Device, Device]:
        return self.phone, self.desktop

    def run_path(self, device: Device) -> str:
        """The page of the run this device uploaded in test_a_real_gpx_unlocks_a_chapter."""
        if device.name not in self.run_paths:
            pytest.fail("no run uploaded yet: the upload step failed or did not run first")
        return self.run_paths[device.name]


@pytest.fixture(scope="module")
def journey(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Journey]:
    folder = tmp_path_factory.mktemp("browser")
    database_url = f"sqlite:///{folder / 'h.db'}"
    with served(database_url, folder / "serve.log") as base_url, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield Journey(
                base_url,
                open_device(browser, "phone", base_url, PHONE),
                open_device(browser, "desktop", base_url, DESKTOP),
            )
        finally:
            browser.close()


def signed_in(page: Page) -> None:
    expect(page.locator("footer")).to_contain_text(f"signed in as {NAME}")


def test_first_visitor_creates_a_runner(journey: Journey) -> None:
    for device in journey.devices:
        device.open("/")
        expect(device.page).to_have_url(re.compile(r"/welcome"))
        device.shot("01-welcome")

    page = journey.phone.page
    page.get_by_label("Your runner name").fill(NAME)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Password again").fill(PASSWORD)
    page.get_by_role("button", name="Start running").click()
    signed_in(page)
    journey.phone.shot("02-signed-in")

    # The desktop comes second: the runner exists now, so it is asked to sign in.
    desktop = journey.desktop
    desktop.open("/")
    expect(desktop.page).to_have_url(re.compile(r"/signin"))
    desktop.shot("02-signin")
    desktop.page.get_by_label("Name").fill(NAME)
    desktop.page.get_by_label("Password").fill(PASSWORD)
    desktop.page.get_by_role("button", name="Sign in").click()
    signed_in(desktop.page)
    desktop.shot("02-signed-in")


def test_a_token_comes_with_a_curl_line(journey: Journey) -> None:
    for device, token_name in ((journey.phone, "phone"), (journey.desktop, "laptop")):
        device.open("/tokens")
        page = device.page
        page.get_by_label("Name it for the device").fill(token_name)
        page.get_by_role("button", name="Create token").click()
        expect(page.locator("#new-token")).to_contain_text(re.compile(r"^hr_"))
        curl = page.locator("#curl-line")
        expect(curl).to_contain_text(re.compile(r"^curl .*Authorization: Bearer hr_"))
        expect(curl).to_contain_text(f"{journey.base_url}/api/runs")
        device.shot("03-token")

    # Revoking the laptop's token leaves the phone's.
    page = journey.desktop.page
    page.get_by_role("button", name="Revoke the token laptop").click()
    tokens = page.locator("ul.tokens")
    expect(tokens).not_to_contain_text("laptop")
    expect(tokens).to_contain_text("phone")


def test_enrol_from_the_dashboard(journey: Journey) -> None:
    for device in journey.devices:
        device.open("/")
        device.shot("04-dashboard-new")
    page = journey.phone.page
    page.get_by_role("button", name="Enrol: The Original Marathon").click()
    expect(page).to_have_url(re.compile(f"/missions/{MISSION}$"))
    expect(page.locator("main")).to_contain_text("No chapter unlocked yet")
    journey.phone.shot("04-enrolled")
    for device in journey.devices:
        device.open("/")
        card = device.page.locator(".mission-card").filter(has_text="The Original Marathon")
        expect(card.get_by_role("progressbar", name="Distance")).to_be_visible()
        expect(card.get_by_role("button", name=re.compile("Enrol"))).to_have_count(0)
        device.shot("04-dashboard-enrolled")


def upload(device: Device, *files: Path | FilePayload) -> Locator:
    """Choose files on the upload page (they go up at once); returns where the outcome shows."""
    device.open("/upload")
    device.page.locator("input[type=file]").set_input_files(list(files))
    result = device.page.locator("#upload-result")
    expect(result.locator("#result-title")).to_be_visible(timeout=30_000)
    return result


def test_a_real_gpx_unlocks_a_chapter(journey: Journey) -> None:
    for device in journey.devices:
        device.open("/upload")
        device.shot("05-upload")
    page = journey.phone.page
    # A slow phone connection (1 MB/s up), so that the progress bar has time to show.
    network = journey.phone.context.new_cdp_session(page)
    network.send("Network.enable")
    network.send(
        "Network.emulateNetworkConditions",
        {"offline": False, "latency": 20, "downloadThroughput": -1, "uploadThroughput": 2**20},
    )
    page.evaluate(WATCH_PROGRESS)
    page.locator("input[type=file]").set_input_files(LONG_RUN)
    expect(page.get_by_role("progressbar", name="Upload")).to_be_visible()
    result = page.locator("#upload-result")
    expect(result.locator("#result-title")).to_be_visible(timeout=30_000)
    network.detach()
    seen = page.evaluate("window.seenProgress")
    assert any(0 < percent < 100 for percent in seen), seen
    expect(result.locator("#result-title")).to_contain_text("2 new chapters unlocked")
    for title, text in (FIRST_BEAT, SECOND_BEAT):
        chapter = result.locator(".unlocked-chapter").filter(has_text=title)
        expect(chapter).to_contain_text(text)
    # A 27.7 km file, 15.7 km of it on foot: the car ride counts for no mission.
    expect(result).to_contain_text(f"{ON_FOOT_M / 1000:.2f} km count for missions")
    status = journey.phone.page.locator("#upload-status")
    expect(status).to_have_text("1 run stored · 2 new chapters unlocked")
    journey.phone.shot("05-unlocked")
    journey.run_paths["phone"] = run_path(journey.phone.page)

    # On the desktop, by keyboard: Tab to the file picker, open it, choose the dawn run.
    page = journey.desktop.page
    journey.desktop.open("/upload")
    for _ in range(20):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.type") == "file":
            break
    else:
        raise AssertionError("Tab never reaches the upload's file picker")
    with page.expect_file_chooser() as chooser:
        page.keyboard.press("Space")
    chooser.value.set_files(DAWN_RUN)
    result = page.locator("#upload-result")
    expect(result.locator(".unlocked-chapter")).to_contain_text(THIRD_BEAT, timeout=30_000)
    journey.desktop.shot("05-unlocked")
    journey.run_paths["desktop"] = run_path(journey.desktop.page)


def run_path(page: Page) -> str:
    for href in page.locator("main a[href^='/runs/']").evaluate_all("(as) => as.map(a => a.href)"):
        found = RUN_LINK.search(href)
        if found:
            return found.group(0)
    raise AssertionError("the upload's outcome links to no run page")


def test_mission_page_shows_the_runner_on_the_map_and_the_story(journey: Journey) -> None:
    for device in journey.devices:
        device.open(f"/missions/{MISSION}")
        page = device.page
        route_map = page.locator("svg.map").first
        expect(route_map).to_be_visible()
        you = route_map.locator(".marker.you")
        expect(you).to_have_count(1)
        expect(you).to_be_visible()
        assert inside(you.bounding_box(), route_map.bounding_box())
        story = page.locator("section.story")
        for title, text in (FIRST_BEAT, SECOND_BEAT):
            expect(story.locator("article.beat").filter(has_text=title)).to_contain_text(text)
        expect(page.locator("main")).to_contain_text(LAST_BEAT)  # its title, as a locked chapter
        expect(page.locator("main")).not_to_contain_text(LAST_BEAT_TEXT)
        device.shot("06-mission")
    # The dawn run, uploaded on the desktop, took the runner past km 20.
    expect(page.locator("section.story")).to_contain_text(THIRD_BEAT)


def inside(box: FloatRect | None, frame: FloatRect | None) -> bool:
    assert box is not None and frame is not None
    return (
        frame["x"] <= box["x"] + box["width"] / 2 <= frame["x"] + frame["width"]
        and frame["y"] <= box["y"] + box["height"] / 2 <= frame["y"] + frame["height"]
    )


def test_run_page_shows_the_splits_and_charts(journey: Journey) -> None:
    for device in journey.devices:
        device.open(journey.run_path(device))
        page = device.page
        # Splits as bars, one a km, with the table behind a summary.
        assert page.locator("svg.split-bars rect").count() >= 5
        splits = page.locator("table.splits").first
        expect(splits).to_be_hidden()
        page.get_by_text("Splits per km, as a table").click()
        expect(splits).to_be_visible()
        expect(splits.locator("thead")).to_contain_text("Pace")
        assert splits.locator("tbody tr").count() >= 5
        assert page.locator("svg.chart").count() >= 2
        expect(page.locator("svg.map").first).to_be_visible()
        device.shot("07-run")
    # The dawn run has a heart rate, and its chart.
    expect(
        page.locator("figure").filter(has_text="Heart rate").locator("svg.chart")
    ).to_be_visible()


def test_a_bad_file_gets_a_sentence_saying_why(journey: Journey) -> None:
    for device in journey.devices:
        bad: FilePayload = {
            "name": "broken.gpx",
            "mimeType": "application/gpx+xml",
            "buffer": b"not a run",
        }
        result = upload(device, bad)
        expect(result.locator("#result-title")).to_have_text("Nothing stored")
        refusal = result.locator("li.error")
        expect(refusal).to_have_count(1)
        expect(refusal).to_contain_text("broken.gpx")
        sentence = refusal.inner_text().strip()
        assert "Traceback" not in sentence
        assert len(sentence) < 300, sentence
        device.shot("08-bad-file")


def test_the_app_installs_and_takes_shared_files(journey: Journey) -> None:
    page = journey.phone.page
    journey.phone.open("/")
    manifest_url = page.locator("link[rel=manifest]").evaluate("(link) => link.href")
    manifest = journey.phone.context.request.get(manifest_url).json()
    assert manifest["display"] == "standalone"
    for icon in manifest["icons"]:
        answer = journey.phone.context.request.get(journey.base_url + icon["src"])
        assert answer.ok, icon
    share = manifest["share_target"]
    assert (share["method"], share["enctype"]) == ("POST", "multipart/form-data")
    field_name = share["params"]["files"][0]["name"]
    for device in journey.devices:
        # What the share sheet does: a top-level POST of the shared file to the share target.
        device.open("/upload")
        device.page.evaluate(SHARE_FORM, {"action": share["action"], "field": field_name})
        shared: FilePayload = {
            "name": f"shared-from-the-{device.name}.gpx",
            "mimeType": "application/gpx+xml",
            "buffer": gpx_named(f"Shared from the {device.name}"),
        }
        device.page.locator("#shared input").set_input_files(shared)
        device.page.locator("#shared").evaluate("(form) => form.submit()")
        expect(device.page.locator("main h1")).to_have_text("Your upload")
        expect(device.page.locator("#result-title")).to_have_text("1 run stored")
        expect(device.page.locator("main")).to_contain_text(f"Shared from the {device.name}")
        device.shot("09-shared")


def test_what_came_from_a_file_stays_text(journey: Journey) -> None:
    named: FilePayload = {
        "name": "<img src=x onerror=alert(2)>.gpx",
        "mimeType": "application/gpx+xml",
        "buffer": gpx_named("<script>alert(1)</script>"),
    }
    desktop = journey.desktop
    result = upload(desktop, named)
    expect(result).to_contain_text("<img src=x onerror=alert(2)>")
    desktop.open(run_path(desktop.page))
    expect(desktop.page.locator("main")).to_contain_text("<script>alert(1)</script>")
    desktop.shot("10-escaped")
    journey.phone.open("/runs")
    # The list names each run by its title and its file: the file's name stays text too.
    expect(journey.phone.page.locator("ul.run-rows")).to_contain_text(
        "<img src=x onerror=alert(2)>"
    )
    journey.phone.shot("10-escaped")
    for device in journey.devices:
        assert device.dialogs == []


def test_nothing_is_fetched_from_outside(journey: Journey) -> None:
    for device in journey.devices:
        assert device.requests, "no request was seen at all"
        assert device.outside() == []


def test_nothing_scrolls_sideways_on_a_phone(journey: Journey) -> None:
    phone = journey.phone
    paths = ["/", "/upload", "/tokens", "/runs", f"/missions/{MISSION}", journey.run_path(phone)]
    widths = dict(phone.widths)  # every page the phone took a screenshot of, so far
    for path in paths:
        phone.open(path)
        widths[path] = phone.scroll_width_px()
    for device in journey.devices:
        device.open("/")
        device.shot("11-dashboard")
        device.open("/runs")
        device.shot("11-runs")
    too_wide = {page: width for page, width in widths.items() if width > PHONE[0] + 1}
    assert too_wide == {}, f"wider than the phone's {PHONE[0]} px: {too_wide}"


def test_sign_out(journey: Journey) -> None:
    for device in journey.devices:
        device.open("/")
        page = device.page
        page.locator("header").get_by_role("button", name="Sign out").click()
        page.wait_for_url(re.compile(r"/signin|/signout"))
        if page.url.endswith("/signout"):  # the page asks first
            page.locator("main").get_by_role("button", name="Sign out").click()
        expect(page).to_have_url(re.compile(r"/signin"))
        expect(page.locator("footer")).not_to_contain_text("signed in as")
        device.open("/upload")
        expect(page).to_have_url(re.compile(r"/signin"))
        assert device.scroll_width_px() <= device.width_px + 1
        device.shot("12-signed-out")
