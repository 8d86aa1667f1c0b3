"""The club pages in a real browser, on a phone (360 px) and a desktop (1280 px), light and dark:
a club of three on The Three Hunters as a team, each member's runs uploaded. Nothing sticks out
sideways, every link and button is 44 px tall at least, the header's links keep to one row, axe
finds nothing, the invite link is copied or shared, confirmations fold open before anything is
done, and a runner outside the club finds no club. Screenshots are saved as
screenshots/{phone,desktop}-{light,dark}-{clubs,club}.png."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import pytest

from heroicrun.db import engine as db_engine
from heroicrun.db import migrate
from heroicrun.missions import catalog
from heroicrun.play import accounts, clubs, teams
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
from tests.helpers import axe
from tests.helpers.stored_runs import a_track, gpx_of

skip_without_browser()
AXE_MISSING = axe.missing()

from playwright.sync_api import expect, sync_playwright  # noqa: E402 (after the skip)

if TYPE_CHECKING:
    from playwright.sync_api import Browser

PASSWORD = "rejoice we conquer"
MEMBERS = ("aragorn", "legolas", "gimli")
OUTSIDER = "saruman"
CLUB = "The Three Hunters"
MISSION = "three-hunters-team"
# (member, km, hours after the team set out): the order of the bands on the map. 38.5 km in
# 16 hours: Queenstown, km 46, is still to reach within the first day.
RUNS = (("aragorn", 14.0, 2), ("legolas", 9.5, 5), ("gimli", 7.0, 8), ("aragorn", 8.0, 12))
SET_OUT_HOURS_AGO = 16

# Every visible link, button, select and summary in the main part shorter than 44 px.
SHORT_TAPS = """() => [...document.querySelectorAll(
    'main a, main button, main select, main summary, main input')]
  .filter(e => e.offsetParent !== null && e.getBoundingClientRect().height < 44)
  .map(e => `${e.textContent.trim().slice(0, 40)}: ${e.getBoundingClientRect().height}px`)"""
# The tops of the header's links and its button: one value when they keep to one row.
NAV_ROWS = """() => new Set([...document.querySelectorAll('header.top nav :is(a, button)')]
  .map(e => Math.round(e.getBoundingClientRect().top))).size"""


@dataclass(frozen=True)
class Club:
    """The served club, and a browser to look at it with."""

    base_url: str
    club_id: int
    code: str
    browser: Browser


@pytest.fixture(scope="module")
def club(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Club]:
    """A served database: three members of a club on The Three Hunters, set out 16 hours ago,
    their runs uploaded; a runner outside it."""
    folder = tmp_path_factory.mktemp("browser-clubs")
    database_url = f"sqlite:///{folder / 'h.db'}"
    engine = db_engine.connect(database_url)
    migrate.upgrade(engine)
    set_out = datetime.now(UTC) - timedelta(hours=SET_OUT_HOURS_AGO)
    tokens: dict[str, str] = {}
    with db_engine.writers(engine)() as session:
        runners = {name: accounts.add_runner(session, name, PASSWORD) for name in MEMBERS}
        accounts.add_runner(session, OUTSIDER, PASSWORD)
        made = clubs.create(session, runners["aragorn"], CLUB, set_out - timedelta(hours=1))
        for name in MEMBERS[1:]:
            clubs.join(session, runners[name], made.code, set_out - timedelta(hours=1))
        teams.enrol(session, catalog.bundled(), runners["aragorn"], made.id, MISSION, set_out)
        for name, runner in runners.items():
            tokens[name] = accounts.create_token(session, runner, "phone")
        session.commit()
        club_id, code = made.id, made.code
    engine.dispose()
    with served(database_url, folder / "serve.log") as base_url, sync_playwright() as playwright:
        api = playwright.request.new_context(base_url=base_url)
        for number, (name, km, hours) in enumerate(RUNS):
            data = gpx_of(a_track(km, set_out + timedelta(hours=hours)))
            answer = api.post(
                "/api/runs",
                headers={"Authorization": f"Bearer {tokens[name]}"},
                multipart={
                    "files": {
                        "name": f"run-{number}.gpx",
                        "mimeType": "application/gpx+xml",
                        "buffer": data,
                    }
                },
            )
            assert answer.ok, answer.text()
        api.dispose()
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield Club(base_url, club_id, code, browser)
        finally:
            browser.close()


def sign_in(device: Device, name: str) -> None:
    device.open("/signin")
    device.page.get_by_label("Name").fill(name)
    device.page.get_by_label("Password").fill(PASSWORD)
    device.page.get_by_role("button", name="Sign in").click()
    expect(device.page.locator("footer")).to_contain_text(f"signed in as {name}")


def test_the_club_pages_on_a_phone_and_a_desktop(club: Club) -> None:
    for size_name, size in (("phone", PHONE), ("desktop", DESKTOP)):
        for scheme in ("light", "dark"):
            device = open_device(club.browser, f"{size_name}-{scheme}", club.base_url, size)
            device.page.emulate_media(color_scheme=scheme)
            sign_in(device, "legolas")
            look_at_the_clubs(device)
            look_at_the_club(device, club)
            assert device.outside() == []
            device.context.close()


def test_the_owners_controls_ask_first(club: Club) -> None:
    """The owner's page: a new code and a removal per member, each behind a fold."""
    for size_name, size, scheme in (("phone", PHONE, "dark"), ("desktop", DESKTOP, "light")):
        device = open_device(club.browser, f"{size_name}-{scheme}-owner", club.base_url, size)
        device.page.emulate_media(color_scheme=scheme)
        sign_in(device, "aragorn")
        device.open(f"/clubs/{club.club_id}")
        device.shot("club")
        check_layout(device, "club")
        device.open(f"/clubs/{club.club_id}")
        page = device.page
        remove = page.get_by_role("button", name="Remove", exact=True)
        expect(remove).to_be_hidden()
        page.locator("summary", has_text="Remove a member").click()
        expect(remove).to_be_visible()
        page.get_by_label("Member", exact=True).select_option("gimli")
        make = page.get_by_role("button", name="Make a new code")
        expect(make).to_be_hidden()
        page.locator("summary", has_text="New code").click()
        expect(make).to_be_visible()
        device.context.close()


