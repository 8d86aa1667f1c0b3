"""FIT bytes into columns: the messages heroicrun reads, decoded a message type at a time.

A FIT file is a header, then messages: a definition gives a local message type its layout
(global message number, byte order, fields with sizes and base types), and each data message of
that local type then has exactly that layout. So one walk over the messages only needs each
message's size; it notes where the wanted ones start and jumps over the rest. Each layout's
messages are then decoded together: a numpy structured view over the bytes, indexed by their
starts. Field values that mean "invalid" become NaN.

A damaged or cut-short stream keeps every message read before the damage, and says where it
stopped, in the same terms as fitdecode (the reference decoder): the byte at which the read
that failed began.
"""

from __future__ import annotations

import itertools
import struct
from array import array
from dataclasses import dataclass, field
from typing import Literal, NamedTuple

import numpy as np
import numpy.typing as npt

from heroicrun.reading import fitcrc
from heroicrun.reading.fitprofile import (
    BASE_TYPES,
    COMPRESSED_SPEED_DISTANCE,
    MESSAGES,
    RECORD,
    TIMESTAMP,
    Field,
)

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

HEADER_BYTES = 12  # size, protocol, profile, data size, ".FIT" (then 2 bytes of CRC, usually)
MAGIC = b".FIT"
COMPRESSED = 0x80  # a data message whose header carries a 5-bit time offset
DEFINITION = 0x40
DEVELOPER = 0x20  # a definition followed by developer fields
STRETCH_BYTES = 1 << 20


class FieldLayout(NamedTuple):
    number: int
    offset: int  # from the start of the message, its header byte included
    size: int
    base: int  # base type byte


class Layout(NamedTuple):
    """What a definition says every message of its local type looks like."""

    global_number: int
    little_endian: bool
    size: int  # the whole message, header byte and developer fields included
    fields: tuple[FieldLayout, ...]  # those heroicrun may decode
    sizes: bytes  # every field's size in order, developer fields last (they are skipped)


@dataclass(frozen=True)
class Table:
    """Messages of one kind, in file order: where each starts, and one column per field."""

    offset: IntArray
    columns: dict[str, FloatArray]

    def __len__(self) -> int:
        return int(self.offset.shape[0])

    def column(self, name: str) -> FloatArray:
        """The field's values (profile units, NaN where absent or invalid)."""
        found = self.columns.get(name)
        return found if found is not None else np.full(len(self), np.nan)


class Stop(NamedTuple):
    """Why decoding stopped before the end of the bytes."""

    how: Literal["cut short", "damaged"]
    offset: int | None  # the byte at which the failed read began


@dataclass
class Stream:
    """A decoded FIT stream (usually one FIT file; chained files follow each other)."""

    tables: dict[str, Table] = field(default_factory=dict)
    files: int = 0  # FIT headers read
    complete: bool = False  # the last file read ended with its checksum
    checksum_failed: bool = False
    stop: Stop | None = None

    def table(self, name: str) -> Table:
        """The messages of this name (see fitprofile.MESSAGES); empty when there are none."""
        found = self.tables.get(name)
        return found if found is not None else Table(np.zeros(0, dtype=np.int64), {})


class _Broken(Exception):
    def __init__(self, how: Literal["cut short", "damaged"], offset: int | None) -> None:
        self.how: Literal["cut short", "damaged"] = how
        self.offset = offset


