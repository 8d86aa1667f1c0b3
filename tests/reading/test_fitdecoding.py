"""heroicrun's FIT decoder against fitdecode, the reference: the same values, message by message,
and the same place and kind of stop when a file is cut short or damaged."""

from __future__ import annotations

import io
import math
import struct
from collections.abc import Callable
from pathlib import Path

import fitdecode
import numpy as np
import pytest

from benchmarks import generate
from heroicrun.reading import fitdecoding
from heroicrun.reading.fitdecoding.profile import MESSAGES
from tests.helpers.fitfiles import chained_runs, old_device_run, watch_run
from tests.helpers.real import real, real_files

COLUMNS = {name: {spec.name for spec in fields.values()} for name, fields in MESSAGES.values()}
COLUMNS["record"].add("compressed_distance")

Row = dict[str, float | None]


class Reference:
    """What fitdecode reads from the same bytes."""

    def __init__(self, data: bytes) -> None:
        self.tables: dict[str, list[Row]] = {name: [] for name in COLUMNS}
        self.offsets: dict[str, list[int]] = {name: [] for name in COLUMNS}
        self.files = 0
        self.complete = False
        self.checksum_failed = False
        self.stop: tuple[str, int | None] | None = None
        reader = fitdecode.FitReader(
            io.BytesIO(data),
            processor=None,
            check_crc=fitdecode.CrcCheck.READONLY,
            error_handling=fitdecode.ErrorHandling.IGNORE,
            keep_raw_chunks=True,
        )
        try:
            for frame in reader:
                self._take(frame)
        except fitdecode.FitEOFError as error:
            self.stop = ("cut short", error.offset)
        except fitdecode.FitParseError as error:
            self.stop = ("damaged", error.offset)
        except Exception:
            self.stop = ("damaged", None)
        finally:
            reader.close()

    def _take(self, frame: object) -> None:
        if isinstance(frame, fitdecode.FitHeader):
            self.files += 1
            self.complete = False
            self.checksum_failed |= frame.crc_matched is False
        elif isinstance(frame, fitdecode.FitCRC):
            self.complete = True
            self.checksum_failed |= not frame.matched
        elif isinstance(frame, fitdecode.FitDataMessage) and frame.name in self.tables:
            self.tables[frame.name].append(_row(frame))
            self.offsets[frame.name].append(frame.chunk.offset)


def _row(frame: fitdecode.FitDataMessage) -> Row:
    row: Row = {}
    for field in frame.fields:
        # fitdecode names a product by its maker's table ("garmin_product"); heroicrun reads
        # the field's number as "product".
        name = "product" if field.name.endswith("_product") else field.name
        value = field.raw_value if isinstance(field.value, str) else field.value
        if not isinstance(value, int | float) or isinstance(value, bool):
            value = None
        if field.field_def is None:  # expanded from a component or a compressed time header
            if name == "distance" and frame.name == "record":
                row["compressed_distance"] = value
            if name != "timestamp":
                continue
        if name == "timestamp":
            if row.get("timestamp") is None:
                row["timestamp"] = value
        elif name not in row:
            row[name] = value
    return row


def assert_agrees(data: bytes) -> fitdecoding.Stream:
    expected = Reference(data)
    stream = fitdecoding.decode(data)
    assert stream.files == expected.files
    assert stream.checksum_failed == expected.checksum_failed
    assert stream.complete == expected.complete
    if expected.stop is None or (expected.complete and expected.files):
        assert (stream.stop is None) == (expected.stop is None)
    else:
        assert stream.stop is not None
        assert stream.stop.how == expected.stop[0]
        if expected.stop[1] is not None:
            assert stream.stop.offset == expected.stop[1]
    for name, rows in expected.tables.items():
        table = stream.table(name)
        assert len(table) == len(rows), name
        assert table.offset.tolist() == expected.offsets[name]
        for column in COLUMNS[name]:
            ours = table.column(column).tolist()
            theirs = [row.get(column) for row in rows]
            mismatched = [
                (index, mine, reference)
                for index, (mine, reference) in enumerate(zip(ours, theirs, strict=True))
                if not (mine == reference or (math.isnan(mine) and reference is None))
            ]
            assert not mismatched, (
                f"{name}.{column} (index, heroicrun, fitdecode): {mismatched[:5]}"
            )
    return stream