def look_at_the_clubs(device: Device) -> None:
    page = device.page
    device.open("/clubs")
    expect(page.get_by_role("link", name=CLUB)).to_be_visible()
    expect(page.locator(".club-list")).to_contain_text("3 members")
    expect(page.locator(".club-list")).to_contain_text("The Three Hunters, as a Team")
    device.shot("clubs")
    check_layout(device, "clubs")


def look_at_the_club(device: Device, club: Club) -> None:
    page = device.page
    device.open(f"/clubs/{club.club_id}")
    expect(page.get_by_role("heading", name=CLUB, exact=True)).to_be_visible()
    mission = page.locator(f"#team-{MISSION}")
    expect(mission).to_contain_text("38 of 217 km")
    expect(mission.locator(".stat", has_text="to Queenstown")).to_contain_text("7.5 km")
    expect(mission.locator(".stat", has_text="left, until")).to_contain_text("8 hours")
    # A band per stretch, in the order run: Aragorn, Legolas, Gimli, Aragorn again.
    bands = page.locator("svg.team-map polyline.band")
    classes = [bands.nth(n).get_attribute("class") for n in range(bands.count())]
    assert classes == ["band m0", "band m1", "band m2", "band m0"]
    expect(mission.locator(".band-key")).to_contain_text("aragorn")
    me = mission.locator("table.club-board tr.me")
    expect(me).to_have_count(1)
    expect(me).to_contain_text("legolas")
    expect(page.locator(".club-activity li").first).to_contain_text("aragorn ran 8.0 km")
    device.shot("club")
    check_layout(device, "club")
    device.open(f"/clubs/{club.club_id}")  # axe opened every fold: closed again
    # The invite: copied where the browser cannot share (a desktop's Chromium), and said so.
    copy = page.get_by_role("button", name="Copy the link")
    share = page.get_by_role("button", name="Share the link")
    if copy.is_visible():
        copy.click()
        expect(page.locator(".invite-actions .copied")).not_to_have_text("")
    else:
        expect(share).to_be_visible()
    # Leaving asks first.
    leave = page.get_by_role("button", name=f"Leave {CLUB}")
    expect(leave).to_be_hidden()
    page.locator("details.leave > summary").click()
    expect(leave).to_be_visible()


def check_layout(device: Device, step: str) -> None:
    page = device.page
    assert device.widths[step] <= device.width_px, f"the {step} page is too wide"
    assert page.evaluate(SHORT_TAPS) == []
    assert page.evaluate(NAV_ROWS) == 1, "the header's links take two rows"
    if AXE_MISSING is None:
        assert axe.violations(page) == []


def test_a_runner_outside_the_club_finds_no_club(club: Club) -> None:
    device = open_device(club.browser, "phone-outsider", club.base_url, PHONE)
    try:
        sign_in(device, OUTSIDER)
        answer = device.page.goto(f"{club.base_url}/clubs/{club.club_id}")
        assert answer is not None and answer.status == 404
        expect(device.page.get_by_role("heading", name="No such club")).to_be_visible()
        assert CLUB not in device.page.content()
        # The invite link: a question, and the club only once joined.
        device.open(f"/clubs/join?code={club.code.upper()}")
        expect(device.page.get_by_role("heading", level=2)).to_contain_text(club.code)
        assert CLUB not in device.page.content()
        device.page.get_by_role("button", name="Join").click()
        device.page.wait_for_url(f"**/clubs/{club.club_id}")
        expect(device.page.get_by_role("heading", name=CLUB, exact=True)).to_be_visible()
        # And out again, once asked: the club is as it was for the other tests.
        device.page.locator("details.leave > summary").click()
        device.page.get_by_role("button", name=f"Leave {CLUB}").click()
        device.page.wait_for_url("**/clubs")
        expect(device.page.get_by_role("heading", name="Run together")).to_be_visible()
    finally:
        device.context.close()