class TooManyMessages(Exception):
    """The file holds more messages worth decoding than the caller agreed to decode."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"more than {limit:,} messages")
        self.limit = limit


def decode(data: bytes, max_messages: int | None = None) -> Stream:
    """Every FIT file in `data`, as tables of the messages heroicrun reads; TooManyMessages
    past `max_messages` definitions and noted messages (what decoding holds in memory)."""
    walk = _Walk(data, max_messages)
    stream = Stream()
    position = 0
    try:
        while position < len(data) or stream.files == 0:
            position = walk.file(position, stream)
    except _Broken as broken:
        stream.stop = Stop(broken.how, broken.offset)
    stream.tables = walk.tables()
    return stream


class _Walk:
    """One pass over the messages, noting where each message worth decoding starts."""

    def __init__(self, data: bytes, max_messages: int | None) -> None:
        self.data = data
        self.max_messages = len(data) if max_messages is None else max_messages
        self.starts = array("q")  # wanted messages, and any that carry a time
        # Each definition that changed a local type's layout: where, which local type, which.
        self.definition_starts = array("q")
        self.definition_locals = array("q")
        self.definition_layouts = array("q")
        self.defined: dict[int, int] = {}  # local type → layout id, as last defined
        self.layouts: list[Layout] = []
        self.signed_sizes: list[int] = []  # per layout: its size, negative when not noted
        self.compressed_sizes: list[list[int]] = []  # per layout: its size 32 times
        self.layout_ids: dict[tuple[bytes, int], int] = {}
        self.file_starts: list[int] = []

    def file(self, start: int, stream: Stream) -> int:
        """Read the FIT file at `start`; return where the next one would begin."""
        data = self.data
        try:
            header_size, body_size = _header(data, start)
        except _Broken:
            if stream.files:
                # What follows a complete file is no FIT file: the data before it stands.
                raise _Broken("damaged", None) from None
            raise
        if header_size >= 14:
            stored = int.from_bytes(data[start + 12 : start + 14], "little")
            if stored and stored != fitcrc.crc16(data[start : start + 12]):
                stream.checksum_failed = True
        stream.files += 1
        stream.complete = False
        self.file_starts.append(start)
        end = start + header_size + body_size
        self._body(start + header_size, end)
        if end + 2 > len(data):
            raise _Broken("cut short", end)
        stored = int.from_bytes(data[end : end + 2], "little")
        if stored != fitcrc.crc16(memoryview(data)[start:end]):
            stream.checksum_failed = True
        stream.complete = True
        return end + 2

    def _body(self, start: int, end: int) -> None:
        """Walk the messages from `start` up to `end`, where the header says the data ends."""
        data = self.data
        stop = min(end, len(data))
        # Message size by header byte: positive for messages to note, negative for messages to
        # jump over, 0 for definitions and for local types not yet defined.
        sizes = [0] * 256
        append = self.starts.append
        position = start
        checkpoint = start
        while True:
            # A stretch at a time, so that a flood of tiny messages is counted as it grows.
            limit = min(stop, position + STRETCH_BYTES)
            while position < limit:
                size = sizes[data[position]]
                if size > 0:
                    append(position)
                    position += size
                elif size < 0:
                    position -= size
                else:
                    break
            else:
                self._count()
                if position >= stop:
                    break
                continue
            if data[position] & (COMPRESSED | DEFINITION) != DEFINITION:
                raise _Broken("damaged", position)  # a local type that was never defined
            position = self._definition(position, stop, sizes)
            checkpoint = position
        if position > stop:
            self._crossing(checkpoint, stop, sizes)
        if position < end:
            raise _Broken("cut short", position)

    def _count(self) -> None:
        if len(self.starts) + len(self.definition_starts) > self.max_messages:
            raise TooManyMessages(self.max_messages)

    def _crossing(self, checkpoint: int, stop: int, sizes: list[int]) -> None:
        """The last message runs past the end of the data: find it, unnote it, say why."""
        data = self.data
        position = self.starts[-1] if self.starts and self.starts[-1] >= checkpoint else checkpoint
        while True:
            size = abs(sizes[data[position]])
            if not size:  # cannot happen after a walk that went past `stop`; never loop on it
                raise _Broken("damaged", position)
            if position + size > stop:
                break
            position += size
        if self.starts and self.starts[-1] == position:
            self.starts.pop()
        if position + size <= len(data):
            raise _Broken("damaged", position)  # it crosses the end the header declared
        layout = self._layout_at(position)
        read = position + 1  # fitdecode reads the header byte, then one field at a time
        for size in layout.sizes:
            if read + size > len(data):
                break
            read += size
        raise _Broken("cut short", read)

    def _layout_at(self, position: int) -> Layout:
        header = self.data[position]
        local = (header >> 5) & 3 if header & COMPRESSED else header & 0xF
        for index in reversed(range(len(self.definition_starts))):
            if self.definition_locals[index] == local and self.definition_starts[index] < position:
                return self.layouts[self.definition_layouts[index]]
        raise AssertionError("a message is only walked once its local type is defined")

    def _definition(self, start: int, stop: int, sizes: list[int]) -> int:
        """Read the definition at `start`, update `sizes`, and return where it ends."""
        data = self.data
        header = data[start]
        end = self._definition_end(start, stop)
        key = (data[start + 2 : end], header & DEVELOPER)
        layout_id = self.layout_ids.get(key)
        if layout_id is None:
            layout_id = self._new_layout(start, key)
        local = header & 0xF
        if self.defined.get(local) != layout_id:  # devices often repeat a definition as it was
            self.defined[local] = layout_id
            self.definition_starts.append(start)
            self.definition_locals.append(local)
            self.definition_layouts.append(layout_id)
            self._count()
        size = self.signed_sizes[layout_id]
        sizes[local] = sizes[local | 0x10] = sizes[local | 0x20] = sizes[local | 0x30] = size
        if local < 4:
            # Compressed-time messages are always noted: they move the clock on.
            first = COMPRESSED | (local << 5)
            sizes[first : first + 32] = self.compressed_sizes[layout_id]
        return end

    def _definition_end(self, start: int, stop: int) -> int:
        """Where the definition at `start` ends, or _Broken if it runs past the data."""
        data = self.data
        if start + 6 <= stop:
            end = start + 6 + 3 * data[start + 5]
            if data[start] & DEVELOPER:
                end = end + 1 + 3 * data[end] if end < stop else stop + 1
            if end <= stop:
                return end
        # Past the data, or past the end the header declared: say where, as fitdecode does.
        _need(data, start + 1, 5)
        end = _need_fields(data, start + 6, data[start + 5])
        if data[start] & DEVELOPER:
            _need(data, end, 1)
            _need_fields(data, end + 1, data[end])
        raise _Broken("damaged", start)

    def _new_layout(self, start: int, key: tuple[bytes, int]) -> int:
        data = self.data
        little = data[start + 2] == 0
        global_number = int.from_bytes(data[start + 3 : start + 5], "little" if little else "big")
        count = data[start + 5]
        developer_sizes: tuple[int, ...] = ()
        if data[start] & DEVELOPER:
            developer_start = start + 7 + 3 * count
            developer_count = data[developer_start - 1]
            developer_sizes = tuple(
                data[developer_start + 3 * index + 1] for index in range(developer_count)
            )
        layout = _layout(data, start + 6, global_number, little, count, developer_sizes)
        noted = layout.global_number in MESSAGES or any(
            f.number == TIMESTAMP and f.size == 4 for f in layout.fields
        )
        self.layouts.append(layout)
        self.signed_sizes.append(layout.size if noted else -layout.size)
        self.compressed_sizes.append([layout.size] * 32)
        self.layout_ids[key] = len(self.layouts) - 1
        return len(self.layouts) - 1

    def tables(self) -> dict[str, Table]:
        """Decode the noted messages, a layout at a time, into one table per wanted kind."""
        return _Tables(self).build()


def _header(data: bytes, start: int) -> tuple[int, int]:
    """The header's size and the size of the data after it, or _Broken."""
    if len(data) - start < HEADER_BYTES:
        raise _Broken("damaged", start)
    header_size, _, _, body_size, magic = struct.unpack_from("<BBHI4s", data, start)
    if magic != MAGIC or header_size < HEADER_BYTES or header_size == HEADER_BYTES + 1:
        raise _Broken("damaged", start)
    if start + header_size > len(data):
        raise _Broken("cut short", start + HEADER_BYTES)
    return header_size, body_size


