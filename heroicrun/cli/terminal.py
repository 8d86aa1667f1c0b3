"""Writing to a terminal without rich: styles, width, aligned columns, a framed panel.

`heroicrun check` is the command a runner waits on after every run, and rich costs it more to
import and lay out than measuring an hour's run; its output is a few aligned columns and one
frame, which this module draws. Colour follows the conventions rich follows: only on a terminal,
never with NO_COLOR or TERM=dumb, always with FORCE_COLOR.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import textwrap
import unicodedata
from collections.abc import Sequence
from typing import TextIO

# Select Graphic Rendition codes of the few styles heroicrun's text uses.
_SGR = {"bold": "1", "dim": "2", "italic": "3", "red": "31", "yellow": "33"}

Segment = tuple[str, str]  # text, and its style: space-separated names of _SGR, or ""


def print_json(value: object) -> None:
    """Write `value` as indented JSON to stdout; NaN can never slip through."""
    sys.stdout.write(json.dumps(value, indent=2, ensure_ascii=False, allow_nan=False) + "\n")


def cells(text: str) -> int:
    """How many terminal columns `text` takes: East Asian wide characters take two."""
    if text.isascii():
        return len(text)
    return sum(
        0 if unicodedata.combining(char) else 2 if unicodedata.east_asian_width(char) in "WF" else 1
        for char in text
    )


def wrap(text: str, width: int, hang: str = "") -> list[str]:
    """`text` cut into lines of at most `width` columns (at spaces, or inside a long word),
    the lines after the first starting with `hang`."""
    lines = textwrap.wrap(text, max(width, 8), subsequent_indent=hang, break_on_hyphens=False)
    return lines or [""]


class Terminal:
    """One output stream: how wide it is, whether it takes colour, and lines written to it."""

    def __init__(self, stream: TextIO, width: int | None = None, colour: bool | None = None):
        self.stream = stream
        self.width = width or _columns()
        self.colour = _colour_wanted(stream) if colour is None else colour

    def paint(self, text: str, style: str) -> str:
        """`text` in `style`, when this terminal shows colour."""
        if not (self.colour and style and text):
            return text
        codes = ";".join(_SGR[name] for name in style.split())
        return f"\x1b[{codes}m{text}\x1b[0m"

    def line(self, *segments: Segment) -> None:
        """Write one line made of styled segments."""
        self.stream.write("".join(self.paint(text, style) for text, style in segments) + "\n")

    def columns(
        self,
        header: Sequence[str],
        rows: Sequence[Sequence[str]],
        right: Sequence[bool],
        title: str = "",
        indent: int = 2,
    ) -> None:
        """Rows under a bold header, each column as wide as its widest cell, two spaces apart;
        right-aligned where `right` says. The last column wraps to the terminal's width."""
        widths = [max(cells(row[c]) for row in (header, *rows)) for c in range(len(header))]
        fixed = indent + sum(widths[:-1]) + 2 * (len(widths) - 1)
        widths[-1] = min(widths[-1], max(self.width - fixed, 12))
        if title:
            self.line((title, "italic"))
        self.line((self._row(header, widths, right, indent), "bold"))
        for row in rows:
            last = wrap(row[-1], widths[-1])
            self.line((self._row([*row[:-1], last[0]], widths, right, indent), ""))
            for more in last[1:]:
                self.line((" " * fixed + more, ""))

    def panel(self, title: Sequence[Segment], lines: Sequence[Sequence[Segment]]) -> None:
        """Lines in a frame with the title in its top edge, as wide as they need (long lines
        wrap to fit the terminal)."""
        inner = self.width - 4
        fitted: list[Sequence[Segment]] = []
        for segments in lines:
            if sum(cells(text) for text, _ in segments) <= inner:
                fitted.append(segments)
            else:  # one style for the wrapped sentence: the first segment's
                text = "".join(text for text, _ in segments)
                # A bulleted sentence ("• …", "⚑ …") continues under its first word.
                hang = "  " if text[1:2] == " " and not text[0].isalnum() else ""
                fitted.extend([(part, segments[0][1])] for part in wrap(text, inner, hang))
        size = max([sum(cells(text) for text, _ in line) for line in fitted] or [0])
        title_cells = sum(cells(text) for text, _ in title)
        size = min(max(size, title_cells + 2), inner)
        top_fill = max(size - title_cells - 1, 1)
        self.line(("╭─ ", ""), *title, (" " + "─" * top_fill + "╮", ""))
        for segments in fitted:
            pad = size - sum(cells(text) for text, _ in segments)
            self.line(("│ ", ""), *segments, (" " * pad + " │", ""))
        self.line(("╰" + "─" * (size + 2) + "╯", ""))

    @staticmethod
    def _row(
        values: Sequence[str], widths: Sequence[int], right: Sequence[bool], indent: int
    ) -> str:
        padded = [
            " " * (width - cells(value)) + value
            if at_right
            else value + " " * (width - cells(value))
            for value, width, at_right in zip(values, widths, right, strict=True)
        ]
        return (" " * indent + "  ".join(padded)).rstrip()


def _columns() -> int:
    # COLUMNS first, as rich and the shells do; then the terminal; then 80.
    return shutil.get_terminal_size((80, 24)).columns or 80


def _colour_wanted(stream: TextIO) -> bool:
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    if os.environ.get("TERM") == "dumb":
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())
