"""Plumbing for the real-browser tests: a live `heroicrun serve`, and browser tabs sized as devices.

Playwright is imported by the tests themselves (so that they skip cleanly without it); this module
only needs it for type hints.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Dialog, Page, Route

REPOSITORY = Path(__file__).resolve().parents[1]
SCREENSHOTS = REPOSITORY / "screenshots"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE = (360, 740)
DESKTOP = (1280, 800)


def skip_without_browser() -> None:
    """Skip the calling test module, at import, where Playwright or Chromium is missing."""
    import pytest

    pytest.importorskip(
        "playwright.sync_api", reason="Playwright for Python is missing: pip install -e '.[dev]'"
    )
    if not Path(CHROMIUM).exists():
        pytest.skip(
            f"no Chromium at {CHROMIUM}: apt-get install chromium (as .ci/run does)",
            allow_module_level=True,
        )


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def served(database_url: str, log_path: Path, wait_s: float = 30.0) -> Iterator[str]:
    """Run `heroicrun serve` on a free port until the block ends; yields its base URL."""
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    # The server reads its settings from the command line only, not from a developer's shell.
    environment = {k: v for k, v in os.environ.items() if not k.startswith("HEROICRUN_")}
    command = [sys.executable, "-m", "heroicrun", "serve", "--port", str(port)]
    command += ["--database-url", database_url]
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            command, stdout=log, stderr=subprocess.STDOUT, env=environment, cwd=REPOSITORY
        )
        try:
            _wait_for_health(process, base_url, log_path, wait_s)
            yield base_url
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _wait_for_health(
    process: subprocess.Popen[bytes], base_url: str, log_path: Path, wait_s: float
) -> None:
    deadline = time.monotonic() + wait_s
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"heroicrun serve exited:\n{log_path.read_text()}")
        try:
            with urllib.request.urlopen(f"{base_url}/api/health", timeout=2) as answer:
                json.load(answer)
                return
        except OSError:
            if time.monotonic() > deadline:
                raise RuntimeError(
                    f"heroicrun serve did not answer in {wait_s:.0f} s:\n{log_path.read_text()}"
                ) from None
            time.sleep(0.1)


@dataclass
class Device:
    """One browser context at a device's size, with its own cookies and a log of its requests."""

    name: str
    base_url: str
    context: BrowserContext
    page: Page
    requests: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)
    widths: dict[str, int] = field(default_factory=dict)  # step → page width when shot, px

    def open(self, path: str) -> None:
        """Go to a path on the server and wait until the page has loaded."""
        self.page.goto(self.base_url + path)

    def shot(self, step: str) -> Path:
        """Save a full-page screenshot as screenshots/{device}-{step}.png; note the page's width."""
        SCREENSHOTS.mkdir(exist_ok=True)
        # A page's text can be there before its stylesheet is: measured unstyled, a long token
        # sticks out.
        self.page.wait_for_load_state("load")
        self.widths[step] = self.scroll_width_px()
        path = SCREENSHOTS / f"{self.name}-{step}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path

    @property
    def width_px(self) -> int:
        size = self.page.viewport_size
        assert size is not None
        return size["width"]

    def scroll_width_px(self) -> int:
        """How wide the page is, in CSS pixels, counting anything that sticks out sideways."""
        width: int = self.page.evaluate("document.documentElement.scrollWidth")
        return width

    def outside(self) -> list[str]:
        """The requests that went anywhere but the server (data: and blob: stay in the page)."""
        return [
            url
            for url in self.requests
            if not (url.startswith((self.base_url + "/", "data:", "blob:")) or url == self.base_url)
        ]


def open_device(browser: Browser, name: str, base_url: str, size: tuple[int, int]) -> Device:
    """A fresh context and tab at `size`; requests leaving the server are logged and refused."""
    width, height = size
    phone = width < 600
    context = browser.new_context(
        viewport={"width": width, "height": height},
        is_mobile=phone,
        has_touch=phone,
        locale="en-GB",
        timezone_id="Europe/Athens",
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    device = Device(name, base_url, context, page)
    context.on("request", lambda request: device.requests.append(request.url))

    def keep_local(route: Route) -> None:
        if route.request.url.startswith(base_url + "/"):
            route.continue_()
        else:
            route.abort()

    context.route("**/*", keep_local)

    def note_dialog(dialog: Dialog) -> None:
        device.dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", note_dialog)
    return device


def gpx_named(name: str, distance_m: float = 1000.0, duration_s: float = 360.0) -> bytes:
    """A GPX run due north from Syntagma at an even pace, its track named `name` (escaped).

    Each name is its own outing: it starts at its own minute of the morning, so two files of
    different names are two activities, not one recorded twice."""
    start = datetime(2026, 9, 27, 6, 0, tzinfo=UTC) + timedelta(
        minutes=zlib.crc32(name.encode()) % 600
    )
    steps = 120
    points = []
    for i in range(steps + 1):
        lat = 37.9755 + (distance_m * i / steps) / 111_195.0
        moment = start + timedelta(seconds=duration_s * i / steps)
        points.append(
            f'<trkpt lat="{lat:.7f}" lon="23.7348"><ele>{80 + 5 * math.sin(i / 9):.1f}</ele>'
            f"<time>{moment:%Y-%m-%dT%H:%M:%SZ}</time></trkpt>"
        )
    escaped = name.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<gpx version="1.1" creator="heroicrun tests" xmlns="http://www.topografix.com/GPX/1/1">'
        f"<trk><name>{escaped}</name><type>running</type><trkseg>{''.join(points)}"
        "</trkseg></trk></gpx>\n"
    ).encode()


# Every visible label's and marker's box on every map, and what covers what, in CSS pixels.
LABEL_CLASHES = """() => {
  const found = [];
  document.querySelectorAll("svg.map").forEach((svg, n) => {
    const boxes = [];
    for (const layer of svg.querySelectorAll("g.labels")) {
      if (getComputedStyle(layer).display === "none") continue;
      for (const text of layer.querySelectorAll("text"))
        boxes.push({what: "label " + text.textContent, box: text.getBoundingClientRect()});
    }
    for (const circle of svg.querySelectorAll(".marker circle"))
      boxes.push({what: "marker", box: circle.getBoundingClientRect(), marker: true});
    const edge = svg.getBoundingClientRect();
    boxes.forEach((a, i) => {
      const r = a.box;
      if (!a.marker && (r.left < edge.left - 0.5 || r.right > edge.right + 0.5 ||
                        r.top < edge.top - 0.5 || r.bottom > edge.bottom + 0.5))
        found.push(`map ${n}: ${a.what} leaves the map`);
      boxes.slice(i + 1).forEach((b) => {
        const s = b.box;
        if (a.marker && b.marker) return;
        // A pixel of slack: glyph boxes include the font's line gap, not only its ink.
        const apart = r.left + 1 >= s.right || s.left + 1 >= r.right ||
                      r.top + 1 >= s.bottom || s.top + 1 >= r.bottom;
        if (!apart)
          found.push(`map ${n}: ${a.what} covers ${b.what}`);
      });
    });
  });
  return found;
}"""
