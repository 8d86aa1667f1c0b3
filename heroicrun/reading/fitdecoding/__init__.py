"""FIT bytes into columns: the messages heroicrun reads, decoded a message type at a time.

`walk` goes over the messages once, noting where those worth decoding start and jumping over
the rest by their size; `columns` decodes each layout's messages together with numpy; `profile`
names the messages and fields read; `crc` checks the file. fitdecode, the reference decoder the
tests compare with, reads the same values message by message.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, NamedTuple

import numpy as np

from heroicrun.reading.fitdecoding import columns, walk
from heroicrun.reading.fitdecoding.columns import FloatArray, IntArray, Table
from heroicrun.reading.fitdecoding.walk import TooManyMessages

__all__ = ["FloatArray", "IntArray", "Stop", "Stream", "Table", "TooManyMessages", "decode"]


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
        """The messages of this name (see profile.MESSAGES); empty when there are none."""
        found = self.tables.get(name)
        return found if found is not None else Table(np.zeros(0, dtype=np.int64), {})


def decode(data: bytes, max_messages: int | None = None) -> Stream:
    """Every FIT file in `data`, as tables of the messages heroicrun reads; TooManyMessages
    past `max_messages` definitions and noted messages (what decoding holds in memory)."""
    walker = walk.Walk(data, max_messages)
    position = 0
    stop: Stop | None = None
    try:
        while position < len(data) or walker.files == 0:
            position = walker.file(position)
    except walk.Broken as broken:
        stop = Stop(broken.how, broken.offset)
    return Stream(
        columns.tables(walker), walker.files, walker.complete, walker.checksum_failed, stop
    )
