"""The stylesheet's colours, light and dark, keep WCAG AA contrast: text 4.5:1 on its ground, the
route lines, borders of controls and focus rings 3:1 against what they are drawn on.

The colours are read from the CSS variables: the light ones in the first `:root` block, the dark
ones overriding them in the `prefers-color-scheme: dark` block."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

STYLESHEET = Path(__file__).resolve().parents[1] / "web/static/heroicrun.css"
TEXT = 4.5
GRAPHIC = 3.0

# (foreground, background, least ratio): what is read or seen on what.
PAIRS = [
    ("ink", "paper", TEXT),
    ("ink", "card", TEXT),
    ("muted", "paper", TEXT),
    ("muted", "card", TEXT),
    ("accent", "paper", TEXT),  # links
    ("accent", "card", TEXT),
    ("accent-ink", "accent", TEXT),  # buttons
    ("header-ink", "header", TEXT),
    ("ok", "card", TEXT),
    ("warn", "card", TEXT),
    ("bad", "card", TEXT),
    ("ok", "paper", TEXT),
    ("bad", "paper", TEXT),
    ("focus", "paper", GRAPHIC),
    ("focus", "card", GRAPHIC),
    ("focus-on-header", "header", GRAPHIC),
    # Maps: the route run and to come, on land and on sea; km ticks and the scale's words.
    ("done", "land", GRAPHIC),
    ("done", "sea", GRAPHIC),
    ("route-todo", "land", GRAPHIC),
    ("route-todo", "sea", GRAPHIC),
    ("warn", "land", GRAPHIC),
    ("ok", "land", GRAPHIC),
    ("tick-ink", "land", TEXT),
    ("tick-ink", "sea", TEXT),
    ("ink", "land", TEXT),
    # A ridden stretch, dotted over a casing of ink: told from the track by its colour alone,
    # and seen against its casing.
    ("vehicle", "done", GRAPHIC),
    ("vehicle", "ink", GRAPHIC),
    ("ink", "sea", GRAPHIC),
    # The splits' bars, on the page.
    ("todo", "paper", GRAPHIC),
]
# Only in the dark scheme: grounds that are literals in the light one.
DARK_PAIRS = [
    ("ink", "notice", TEXT),
    ("ok", "ok-bg", TEXT),
    ("bad", "bad-bg", TEXT),
    ("ink", "code", TEXT),
    ("ghost", "card", TEXT),
    ("ghost", "land", GRAPHIC),
    ("ink", "bad-bg", TEXT),  # a file dragged over the drop zone
]


def _variables(block: str) -> dict[str, str]:
    return dict(re.findall(r"--([\w-]+):\s*(#[0-9a-fA-F]{6})\b", block))


def _dark_spans(css: str) -> list[tuple[int, int]]:
    """Where each `prefers-color-scheme: dark` block starts and ends in the stylesheet."""
    spans = []
    for found in re.finditer(r"@media \(prefers-color-scheme: dark\)\s*\{", css):
        depth, at = 1, found.end()
        while depth:
            depth += {"{": 1, "}": -1}.get(css[at], 0)
            at += 1
        spans.append((found.start(), at))
    return spans


def _schemes() -> dict[str, dict[str, str]]:
    """The variables of each scheme: the light ones from every `:root` block outside a dark
    one (each section may set its own), the dark ones overriding them from those inside."""
    css = STYLESHEET.read_text()
    dark_spans = _dark_spans(css)
    light: dict[str, str] = {}
    dark: dict[str, str] = {}
    for block in re.finditer(r":root\s*\{(.*?)\}", css, re.S):
        inside = any(start <= block.start() < end for start, end in dark_spans)
        (dark if inside else light).update(_variables(block.group(1)))
    assert light and dark, "the stylesheet has a light :root and a dark one"
    return {"light": light, "dark": light | dark}


def _luminance(colour: str) -> float:
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(one: str, other: str) -> float:
    """The WCAG 2 contrast ratio of two #rrggbb colours, 1 to 21."""
    high, low = sorted((_luminance(one), _luminance(other)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_contrast_of_known_colours() -> None:
    assert contrast("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)
    # The old blue ring on the dark red header: too faint to see.
    assert contrast("#1f5fbf", "#7a1f12") == pytest.approx(1.7, abs=0.1)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_every_pair_meets_wcag_aa(scheme: str) -> None:
    colours = _schemes()[scheme]
    pairs = PAIRS + (DARK_PAIRS if scheme == "dark" else [])
    short = [
        f"{fore} on {back}: {contrast(colours[fore], colours[back]):.2f} < {least}"
        for fore, back, least in pairs
        if contrast(colours[fore], colours[back]) < least
    ]
    assert not short


def test_a_ridden_stretch_was_once_too_close_to_the_track() -> None:
    # The orange it was drawn in, against the track's red: told apart by its dashes alone.
    assert contrast("#8a4b00", "#7a1f12") == pytest.approx(1.5, abs=0.1)
    for scheme in ("light", "dark"):
        colours = _schemes()[scheme]
        assert contrast(colours["vehicle"], colours["done"]) >= GRAPHIC, scheme


def test_the_dark_scheme_is_dark() -> None:
    dark = _schemes()["dark"]
    for ground in ("paper", "card", "sea", "land", "header"):
        assert _luminance(dark[ground]) < 0.05, ground
    assert _luminance(dark["ink"]) > 0.6
