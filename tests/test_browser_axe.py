"""axe-core on every page, light and dark, on a phone (360 px) and a desktop (1280 px): no
violation of WCAG 2.1 A and AA, nor of axe's best practices.

One server and one browser for the module; a browser context per scheme and width and runner,
signed in once. The runner with runs has a real run with heart rate and a real ride in a car
(from ../shared/data/real) and a long run this morning that unlocked chapters of Reach Sparta.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from heroicrun.db import engine as db_engine
from heroicrun.db import migrate
from heroicrun.play import accounts
from tests.browser_helpers import (
    CHROMIUM,
    CHROMIUM_ARGS,
    DESKTOP,
    PHONE,
    gpx_named,
    served,
    skip_without_browser,
)
from tests.factory import TrackBuilder
from tests.helpers import axe, runfiles
from tests.helpers.real import REAL

skip_without_browser()
AXE_MISSING = axe.missing()
if AXE_MISSING is not None:
    pytest.skip(AXE_MISSING, allow_module_level=True)

from playwright.sync_api import expect, sync_playwright  # noqa: E402 (after the skips)

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Page

PASSWORD = "rejoice we conquer"
RUNNER, NEWCOMER = "pheidippides", "newcomer"
MISSION = "reach-sparta"
MISSING = "/no-such-page"
HEART_RATE_RUN = REAL / "fittrackee" / "gpx_file_with_gpxtpx_extensions.gpx"
CAR_RIDE = REAL / "gpxpy" / "around-visnjan-with-car.gpx"


@dataclass
class Site:
    """The live server, the browser, the runs stored, and a signed-in context per need."""

    base_url: str
    empty_url: str  # a server without runners, whose /welcome page makes the first
    browser: Browser
    runs: dict[str, int]
    states: dict[str, Path]
    contexts: dict[tuple[str, str, int], BrowserContext] = field(default_factory=dict)
    uploads: int = 0

    def page(self, who: str, scheme: str, width: int) -> Page:
        """A tab for `who` ("signed out" or a runner's name) in `scheme` at `width` px."""
        key = (who, scheme, width)
        if key not in self.contexts:
            size = PHONE if width == PHONE[0] else DESKTOP
            context = self.browser.new_context(
                viewport={"width": size[0], "height": size[1]},
                is_mobile=width < 600,
                has_touch=width < 600,
                color_scheme="dark" if scheme == "dark" else "light",
                locale="en-GB",
                timezone_id="Europe/Athens",
                storage_state=self.states.get(who),
            )
            context.set_default_timeout(15_000)
            context.new_page()
            self.contexts[key] = context
        return self.contexts[key].pages[0]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    folder = tmp_path_factory.mktemp("browser-axe")
    database_url = f"sqlite:///{folder / 'h.db'}"
    engine = db_engine.connect(database_url)
    migrate.upgrade(engine)
    with db_engine.writers(engine)() as session:
        runner = accounts.add_runner(session, RUNNER, PASSWORD)
        token = accounts.create_token(session, runner, "phone")
        accounts.add_runner(session, NEWCOMER, PASSWORD)
        session.commit()
    engine.dispose()
    with (
        served(database_url, folder / "serve.log") as base_url,
        served(f"sqlite:///{folder / 'empty.db'}", folder / "empty.log") as empty_url,
        sync_playwright() as playwright,
    ):
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            api = playwright.request.new_context(
                base_url=base_url, extra_http_headers={"Authorization": f"Bearer {token}"}
            )
            enrolled = api.post(f"/api/missions/{MISSION}/enrol")
            assert enrolled.ok, enrolled.text()
            builder = TrackBuilder(start_time_s=time.time() - 6 * 3600, elevation_m=100.0)
            long_run = runfiles.gpx(builder.run(43_000.0, 43 * 300.0, 15.0).build(), "long")
            runs: dict[str, int] = {}
            sent = {"long": ("long.gpx", long_run)}
            for name, path in (("heart rate", HEART_RATE_RUN), ("car", CAR_RIDE)):
                if path.is_file():
                    sent[name] = (path.name, path.read_bytes())
            for name, (filename, data) in sent.items():
                answer = api.post(
                    "/api/runs",
                    multipart={
                        "files": {
                            "name": filename,
                            "mimeType": "application/octet-stream",
                            "buffer": data,
                        }
                    },
                )
                assert answer.ok, answer.text()
                runs[name] = answer.json()["runs"][0]["id"]
                if name == "long":
                    assert answer.json()["runs"][0]["unlocked"], answer.text()
            api.dispose()
            states = {
                who: _signed_in(browser, base_url, who, folder / f"{who}.json")
                for who in (RUNNER, NEWCOMER)
            }
            yield Site(base_url, empty_url, browser, runs, states)
        finally:
            browser.close()


def _signed_in(browser: Browser, base_url: str, name: str, path: Path) -> Path:
    """Sign `name` in through the form; the cookies, saved at `path`."""
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{base_url}/signin")
    page.get_by_label("Name").fill(name)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("footer")).to_contain_text(f"signed in as {name}")
    context.storage_state(path=str(path))
    context.close()
    return path


def _open(path: str) -> Callable[[Site, Page], None]:
    def go(site: Site, page: Page) -> None:
        answer = page.goto(site.base_url + path)
        assert answer is not None
        if answer.status == 404 and path == "/records":
            pytest.skip("no /records page yet")
        # The page itself, not a way round it (a sign-in page, an error).
        assert answer.status == (404 if path == MISSING else 200), answer.url
        assert answer.url == site.base_url + path

    return go


