"""The noted messages of a walk, decoded a layout at a time into columns of numbers.

Each layout's messages are decoded together: a numpy structured view that takes every byte of
the file as the start of such a message, indexed by the real starts. Values that mean "invalid"
become NaN, and the profile's scale and offset apply.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from heroicrun.reading.fitdecoding.profile import (
    BASE_TYPES,
    COMPRESSED_SPEED_DISTANCE,
    MESSAGES,
    RECORD,
    TIMESTAMP,
    Field,
)
from heroicrun.reading.fitdecoding.walk import COMPRESSED, FieldLayout, Layout, Walk

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


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


def tables(walk: Walk) -> dict[str, Table]:
    """Decode the walk's noted messages into one table per kind heroicrun reads."""
    return _Tables(walk).build()


class _Tables:
    """Turns the walk's noted starts into decoded tables."""

    def __init__(self, walk: Walk) -> None:
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
