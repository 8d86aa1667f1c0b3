"""The device or app that recorded a file, as a short name a runner recognises.

A file says it in its own way: a GPX's `creator`, a TCX activity's `<Creator><Name>`, a FIT's
manufacturer and product numbers (named in heroicrun.reading.fitdevices). Names come from the
file, so they are untrusted text: control characters go, runs of spaces become one, and a name
is cut to MAX_CHARS.
"""

from __future__ import annotations

import re

MAX_CHARS = 60
# C0 and C1 controls, and the Unicode marks that change which way text runs, each to a space: a
# table for str.translate, since compiling a regex would cost every `check` a millisecond.
UNPRINTABLE = dict.fromkeys(
    [
        *range(0x20),
        *range(0x7F, 0xA0),
        *range(0x200B, 0x2010),
        *range(0x202A, 0x202F),
        *range(0x2066, 0x206A),
        0xFEFF,
    ],
    " ",
)
# An app's web address after its name ("Movescount - http://www.movescount.com") says nothing
# more to a runner. Compiled (and cached by `re`) only when a name holds one.
ADDRESS = r"\s*(?:[-–,]\s*)?\(?(?:https?://|www\.)\S*"


def clean(raw: str | None) -> str | None:
    """A name fit to show: no controls, single spaces, no web address, at most MAX_CHARS;
    None when nothing is left."""
    if raw is None:
        return None
    text = " ".join(raw.translate(UNPRINTABLE).split())
    if "://" in text or "www." in text:
        text = re.sub(ADDRESS, "", text).strip(" -–,")
    if len(text) > MAX_CHARS:
        text = text[: MAX_CHARS - 1].rstrip() + "…"
    return text or None