def _welcome(error: bool) -> Callable[[Site, Page], None]:
    def go(site: Site, page: Page) -> None:
        answer = page.goto(site.empty_url + "/welcome")
        assert answer is not None and answer.status == 200 and answer.url.endswith("/welcome")
        if error:
            page.get_by_label("Your runner name").fill(RUNNER)
            page.get_by_label("Password", exact=True).fill(PASSWORD)
            page.get_by_label("Password again").fill(PASSWORD + "!")
            page.get_by_role("button", name="Start running").click()
            expect(page.locator("#form-error")).to_be_visible()

    return go


def _wrong_password(site: Site, page: Page) -> None:
    page.goto(site.base_url + "/signin")
    page.get_by_label("Name").fill(RUNNER)
    page.get_by_label("Password").fill(PASSWORD + "!")
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("#form-error")).to_be_visible()


def _run(name: str) -> Callable[[Site, Page], None]:
    def go(site: Site, page: Page) -> None:
        if name not in site.runs:
            pytest.skip(f"needs the real run files in {REAL}")
        answer = page.goto(f"{site.base_url}/runs/{site.runs[name]}")
        assert answer is not None and answer.status == 200, name

    return go


def _upload_answer_page(site: Site, page: Page) -> None:
    """The answer as its own page: what a browser without the upload script gets."""
    page.route("**/static/upload.js*", lambda route: route.abort())
    try:
        page.goto(site.base_url + "/upload")
        site.uploads += 1
        data = gpx_named(f"axe upload {site.uploads}", 5000.0, 1500.0)
        page.locator("input[type=file]").set_input_files(
            {"name": f"axe-{site.uploads}.gpx", "mimeType": "application/gpx+xml", "buffer": data}
        )
        page.get_by_role("button", name="Upload").click()
        expect(page.locator("h1")).to_have_text("Your upload")
        expect(page.locator("#result-title")).to_contain_text("stored")
    finally:
        page.unroute("**/static/upload.js*")


def _upload_answer(site: Site, page: Page) -> None:
    """The answer upload.js puts in the page: a run stored, and a file refused with the way
    to export a GPX."""
    page.goto(site.base_url + "/upload")
    site.uploads += 1
    data = gpx_named(f"axe upload {site.uploads}", 5000.0, 1500.0)
    page.locator("input[type=file]").set_input_files(
        [
            {"name": f"axe-{site.uploads}.gpx", "mimeType": "application/gpx+xml", "buffer": data},
            {"name": "broken.gpx", "mimeType": "application/gpx+xml", "buffer": b"?"},
        ]
    )
    expect(page.locator("#upload-result #result-title")).to_contain_text(
        "1 run stored · 1 refused", timeout=30_000
    )


def _signout_question(site: Site, page: Page) -> None:
    """The question a sign-out from elsewhere gets (no form token, not this site's own form)."""
    asked = page.context.request.post(site.base_url + "/signout", max_redirects=0)
    assert asked.status == 200 and "Sign out?" in asked.text(), asked.status
    page.route(site.base_url + "/signout", lambda route: route.fulfill(response=asked))
    try:
        page.goto(site.base_url + "/signout")
    finally:
        page.unroute(site.base_url + "/signout")


PAGES = [
    pytest.param("signed out", _welcome(error=False), id="welcome"),
    pytest.param("signed out", _welcome(error=True), id="welcome-error"),
    pytest.param("signed out", _open("/signin"), id="signin"),
    pytest.param("signed out", _wrong_password, id="signin-error"),
    pytest.param(NEWCOMER, _open("/"), id="dashboard-new"),
    pytest.param(RUNNER, _open("/"), id="dashboard-runs"),
    pytest.param(RUNNER, _open(f"/missions/{MISSION}"), id="mission"),
    pytest.param(RUNNER, _open("/upload"), id="upload"),
    pytest.param(RUNNER, _upload_answer, id="upload-answer"),
    pytest.param(RUNNER, _upload_answer_page, id="upload-answer-page"),
    pytest.param(RUNNER, _run("heart rate"), id="run-heart-rate"),
    pytest.param(RUNNER, _run("car"), id="run-car"),
    pytest.param(RUNNER, _open("/runs"), id="runs"),
    pytest.param(RUNNER, _open("/records"), id="records"),
    pytest.param(RUNNER, _open("/tokens"), id="tokens"),
    pytest.param(RUNNER, _open("/account"), id="account"),
    pytest.param(RUNNER, _open(MISSING), id="404"),
    pytest.param(RUNNER, _signout_question, id="signout"),
]


@pytest.mark.parametrize("width", [PHONE[0], DESKTOP[0]], ids=["360", "1280"])
@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize(("who", "go"), PAGES)
def test_axe_finds_nothing(
    site: Site, who: str, go: Callable[[Site, Page], None], scheme: str, width: int
) -> None:
    page = site.page(who, scheme, width)
    go(site, page)
    found = axe.violations(page)
    assert not found, "\n".join(found)


def test_axe_names_what_is_wrong(site: Site) -> None:
    # A page of its own: the site's pages would refuse the inline style (their CSP).
    page = site.browser.new_page()
    page.set_content(
        '<html lang="en"><title>t</title><main><h1>t</h1><img src="x.png">'
        '<p style="color: #aaa; background: #fff">faint</p></main></html>'
    )
    found = axe.violations(page)
    assert [line.split(":")[0] for line in found] == [
        "color-contrast (serious)",
        "image-alt (critical)",
    ], found
    assert "Element has insufficient color contrast of 2.32" in found[0]
    page.close()
