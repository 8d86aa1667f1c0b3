"""One pass over a FIT stream's messages: where each message worth decoding starts.

A FIT file is a header, then messages: a definition gives a local message type its layout
(global message number, byte order, fields with sizes and base types), and each data message of
that local type then has exactly that layout. So the walk only needs each message's size: it
notes where the wanted ones start and jumps over the rest.

A damaged or cut-short stream keeps every message read before the damage, and says where it
stopped in the same terms as fitdecode (the reference decoder): the byte at which the read that
failed began.
"""

from __future__ import annotations

import itertools
import struct
from array import array
from typing import Literal, NamedTuple

from heroicrun.reading.fitdecoding import crc
from heroicrun.reading.fitdecoding.profile import (
    COMPRESSED_SPEED_DISTANCE,
    MESSAGES,
    RECORD,
    TIMESTAMP,
)

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


class Broken(Exception):
    """Where and how the stream stopped making sense."""

    def __init__(self, how: Literal["cut short", "damaged"], offset: int | None) -> None:
        self.how: Literal["cut short", "damaged"] = how
        self.offset = offset


class TooManyMessages(Exception):
    """The file holds more messages worth decoding than the caller agreed to decode."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"more than {limit:,} messages")
        self.limit = limit


class Walk:
    """One pass over the messages, noting where each message worth decoding starts."""

    def __init__(self, data: bytes, max_messages: int | None = None) -> None:
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
        self.files = 0  # FIT headers read
        self.complete = False  # the last file read ended with its checksum
        self.checksum_failed = False

    def file(self, start: int) -> int:
        """Read the FIT file at `start`; return where the next one would begin."""
        data = self.data
        try:
            header_size, body_size = _header(data, start)
        except Broken:
            if self.files:
                # What follows a complete file is no FIT file: the data before it stands.
                raise Broken("damaged", None) from None
            raise
        if header_size >= 14:
            stored = int.from_bytes(data[start + 12 : start + 14], "little")
            if stored and stored != crc.crc16(data[start : start + 12]):
                self.checksum_failed = True
        self.files += 1
        self.complete = False
        self.file_starts.append(start)
        end = start + header_size + body_size
        self._body(start + header_size, end)
        if end + 2 > len(data):
            raise Broken("cut short", end)
        stored = int.from_bytes(data[end : end + 2], "little")
        if stored != crc.crc16(memoryview(data)[start:end]):
            self.checksum_failed = True
        self.complete = True
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
                raise Broken("damaged", position)  # a local type that was never defined
            position = self._definition(position, stop, sizes)
            checkpoint = position
        if position > stop:
            self._crossing(checkpoint, stop, sizes)
        if position < end:
            raise Broken("cut short", position)

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
                raise Broken("damaged", position)
            if position + size > stop:
                break
            position += size
        if self.starts and self.starts[-1] == position:
            self.starts.pop()
        if position + size <= len(data):
            raise Broken("damaged", position)  # it crosses the end the header declared
        layout = self._layout_at(position)
        read = position + 1  # fitdecode reads the header byte, then one field at a time
        for size in layout.sizes:
            if read + size > len(data):
                break
            read += size
        raise Broken("cut short", read)

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
        """Where the definition at `start` ends, or Broken if it runs past the data."""
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
        raise Broken("damaged", start)

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


def _header(data: bytes, start: int) -> tuple[int, int]:
    """The header's size and the size of the data after it, or Broken."""
    if len(data) - start < HEADER_BYTES:
        raise Broken("damaged", start)
    header_size, _, _, body_size, magic = struct.unpack_from("<BBHI4s", data, start)
    if magic != MAGIC or header_size < HEADER_BYTES or header_size == HEADER_BYTES + 1:
        raise Broken("damaged", start)
    if start + header_size > len(data):
        raise Broken("cut short", start + HEADER_BYTES)
    return header_size, body_size


def _need(data: bytes, begin: int, size: int) -> None:
    """The definition's next `size` bytes must be there."""
    if begin + size > len(data):
        raise Broken("cut short", begin)


def _need_fields(data: bytes, begin: int, count: int) -> int:
    """`count` field definitions of 3 bytes must be there; return where they end."""
    end = begin + 3 * count
    if end > len(data):
        raise Broken("cut short", begin + 3 * ((len(data) - begin) // 3))
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
