"""axe-core in a Playwright page: the WCAG 2.1 A and AA rules and axe's best practices, and what
they find, as lines a person can act on.

axe-core comes from the npm registry, pinned in tests/axe/package.json and installed beside it
(`npm ci --prefix tests/axe`); node only installs it, the browser runs it. Where it is not
installed, the tests that need it skip and say how to install it.
"""

from __future__ import annotations

import functools
import shutil
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from playwright.sync_api import Page

FOLDER = Path(__file__).resolve().parents[1] / "axe"
SCRIPT = FOLDER / "node_modules" / "axe-core" / "axe.min.js"
INSTALL = "npm ci --prefix tests/axe --no-audit --no-fund"
TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice")

# The page's Content-Security-Policy allows scripts from its own origin only, so a <script> tag
# holding axe would be refused; evaluating the text through the DevTools protocol is not
# subject to the policy, and leaves the page's own headers as a runner's browser gets them.
RUN = """async (tags) => {
  // What a tap would show is checked too: every <details> opened.
  document.querySelectorAll("details").forEach((details) => { details.open = true; });
  const found = await axe.run(document, {runOnly: {type: "tag", values: tags}});
  return found.violations.map((rule) => ({
    id: rule.id,
    impact: rule.impact,
    help: rule.help,
    nodes: rule.nodes.map((node) => ({
      target: node.target.map(String).join(" "),
      summary: node.failureSummary || "",
    })),
  }));
}"""


def missing() -> str | None:
    """Why axe cannot run here (axe-core not installed, or no npm to install it), or None."""
    if SCRIPT.is_file():
        return None
    if shutil.which("npm") is None:
        return f"axe-core is not installed, and it needs npm: apt-get install nodejs npm; {INSTALL}"
    return f"axe-core is not installed: {INSTALL}"


@functools.cache
def _source() -> str:
    return SCRIPT.read_text(encoding="utf-8")


def violations(page: Page) -> list[str]:
    """What axe finds wrong on the page, with every <details> opened: one line per rule and
    element."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(_source() + "\n;undefined")
    found: list[dict[str, Any]] = page.evaluate(RUN, list(TAGS))
    return [
        f"{rule['id']} ({rule['impact']}): {rule['help']}: {node['target']}: "
        + " ".join(node["summary"].split())
        for rule in found
        for node in rule["nodes"]
    ]
