"""Checking that untrusted bytes are plain, well-formed XML before anything reads them.

One expat pass with no per-element handlers: it proves the document well formed (expat is the
floor of what a correct XML read costs in Python), while a DOCTYPE, and with it every entity
declaration and external reference, is refused the moment it appears. Depth is measured on the
bytes with numpy, since expat keeps no depth a handler-free pass could read.

Expat rescans an unfinished tag, comment or processing instruction from its start every time more
bytes arrive (CPython feeds it 1 MiB at a time), so one huge token costs time quadratic in its
length (a 120 MB attribute value takes seconds). No GPX or TCX token comes near MAX_TOKEN_BYTES;
a document whose parse position stays in one token for longer is refused.
"""

from __future__ import annotations

import re
from typing import NoReturn
from xml.parsers import expat

import numpy as np

from heroicrun.reading.errors import ReadError
from heroicrun.values import frozen

FEED_BYTES = 1 << 20
MAX_TOKEN_BYTES = 4 << 20  # a 30,000-namespace root tag is under 1 MiB
DEPTH_BLOCK_BYTES = 8 << 20

_LT, _GT, _SLASH, _BANG, _QUESTION = 60, 62, 47, 33, 63
# Comments, CDATA sections and processing instructions: the only places a "<" may not start a tag.
SPECIAL = re.compile(rb"<!--.*?-->|<!\[CDATA\[.*?\]\]>|<\?.*?\?>", re.DOTALL)
DECLARED_ENCODING = re.compile(rb"^(?:\xef\xbb\xbf)?\s*<\?xml[^>]*?encoding\s*=\s*[\"']([^\"']*)")


@frozen
class Checked:
    """A document expat accepted: its bytes ready for scanning and its root element."""

    data: bytes  # UTF-8 or another ASCII-compatible encoding, comments and CDATA neutralised
    root: str  # local name of the root element


class _Refused(Exception):
    def __init__(self, problem: str) -> None:
        self.problem = problem


def _refuse_dtd(*_: object) -> NoReturn:
    raise _Refused(
        "contains a DOCTYPE declaration; heroicrun refuses DTDs and entities in run files"
    )


def check(data: bytes, source: str, max_depth: int) -> Checked:
    """Return the document if it is well-formed XML without a DTD, else raise ReadError."""
    parser = expat.ParserCreate()
    root: list[str] = []

    def first_element(name: str, _attributes: object) -> None:
        root.append(name.rpartition(":")[2])
        parser.StartElementHandler = None  # one call is all this pass pays for

    parser.StartElementHandler = first_element
    parser.StartDoctypeDeclHandler = _refuse_dtd
    parser.EntityDeclHandler = _refuse_dtd
    parser.ExternalEntityRefHandler = _refuse_dtd
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    try:
        for start in range(0, len(data), FEED_BYTES):
            fed = data[start : start + FEED_BYTES]
            parser.Parse(fed, False)
            if start + len(fed) - parser.CurrentByteIndex > MAX_TOKEN_BYTES:
                raise _Refused(
                    f"has a single tag, comment or instruction longer than "
                    f"{MAX_TOKEN_BYTES >> 20} MiB; no GPX or TCX file holds one"
                )
        parser.Parse(b"", True)
    except _Refused as refused:
        raise ReadError(source, refused.problem, parser.CurrentLineNumber) from None
    except expat.ExpatError as error:
        raise ReadError(source, _describe(error, started=bool(root)), error.lineno) from None
    except (LookupError, ValueError):
        # Expat hands encodings it does not know to Python's codecs, which refuse unknown
        # names (LookupError), multi-byte encodings and bytes a codec cannot decode (ValueError).
        raise ReadError(source, _unreadable_encoding(data)) from None
    if not root:
        raise ReadError(source, "is not an XML document with elements")
    text = _ascii_compatible(data, source)
    declaration_end = (
        text.find(b"?>", 0, 512) + 2 if text[:8].lstrip(b"\xef\xbb\xbf").startswith(b"<?") else 0
    )
    depth, marked = _deepest(text, declaration_end)
    if marked:
        # A comment or CDATA section may hold a "<" that starts no tag: blank them, measure again.
        text = SPECIAL.sub(_blank, text)
        depth = deepest(text)
    if depth > max_depth:
        raise ReadError(
            source, f"nests elements {depth} deep; no GPX or TCX file goes past {max_depth}"
        )
    return Checked(text, root[0])


