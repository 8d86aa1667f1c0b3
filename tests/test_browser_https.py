"""`heroicrun serve --https` in Chromium that trusts the server's authority, as a phone does once
it is installed: no certificate error, a secure context, the service worker in control and the
manifest with its share target read. The trust page is shot at 360 px as
/tmp/shots/trust-360.png."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests.browser_helpers import (
    CHROMIUM,
    CHROMIUM_ARGS,
    PHONE,
    open_device,
    skip_without_browser,
)
from tests.helpers import axe
from tests.helpers.serve_process import serving_https

skip_without_browser()
CERTUTIL = shutil.which("certutil")
if CERTUTIL is None:
    pytest.skip(
        "no certutil to trust the authority in Chromium's NSS database: apt-get install "
        "libnss3-tools (as .ci/run does)",
        allow_module_level=True,
    )

from playwright.sync_api import Error as PlaywrightError  # noqa: E402 (after the skip)
from playwright.sync_api import sync_playwright  # noqa: E402

if TYPE_CHECKING:
    from playwright.sync_api import Playwright

SHOTS = Path("/tmp/shots")
# Resolves once the page's service worker has finished activating; then whether one controls
# the page.
READY = """navigator.serviceWorker.ready.then(({active}) => active.state === "activated"
  ? active.state
  : new Promise((done) => active.addEventListener("statechange", () => {
      if (active.state === "activated") done(active.state);
    })))"""
CONTROLLED = "navigator.serviceWorker.controller !== null"


@dataclass(frozen=True)
class Served:
    """A `serve --https` on localhost, its authority, and a HOME whose NSS database trusts it."""

    base_url: str
    authority: Path
    home: Path


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    folder = tmp_path_factory.mktemp("browser-https")
    with serving_https(folder) as running:
        home = folder / "home"
        trusting(home, running.authority)
        yield Served(f"https://localhost:{running.port}", running.authority, home)


def trusting(home: Path, authority: Path) -> None:
    """An NSS database in `home` that trusts `authority` for TLS servers, as Chromium on Linux
    reads it."""
    assert CERTUTIL is not None
    database = home / ".pki" / "nssdb"
    database.mkdir(parents=True)
    where = f"sql:{database}"
    subprocess.run([CERTUTIL, "-d", where, "-N", "--empty-password"], check=True)
    add = [CERTUTIL, "-d", where, "-A", "-t", "C,,", "-n", "heroicrun", "-i", str(authority)]
    subprocess.run(add, check=True)


@pytest.fixture(scope="module")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as running:
        yield running


def test_chromium_trusting_the_authority_gets_a_secure_installable_app(
    served: Served, playwright: Playwright
) -> None:
    browser = playwright.chromium.launch(
        executable_path=CHROMIUM, args=CHROMIUM_ARGS, env={**os.environ, "HOME": str(served.home)}
    )
    try:
        phone = open_device(browser, "phone-https", served.base_url, PHONE)
        answer = phone.page.goto(served.base_url + "/welcome")  # raises on a certificate error
        assert answer is not None and answer.ok
        assert phone.page.evaluate("window.isSecureContext") is True
        assert phone.page.evaluate(READY) == "activated"
        phone.page.reload()
        assert phone.page.evaluate(CONTROLLED) is True

        # The manifest as the browser fetches and reads it to install the app.
        devtools = phone.context.new_cdp_session(phone.page)
        manifest = devtools.send("Page.getAppManifest")
        assert manifest["url"] == served.base_url + "/manifest.webmanifest"
        assert manifest["errors"] == []
        assert '"share_target"' in manifest["data"] and '"/share"' in manifest["data"]

        phone.open("/trust")
        assert phone.page.evaluate("window.isSecureContext") is True
        fingerprint = phone.page.locator("#fingerprint").inner_text()
        assert len(fingerprint.split(":")) == 32
        code = phone.page.get_by_role("img", name="QR code of")
        assert code.evaluate("img => img.complete && img.naturalWidth > 0") is True
        width = phone.page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE[0], f"the trust page is {width} px wide"
        download = phone.page.get_by_role("link", name="Download the certificate")
        assert download.get_attribute("href") == "/ca.crt"
        SHOTS.mkdir(exist_ok=True)
        phone.page.screenshot(path=str(SHOTS / "trust-360.png"), full_page=True)
        assert phone.outside() == []
    finally:
        browser.close()


@pytest.mark.skipif(axe.missing() is not None, reason=str(axe.missing()))
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_finds_nothing_on_the_trust_page(
    served: Served, playwright: Playwright, scheme: str
) -> None:
    browser = playwright.chromium.launch(
        executable_path=CHROMIUM, args=CHROMIUM_ARGS, env={**os.environ, "HOME": str(served.home)}
    )
    try:
        phone = open_device(browser, f"phone-{scheme}-https", served.base_url, PHONE)
        phone.page.emulate_media(color_scheme=scheme)  # type: ignore[arg-type]
        phone.open("/trust")
        assert axe.violations(phone.page) == []
    finally:
        browser.close()


def test_chromium_that_does_not_trust_it_refuses_the_server(
    served: Served, playwright: Playwright, tmp_path: Path
) -> None:
    (tmp_path / ".pki" / "nssdb").mkdir(parents=True)
    browser = playwright.chromium.launch(
        executable_path=CHROMIUM, args=CHROMIUM_ARGS, env={**os.environ, "HOME": str(tmp_path)}
    )
    try:
        page = browser.new_page()
        with pytest.raises(PlaywrightError, match="ERR_CERT_AUTHORITY_INVALID"):
            page.goto(served.base_url + "/welcome")
    finally:
        browser.close()