# Synthetic files with what the real ones lack


def undefined_local_type() -> bytes:
    """Damage halfway: a message of a local type never defined."""
    return watch_run(damaged_at=25)


SYNTHETIC: dict[str, Callable[[], bytes]] = {
    "little-endian": watch_run,
    "big-endian": lambda: watch_run(big_endian=True),
    "compressed": old_device_run,
    "chained": chained_runs,
    "damaged": undefined_local_type,
}


@pytest.mark.parametrize("path", real_files(".fit"), ids=lambda path: path.name)
def test_every_real_fit_file_decodes_as_fitdecode_reads_it(path: Path) -> None:
    stream = assert_agrees(path.read_bytes())

    assert len(stream.table("record")) > 0


@pytest.mark.parametrize("name", SYNTHETIC)
def test_synthetic_fit_files_decode_as_fitdecode_reads_them(name: str) -> None:
    assert_agrees(SYNTHETIC[name]())


def test_the_synthetic_files_hold_what_they_are_for() -> None:
    """Guards the cases above against a writer that stopped writing them."""
    big = fitdecoding.decode(watch_run(big_endian=True)).table("record")
    assert len(big) == 60
    assert np.isnan(big.column("position_lat")[5])
    assert np.isnan(big.column("heart_rate")[7])
    assert big.column("enhanced_altitude")[0] == pytest.approx(120.4)
    assert big.column("altitude")[40] == pytest.approx(122.2)

    old = fitdecoding.decode(old_device_run())
    records = old.table("record")
    distance = records.column("compressed_distance")
    assert np.isfinite(distance).sum() == 200 - 8 - 1  # 8 with full times, one invalid
    assert np.nanmax(distance) > 2 * 256  # the 12 bits wrapped at least twice
    assert np.all(np.diff(records.column("timestamp")) >= 1)
    assert old.table("event").column("timestamp")[1] == records.column("timestamp")[120]

    stream = fitdecoding.decode(chained_runs())
    assert stream.files == 2
    assert len(stream.table("record")) == 260

    damaged = fitdecoding.decode(undefined_local_type())
    assert damaged.stop is not None and damaged.stop.how == "damaged"
    assert len(damaged.table("record")) == 25


@pytest.mark.parametrize(("name", "step"), [("big-endian", 7), ("compressed", 11), ("chained", 31)])
def test_every_cut_of_a_synthetic_file_stops_where_fitdecode_stops(name: str, step: int) -> None:
    data = SYNTHETIC[name]()
    for length in range(12, len(data), step):
        assert_agrees(data[:length])


def test_every_cut_of_a_real_file_stops_where_fitdecode_stops() -> None:
    data = real("python-fitparse/garmin-fenix-5-run.fit").read_bytes()
    for length in range(12, len(data), 29):
        assert_agrees(data[:length])


def test_a_header_claiming_more_data_than_there_is_stops_where_fitdecode_stops() -> None:
    data = bytearray(watch_run())
    data[4:8] = struct.pack("<I", 0xFFFFFFFF)

    stream = assert_agrees(bytes(data))

    assert stream.stop is not None and stream.stop.how == "cut short"


def test_bytes_after_the_end_leave_the_file_complete() -> None:
    stream = assert_agrees(watch_run() + b"\0junk after the end")

    assert stream.complete
    assert stream.stop == fitdecoding.Stop("damaged", None)


@pytest.mark.parametrize("where", ["header", "data"])
def test_a_wrong_checksum_is_noticed(where: str) -> None:
    data = bytearray(watch_run())
    if where == "header":
        data[12] ^= 0xFF
    else:
        data[-1] ^= 0xFF

    stream = assert_agrees(bytes(data))

    assert stream.checksum_failed
    assert len(stream.table("record")) == 60


def test_the_generated_benchmark_run_decodes_as_fitdecode_reads_it(tmp_path: Path) -> None:
    path = generate.write_fit_run(tmp_path / "watch.fit", 900)

    stream = assert_agrees(path.read_bytes())

    assert len(stream.table("record")) == 900