def _describe(error: expat.ExpatError, started: bool) -> str:
    codes = expat.errors.codes
    message = expat.ErrorString(error.code)
    if error.code == codes[expat.errors.XML_ERROR_NO_ELEMENTS]:
        # expat says "no element found" both for an empty file and for one that stops midway.
        return "ends too early: the XML is cut off" if started else "is empty: no XML in it"
    if error.code in (codes[expat.errors.XML_ERROR_UNCLOSED_TOKEN],):
        return f"ends too early: the XML is cut off ({message})"
    if error.code == codes[expat.errors.XML_ERROR_UNDEFINED_ENTITY]:
        return "uses an entity that is not defined"
    return f"is not well-formed XML ({message}, column {error.offset + 1})"


def _unreadable_encoding(data: bytes) -> str:
    """Say which declared character encoding cannot be read."""
    declared = DECLARED_ENCODING.match(data[:512])
    if declared is None:
        return "uses a character encoding heroicrun cannot read"
    name = declared[1].decode("ascii", "replace")
    shown = repr(name if len(name) <= 40 else name[:40] + "…")
    return f"declares the character encoding {shown}, which heroicrun cannot read"


def _ascii_compatible(data: bytes, source: str) -> bytes:
    """The document in an encoding where every "<" is byte 60 (UTF-16 and 32 are transcoded)."""
    head = data[:4]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in head:
        for encoding in ("utf-32", "utf-16"):
            try:
                return re.sub(
                    rb"^(<\?xml[^>]*?encoding\s*=\s*)[\"'][^\"']*[\"']",
                    rb'\1"utf-8"',
                    data.decode(encoding).encode("utf-8"),
                )
            except UnicodeError:
                continue
        raise ReadError(source, "uses a text encoding heroicrun cannot read")
    return data


def _blank(match: re.Match[bytes]) -> bytes:
    """Comments and instructions become spaces; CDATA becomes escaped text. Lines stay put."""
    chunk = match.group()
    if chunk.startswith(b"<![CDATA["):
        return chunk[9:-3].replace(b"&", b"&amp;").replace(b"<", b"&lt;")
    return re.sub(rb"[^\n]", b" ", chunk)


def deepest(data: bytes) -> int:
    """How deep elements nest, counted from the tag delimiters (comments already blanked).

    A "/>" inside an attribute value would be miscounted as a close; the count only guards
    against absurd nesting, so that is an acceptable blur.
    """
    return _deepest(data, len(data))[0]


def _deepest(data: bytes, marked_from: int) -> tuple[int, bool]:
    """`deepest`, and whether a comment, CDATA section, DOCTYPE or processing instruction
    ("<!", "<?") starts at or after `marked_from`: the same pass finds both."""
    depth = 0
    deepest_seen = 0
    marked = False
    view = np.frombuffer(data, dtype=np.uint8)
    for start in range(0, view.shape[0], DEPTH_BLOCK_BYTES):
        block = view[start : start + DEPTH_BLOCK_BYTES + 1]
        opens = np.flatnonzero(block[:-1] == _LT)
        if opens.shape[0] == 0:
            continue
        after = block[opens + 1]
        step = np.where(after == _SLASH, -1, 1)
        unusual = (after == _BANG) | (after == _QUESTION)
        step[unusual] = 0
        marked = marked or bool((opens[unusual] >= marked_from - start).any())
        slashes = np.flatnonzero(block[:-1] == _SLASH)
        self_closes = slashes[block[slashes + 1] == _GT]
        levels = depth + np.cumsum(step) - np.searchsorted(self_closes, opens)
        deepest_seen = max(deepest_seen, int(levels.max()))
        depth = int(levels[-1]) - int(np.count_nonzero(self_closes > opens[-1]))
    return deepest_seen, marked
