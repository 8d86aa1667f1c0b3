"""Where a GPX or TCX file declares a sport: the byte offset of each track or activity, and
the name it gives (`<trk><type>running</type>`, `<Activity Sport="Biking">`).

Only the few elements that open a track or an activity are visited, never the points: the
point scanner asks for the declarations in the stretches of bytes between one segment's last
point and the next segment (`pointscan.scan(..., declarations=...)`), and starts a leg when it
reaches each offset.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from heroicrun.reading import tags

# A track's own elements come before its first segment: name, description, links, type and
# extensions. Real ones hold a few dozen tags; a header longer than this declares nothing.
MAX_HEADER_TAGS = 256
# Longer than any sport's name; what is longer is not one.
MAX_NAME_CHARS = 64

Declaration = tuple[int, str | None]


def in_children(
    data: bytes,
    elements: Sequence[bytes],
    child: bytes,
    stop: Sequence[bytes],
    start: int = 0,
    end: int | None = None,
) -> list[Declaration]:
    """(offset, text of the `child` element directly inside) for each of `elements` that
    starts in data[start:end].

    The child is looked for among the element's own children, before the first of `stop`
    (its segments or points): a GPX track's `<type>`, not the `<type>` of one of its `<link>`s.
    """
    found: list[Declaration] = []
    for at in tags.start_tags(data, elements, start, end):
        found.append((at, _child_text(data, at, child, stop)))
    return found


def in_attributes(
    data: bytes,
    elements: Mapping[bytes, str | None],
    attribute: bytes,
    start: int = 0,
    end: int | None = None,
) -> list[Declaration]:
    """(offset, sport) for each of `elements` that starts in data[start:end]: the value of its
    `attribute`, or the sport the element always is (a TCX `<Transition>` is the transition of
    a multisport session)."""
    found: list[Declaration] = []
    for at in tags.start_tags(data, list(elements), start, end):
        tag = tags.TAG.match(data, at)
        if tag is None:
            continue
        fixed = elements.get(tag.group(2).rpartition(b":")[2])
        if fixed is not None:
            found.append((at, fixed))
            continue
        value = None
        for name, double, single in tags.ATTRIBUTE.findall(tag.group(3)):
            if name.rpartition(b":")[2] == attribute:
                value = _text(double or single)
                break
        found.append((at, value))
    return found


def _child_text(data: bytes, at: int, child: bytes, stop: Sequence[bytes]) -> str | None:
    depth = 0
    for count, tag in enumerate(tags.TAG.finditer(data, at)):
        if count >= MAX_HEADER_TAGS:
            return None
        slash, qname, _attributes, self_closing, between = tag.groups()
        local = qname.rpartition(b":")[2]
        if count == 0:
            if self_closing:
                return None  # an empty element declares nothing
            depth = 1
            continue
        if slash:
            depth -= 1
            if depth <= 0:
                return None  # the element closed without declaring
            continue
        if local in stop:
            return None
        if depth == 1 and local == child and not self_closing:
            return _text(between)
        if not self_closing:
            depth += 1
    return None


def _text(raw: bytes) -> str | None:
    text = tags.text(raw).strip()
    return text if text and len(text) <= MAX_NAME_CHARS else None