def _need(data: bytes, begin: int, size: int) -> None:
    """The definition's next `size` bytes must be there."""
    if begin + size > len(data):
        raise _Broken("cut short", begin)


def _need_fields(data: bytes, begin: int, count: int) -> int:
    """`count` field definitions of 3 bytes must be there; return where they end."""
    end = begin + 3 * count
    if end > len(data):
        raise _Broken("cut short", begin + 3 * ((len(data) - begin) // 3))
    return end


def _layout(
    data: bytes,
    fields_start: int,
    global_number: int,
    little: bool,
    count: int,
    developer_sizes: tuple[int, ...],
) -> Layout:
    end = fields_start + 3 * count
    numbers = data[fields_start:end:3]
    sizes = data[fields_start + 1 : end : 3]
    bases = data[fields_start + 2 : end : 3]
    offsets = itertools.accumulate(sizes, initial=1)
    # Only the fields something may decode are kept by name; unknown messages have dozens.
    wanted = {TIMESTAMP, *MESSAGES.get(global_number, ("", {}))[1]}
    if global_number == RECORD:
        wanted.add(COMPRESSED_SPEED_DISTANCE)
    fields = tuple(
        FieldLayout(number, offset, size, base)
        for number, offset, size, base in zip(numbers, offsets, sizes, bases, strict=False)
        if number in wanted
    )
    size = 1 + sum(sizes) + sum(developer_sizes)
    return Layout(global_number, little, size, fields, sizes + bytes(developer_sizes))


class _Tables:
    """Turns the walk's noted starts into decoded tables."""

    def __init__(self, walk: _Walk) -> None:
        self.walk = walk
        self.buffer = np.frombuffer(walk.data, dtype=np.uint8)
        self.starts = np.frombuffer(walk.starts, dtype=np.int64)
        self.layout_of = self._layouts()

    def _layouts(self) -> IntArray:
        """Which layout each noted message has: its local type's last definition before it."""
        starts = self.starts
        layout_of = np.zeros(starts.shape[0], dtype=np.int64)
        if not starts.shape[0]:
            return layout_of
        headers = self.buffer[starts]
        local = np.where(headers & COMPRESSED, (headers >> 5) & 3, headers & 0xF)
        walk = self.walk
        definition_starts = np.frombuffer(walk.definition_starts, dtype=np.int64)
        definition_locals = np.frombuffer(walk.definition_locals, dtype=np.int64)
        definition_layouts = np.frombuffer(walk.definition_layouts, dtype=np.int64)
        for value in np.flatnonzero(np.bincount(local, minlength=16)).tolist():
            mine = local == value
            defined = definition_locals == value
            which = np.searchsorted(definition_starts[defined], starts[mine], side="right") - 1
            layout_of[mine] = definition_layouts[defined][which]
        return layout_of

    def build(self) -> dict[str, Table]:
        times = self._times()
        tables: dict[str, Table] = {}
        layouts = self.walk.layouts
        for number, (name, wanted) in MESSAGES.items():
            ids = [i for i, layout in enumerate(layouts) if layout.global_number == number]
            if not ids:
                continue
            mine = np.isin(self.layout_of, ids)
            if not mine.any():
                continue
            index = np.flatnonzero(mine)
            columns: dict[str, FloatArray] = {}
            for layout_id in ids:
                rows = np.flatnonzero(self.layout_of[index] == layout_id)
                if not rows.shape[0]:
                    continue
                values = self._decode(layouts[layout_id], self.starts[index[rows]], wanted)
                for key, column in values.items():
                    target = columns.get(key)
                    if target is None:
                        target = columns[key] = np.full(index.shape[0], np.nan)
                    target[rows] = column
            if TIMESTAMP in wanted:
                columns[wanted[TIMESTAMP].name] = times[index]
            if number == RECORD and "compressed_distance" in columns:
                columns["compressed_distance"] = self._accumulate(
                    columns["compressed_distance"], self.starts[index]
                )
            tables[name] = Table(self.starts[index], columns)
        return tables

    def _decode(
        self, layout: Layout, starts: IntArray, wanted: dict[int, Field]
    ) -> dict[str, FloatArray]:
        """The wanted fields of these messages (all of one layout), as float columns."""
        picked: dict[str, tuple[FieldLayout, Field]] = {}
        packed: FieldLayout | None = None
        for field_layout in layout.fields:
            spec = wanted.get(field_layout.number)
            if field_layout.number == COMPRESSED_SPEED_DISTANCE and layout.global_number == RECORD:
                packed = field_layout if field_layout.size == 3 else packed
            elif spec is not None and field_layout.number != TIMESTAMP:
                # A field defined twice: the first counts, as fitdecode lists it first.
                picked.setdefault(spec.name, (field_layout, spec))
        columns = _numbers(self.walk.data, layout, starts, picked)
        if packed is not None:
            columns["compressed_distance"] = self._packed_distance(layout, starts, packed)
        return columns

    def _packed_distance(self, layout: Layout, starts: IntArray, packed: FieldLayout) -> FloatArray:
        """The distance half of compressed_speed_distance: 12 bits, little-endian, in 1/16 m."""
        view = _view(self.walk.data, layout.size, ["p"], ["(3,)u1"], [packed.offset])
        raw = view[starts]["p"].astype(np.int64)
        value = raw[:, 0] | (raw[:, 1] << 8) | (raw[:, 2] << 16)
        steps = ((value >> 12) & 0xFFF).astype(np.float64)
        steps[value == 0xFFFFFF] = np.nan
        return steps

    def _times(self) -> FloatArray:
        """Each noted message's time in FIT seconds (NaN if none), compressed times included."""
        times = np.full(self.starts.shape[0], np.nan)
        stamp = Field("t")
        for layout_id, layout in enumerate(self.walk.layouts):
            found = next((f for f in layout.fields if f.number == TIMESTAMP and f.size == 4), None)
            if found is None:
                continue
            rows = np.flatnonzero(self.layout_of == layout_id)
            if rows.shape[0]:
                column = _numbers(self.walk.data, layout, self.starts[rows], {"t": (found, stamp)})
                times[rows] = column.get("t", np.nan)
        headers = self.buffer[self.starts]
        if (headers & COMPRESSED).any():
            self._compressed_times(times, headers)
        return times

    def _compressed_times(self, times: FloatArray, headers: npt.NDArray[np.uint8]) -> None:
        """A compressed header's 5 bits count on from the last full time (a rolling clock)."""
        file_of = np.searchsorted(np.array(self.walk.file_starts), self.starts, side="right")
        compressed = (headers & COMPRESSED) != 0
        involved = np.flatnonzero(compressed | np.isfinite(times))
        clock = 0
        file = -1
        for index, own, is_compressed, in_file, header in zip(
            involved.tolist(),
            times[involved].tolist(),
            compressed[involved].tolist(),
            file_of[involved].tolist(),
            headers[involved].tolist(),
            strict=True,
        ):
            if in_file != file:
                file, clock = in_file, 0
            if own == own:  # not NaN
                clock = int(own)
            if is_compressed:
                offset = header & 0x1F
                value = offset + (clock & ~0x1F)
                if offset < clock & 0x1F:
                    value += 0x20
                clock = value
                if own != own:
                    times[index] = value

    def _accumulate(self, raw: FloatArray, starts: IntArray) -> FloatArray:
        """Distances packed in 12 bits count on from the record before (metres)."""
        distance = np.full(raw.shape[0], np.nan)
        file_of = np.searchsorted(np.array(self.walk.file_starts), starts, side="right")
        for file in np.unique(file_of).tolist():
            rows = np.flatnonzero((file_of == file) & np.isfinite(raw))
            if not rows.shape[0]:
                continue
            values = raw[rows].astype(np.int64)
            steps = np.diff(values) % 4096
            distance[rows] = np.concatenate(([values[0]], values[0] + np.cumsum(steps))) / 16
        return distance


def _numbers(
    data: bytes, layout: Layout, starts: IntArray, picked: dict[str, tuple[FieldLayout, Field]]
) -> dict[str, FloatArray]:
    """Numeric fields of messages of one layout, scaled, NaN where the value means "invalid"."""
    names, formats, offsets, specs = [], [], [], []
    order = "<" if layout.little_endian else ">"
    for name, (field_layout, spec) in picked.items():
        base = BASE_TYPES.get(field_layout.base & 0x1F)
        if base is None or base[1] != field_layout.size:
            continue  # text, bytes or an array: not a number heroicrun reads
        kind, size, invalid = base
        names.append(name)
        formats.append(order + kind if size > 1 else kind)
        offsets.append(field_layout.offset)
        specs.append((spec, invalid))
    if not names:
        return {}
    rows = _view(data, layout.size, names, formats, offsets)[starts]
    columns: dict[str, FloatArray] = {}
    for name, (spec, invalid) in zip(names, specs, strict=True):
        raw = rows[name]
        column = raw.astype(np.float64)
        if invalid is not None:
            column[raw == invalid] = np.nan
        if spec.scale != 1:
            column /= spec.scale
        if spec.offset:
            column -= spec.offset
        columns[name] = column
    return columns


def _view(
    data: bytes, size: int, names: list[str], formats: list[str], offsets: list[int]
) -> npt.NDArray[np.void]:
    """Every byte of `data` as the start of a message of this layout; index it by real starts."""
    dtype = np.dtype({"names": names, "formats": formats, "offsets": offsets, "itemsize": size})
    count = max(len(data) - size + 1, 0)
    return np.ndarray(shape=(count,), dtype=dtype, buffer=data, strides=(1,))
