"""Pulling track points out of a checked XML document, fast.

A watch writes every point with the same elements in the same order, so the scanner learns that
layout from one point, compiles it into a single regular expression and lets `re.findall` read
a megabyte of points at a time in C. Each chunk is verified: the tags the matches hold, plus
those before the first point and after the last, must be every tag in the chunk; otherwise the
chunk is read point by point with a general tag walker, and the layout is learned again.
Both ways rest on what `xmlsafety.check` proved: the document is well formed and every "<"
starts a tag.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import field

from heroicrun.reading import tags
from heroicrun.reading.assembly import NAN, TrackAssembler
from heroicrun.values import frozen

CHUNK_BYTES = 1 << 20
# Real points have a few dozen tags. Compiling a layout costs about 9 µs per tag (9 ms at this
# cap); a point with more is left to the tag walker, so a hostile one cannot cost seconds.
MAX_LAYOUT_TAGS = 1024

# Finds the sports declared in data[start:end]: (offset of the declaring element, its name).
Declarations = Callable[[int, int], list[tuple[int, str | None]]]

POSITION_FIELDS = ("lat", "lon")
NUMBER_FIELDS = ("lat", "lon", "elevation", "heart_rate", "cadence", "distance")


@frozen
class Dialect:
    """What a format calls its points, segments and fields (local names, bytes)."""

    points: tuple[bytes, ...]
    segments: tuple[bytes, ...]
    attributes: dict[bytes, str]  # point attribute → field
    fields: dict[bytes, str]  # child element → field
    nested_fields: dict[tuple[bytes, bytes], str] = field(default_factory=dict)  # (parent, child)
    # Whether a point without a position is unusable (a GPX trkpt must have lat and lon), or
    # left for the format to judge (a TCX treadmill run has none on any point).
    needs_position: bool = True


@frozen(eq=False)
class _Layout:
    pattern: re.Pattern[bytes]
    groups: list[str | None]  # field of each capture group, None when ignored
    tags: int  # tags in one point, its own start and end tags included
    end_tag: bytes  # the literal that closes a point ("</trkpt>" or "/>")


def scan(
    data: bytes,
    dialect: Dialect,
    assembler: TrackAssembler,
    with_times: bool,
    declarations: Declarations | None = None,
) -> None:
    """Add every point of `data` to `assembler`, starting a segment at each segment tag.

    `declarations(start, end)` finds the elements in data[start:end] that declare a sport
    (a GPX `<trk>` with its `<type>`, a TCX `<Activity Sport=…>`): the points after each are
    of that sport.
    """
    boundaries = tags.start_tags(data, dialect.segments)
    legs = _legs(data, dialect, boundaries, declarations) if declarations else []
    # Cutting at each declaration as well keeps a range's points from straddling two sports.
    cuts = sorted({*boundaries, *(at for at, _ in legs)})
    starts = [0, *cuts]
    ends = [*cuts, len(data)]
    layout: _Layout | None = None
    passed = applied = -1  # the last declaration reached, and the last one given to assembler
    for start, end in zip(starts, ends, strict=True):
        while passed + 1 < len(legs) and legs[passed + 1][0] <= start:
            passed += 1
        if tags.first_start_tag(data, dialect.points, start, end) < 0:
            continue
        if passed != applied:
            # Only the declaration nearest before the points counts: a track with no points
            # declares nothing for the next one.
            assembler.start_leg(legs[passed][1])
            applied = passed
        assembler.start_segment()
        for chunk_start, chunk_end in _chunks(data, dialect.points, start, end):
            if layout is None:
                layout = _learn(data, chunk_start, chunk_end, dialect)
            if layout is not None:
                rows = layout.pattern.findall(data, chunk_start, chunk_end)
                if _all_matched(data, chunk_start, chunk_end, len(rows), layout, dialect):
                    _add_rows(rows, layout, assembler, with_times)
                    continue
            last = _walk(data, chunk_start, chunk_end, dialect, assembler, with_times)
            layout = _learn(data, last, chunk_end, dialect) if last >= 0 else None


def _legs(
    data: bytes, dialect: Dialect, boundaries: list[int], declarations: Declarations
) -> list[tuple[int, str | None]]:
    """Every declaration that can come before a point, in document order.

    A track or activity opens after the last point of the one before and before its own first
    point, so only the bytes between points are searched: the search stays off the points,
    however many there are.
    """
    found = []
    low = 0
    for start, end in zip([0, *boundaries], [*boundaries, len(data)], strict=True):
        first = tags.first_start_tag(data, dialect.points, start, end)
        if first < 0:
            continue  # no points here: its bytes are searched with the next range's
        found.extend(declarations(low, first))
        low = max(first, tags.last_start_tag(data, dialect.points, first, end))
    return found


def _all_matched(
    data: bytes, start: int, end: int, rows: int, layout: _Layout, dialect: Dialect
) -> bool:
    """Whether the layout's matches account for every tag of every point in the chunk.

    Each match holds exactly `layout.tags` tags and values hold no "<", so when the tags
    before the first point and after the last one plus the matched ones make up every "<"
    in the chunk, no point was skipped.
    """
    if rows == 0:
        return False
    head = tags.first_start_tag(data, dialect.points, start, end)
    tail = data.rfind(layout.end_tag, start, end) + len(layout.end_tag)
    outside = data.count(b"<", start, head) + data.count(b"<", tail, end)
    return rows * layout.tags + outside == data.count(b"<", start, end)


def point_offsets(data: bytes, dialect: Dialect) -> list[int]:
    """Byte offset of every point start tag, in document order (for line numbers)."""
    names = b"|".join(re.escape(name) for name in dialect.points)
    pattern = re.compile(rb"<" + tags.NAME + rb"(?:" + names + rb")[\s/>]")
    return [match.start() for match in pattern.finditer(data)]


def _chunks(
    data: bytes, points: Sequence[bytes], start: int, end: int
) -> Iterator[tuple[int, int]]:
    """Split [start, end) at point start tags into pieces of about CHUNK_BYTES."""
    while start < end:
        cut = (
            tags.first_start_tag(data, points, start + CHUNK_BYTES, end)
            if end - start > CHUNK_BYTES
            else -1
        )
        cut = end if cut < 0 else cut
        yield start, cut
        start = cut


def _learn(data: bytes, start: int, end: int, dialect: Dialect) -> _Layout | None:
    """Compile the layout of the first point in data[start:end] into a pattern, or None."""
    span = _point_span(data, dialect, start, end, MAX_LAYOUT_TAGS)
    if span is None:
        return None
    text = data[span[0] : span[1]]
    tokens = tags.TAG.findall(text)
    parts: list[bytes] = []
    groups: list[str | None] = []
    stack: list[bytes] = []
    for index, (slash, qname, attributes, self_closing, between) in enumerate(tokens):
        local = qname.rpartition(b":")[2]
        if index == 0:
            parts.append(b"<" + re.escape(qname))
            for name, double, single in tags.ATTRIBUTE.findall(attributes):
                quote = b'"' if double or not single else b"'"
                target = dialect.attributes.get(name.rpartition(b":")[2])
                value = rb'([^"<&]*)' if quote == b'"' else rb"([^'<&]*)"
                if target is None:
                    value = rb'"[^"]*"' if quote == b'"' else rb"'[^']*'"
                else:
                    value = quote + value + quote
                    groups.append(target)
                parts.append(rb"\s+" + re.escape(name) + rb"\s*=\s*" + value)
            if self_closing:
                parts.append(rb"\s*/>")
                return _Layout(re.compile(b"".join(parts)), groups, tags=1, end_tag=b"/>")
            parts.append(rb"\s*>")
            stack.append(local)
        else:
            parts.append(
                b"<" + slash + re.escape(qname) + re.escape(attributes) + self_closing + b">"
            )
            if slash:
                if stack:
                    stack.pop()
                if not stack:
                    end_tag = b"</" + qname + attributes + b">"
                    return _Layout(re.compile(b"".join(parts)), groups, index + 1, end_tag)
            elif not self_closing:
                stack.append(local)
        target = None
        if not slash and not self_closing and index > 0:
            parent = stack[-2] if len(stack) > 1 else b""
            target = dialect.nested_fields.get((parent, local)) or dialect.fields.get(local)
        if target is not None:
            parts.append(rb"([^<&]*)")
            groups.append(target)
        elif between.strip():
            parts.append(rb"[^<]*")
        else:
            parts.append(rb"\s*")
    return None  # the point never closed within the chunk


def _point_span(
    data: bytes, dialect: Dialect, start: int, end: int, max_tags: int | None = None
) -> tuple[int, int] | None:
    """(start, end) of the first whole point element in data[start:end].

    None when there is none, or when it holds more than `max_tags` tags.
    """
    at = tags.first_start_tag(data, dialect.points, start, end)
    if at < 0:
        return None
    depth = 0
    for count, match in enumerate(tags.TAG.finditer(data, at, end)):
        if max_tags is not None and count >= max_tags:
            return None
        slash, _qname, _attributes, self_closing = match.group(1, 2, 3, 4)
        if slash:
            depth -= 1
        elif not self_closing:
            depth += 1
        if depth == 0:
            return at, match.start() + match.group().find(b">") + 1
    return None


def _add_rows(
    rows: list[tuple[bytes, ...]] | list[bytes],
    layout: _Layout,
    assembler: TrackAssembler,
    with_times: bool,
) -> None:
    """Add the points a layout matched, converting whole columns at a time."""
    count = len(rows)
    if count == 0:
        return
    columns: dict[str, Sequence[bytes]] = {}
    if len(layout.groups) == 1:
        columns[layout.groups[0] or ""] = rows  # type: ignore[assignment]
    else:
        for target, values in zip(layout.groups, zip(*rows, strict=True), strict=True):
            if target is not None and target not in columns:
                columns[target] = values
    first_index = len(assembler)
    numbers: dict[str, list[float]] = {}
    bad: dict[int, str] = {}
    for target in NUMBER_FIELDS:
        column = columns.get(target)
        if column is None:
            numbers[target] = [NAN] * count
            continue
        try:
            numbers[target] = list(map(float, column))
        except ValueError:
            numbers[target] = [_number(text, target, i, bad) for i, text in enumerate(column)]
    times = columns.get("time") if with_times else None
    assembler.extend(
        numbers["lat"],
        numbers["lon"],
        list(times) if times is not None else [None] * count,
        numbers["elevation"],
        numbers["heart_rate"],
        numbers["cadence"],
        numbers["distance"] if "distance" in columns else None,
    )
    for offset, reason in bad.items():
        assembler.reject(first_index + offset, reason)


def _number(text: bytes, target: str, index: int, bad: dict[int, str]) -> float:
    """One value as a float; blank is absent, anything else unreadable rejects the point."""
    cleaned = text.strip()
    if b"&" in cleaned:
        cleaned = tags.text(cleaned).encode()
    if not cleaned:
        if target in POSITION_FIELDS:
            bad.setdefault(index, "has no position")
        return NAN
    try:
        return float(cleaned)
    except ValueError:
        shown = cleaned[:40].decode("utf-8", "replace")
        bad.setdefault(index, f'has {_LABELS[target]} "{shown}", which is not a number')
        return NAN


_LABELS = {
    "lat": "latitude",
    "lon": "longitude",
    "elevation": "elevation",
    "heart_rate": "heart rate",
    "cadence": "cadence",
    "distance": "distance",
}


def _walk(
    data: bytes,
    start: int,
    end: int,
    dialect: Dialect,
    assembler: TrackAssembler,
    with_times: bool,
) -> int:
    """Read every point of data[start:end] tag by tag; return where the last one starts."""
    last = -1
    position = start
    while True:
        span = _point_span(data, dialect, position, end)
        if span is None:
            return last
        last = span[0]
        values = _point_values(data[span[0] : span[1]], dialect)
        bad: dict[int, str] = {}
        numbers = {
            target: _number(values[target], target, 0, bad) if target in values else NAN
            for target in NUMBER_FIELDS
        }
        for target in POSITION_FIELDS:
            if target not in values and dialect.needs_position:
                bad.setdefault(0, "has no position")
        time = values.get("time") if with_times else None
        if time is not None and b"&" in time:
            time = tags.text(time).encode()
        assembler.add(
            numbers["lat"],
            numbers["lon"],
            time,
            numbers["elevation"],
            numbers["heart_rate"],
            numbers["cadence"],
            numbers["distance"],
        )
        if bad:
            assembler.reject(len(assembler) - 1, bad[0])
        position = span[1]


def _point_values(text: bytes, dialect: Dialect) -> dict[str, bytes]:
    """Field values of one point element (first occurrence of each field wins)."""
    values: dict[str, bytes] = {}
    stack: list[bytes] = []
    for index, (slash, qname, attributes, self_closing, between) in enumerate(
        tags.TAG.findall(text)
    ):
        local = qname.rpartition(b":")[2]
        if index == 0:
            for name, double, single in tags.ATTRIBUTE.findall(attributes):
                target = dialect.attributes.get(name.rpartition(b":")[2])
                if target is not None:
                    values.setdefault(target, double or single)
        if slash:
            if stack:
                stack.pop()
            continue
        if self_closing:
            continue
        stack.append(local)
        if index > 0:
            parent = stack[-2] if len(stack) > 1 else b""
            target = dialect.nested_fields.get((parent, local)) or dialect.fields.get(local)
            if target is not None:
                values.setdefault(target, between)
    return values


def has_point(data: bytes, dialect: Dialect) -> bool:
    """Whether the document holds at least one point element of this dialect."""
    return tags.first_start_tag(data, dialect.points, 0, len(data)) >= 0
