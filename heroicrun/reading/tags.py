"""Finding elements by name in checked XML bytes, without parsing them.

What `xmlsafety.check` proved makes this safe: the document is well formed, and every "<"
starts a tag (comments and CDATA were neutralised).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

NAME = rb"(?:[A-Za-z_][\w.\-]*:)?"  # an optional namespace prefix
ATTRIBUTES = rb"""(?:[^>"'/]|/(?!>)|"[^"]*"|'[^']*')*"""
TAG = re.compile(rb"<(/?)([A-Za-z_][\w.\-:]*)(" + ATTRIBUTES + rb")(/?)>([^<]*)")
ATTRIBUTE = re.compile(rb"""([\w.\-:]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")


def start_tags(
    data: bytes, names: Sequence[bytes], start: int = 0, end: int | None = None
) -> list[int]:
    """Offsets of start tags with these local names in data[start:end], in document order."""
    found = []
    for name in names:
        # One literal per pattern lets the regex engine skip ahead in C; "Track" must not
        # stop at every "Trackpoint", hence the terminator class.
        pattern = re.compile(re.escape(name) + rb"[\s/>]")
        for match in pattern.finditer(data, start, len(data) if end is None else end):
            begin = opening(data, match.start(), len(name))
            if begin >= 0 and data[begin + 1 : begin + 2] != b"/":
                found.append(begin)
    return sorted(found)


def opening(data: bytes, at: int, length: int) -> int:
    """Where the tag whose name (after any prefix) starts at `at` begins, or -1 if not a tag."""
    after = data[at + length : at + length + 1]
    if after not in (b">", b"/", b" ", b"\t", b"\n", b"\r"):
        return -1
    back = at - 1
    while back >= 0 and at - back < 64:
        char = data[back : back + 1]
        if char == b"<":
            return back
        if char == b"/" and data[back - 1 : back] == b"<":
            return back - 1
        if not (char.isalnum() or char in b"_-.:"):
            return -1
        back -= 1
    return -1


def first_start_tag(data: bytes, names: Sequence[bytes], start: int, end: int) -> int:
    """Where the first start tag with one of these local names in data[start:end] begins, or -1."""
    for name in names:
        at = data.find(name, start, end)
        while at >= 0:
            begin = opening(data, at, len(name))
            if begin >= 0 and data[begin + 1 : begin + 2] != b"/":
                return begin
            at = data.find(name, at + len(name), end)
    return -1


def last_start_tag(data: bytes, names: Sequence[bytes], start: int, end: int) -> int:
    """Where the last start tag with one of these local names in data[start:end] begins, or -1."""
    last = -1
    for name in names:
        at = data.rfind(name, start, end)
        while at >= 0:
            begin = opening(data, at, len(name))
            if begin >= 0 and data[begin + 1 : begin + 2] != b"/":
                last = max(last, begin)
                break
            at = data.rfind(name, start, at)
    return last


def text(raw: bytes) -> str:
    """Text between tags or in an attribute, decoded (bytes that are not UTF-8 replaced) and
    with its character references ("&amp;", "&#233;") resolved."""
    decoded = raw.decode("utf-8", "replace")
    if "&" not in decoded:
        return decoded  # all html.unescape would do, and html costs a millisecond to import
    import html

    return html.unescape(decoded)
