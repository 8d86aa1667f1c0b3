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

from heroicrun.reading import fitdecoding
from heroicrun.reading.fitprofile import MESSAGES
from tests.helpers.fitfiles import FitWriter, Value, fit_time, semicircles
from tests.helpers.real import real, real_files

START_S = 1_777_615_200.0  # 2026-05-01T06:00:00Z
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
        name = field.name
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


def garmin_like(big_endian: bool = False, damaged_at: int | None = None) -> bytes:
    """A watch's run: developer fields, messages heroicrun skips (hrv, device_info) between the
    records, a redefined record layout halfway, a pause, invalid values here and there; with
    `damaged_at`, a message of a local type never defined before that record."""
    fit = FitWriter(big_endian)
    order = ">" if big_endian else "<"
    t0 = fit_time(START_S)
    fit.add("file_id", type=4, manufacturer=1, product=3113, serial_number=7, time_created=t0)
    fit.define(1, "developer_data_id", [("application_id", 16), "developer_data_index"])
    fit.write(1, {"application_id": bytes(16), "developer_data_index": 0})
    fit.add(
        "field_description",
        developer_data_index=0,
        field_definition_number=0,
        fit_base_type_id=0x84,
        field_name="power",
    )
    fit.add("device_info", timestamp=t0, device_index=0, manufacturer=1, battery_voltage=3.9)
    fit.add("event", timestamp=t0, event=0, event_type=0, event_group=0)
    fit.add("sport", sport=1, sub_sport=0)
    fields = ["timestamp", "position_lat", "position_long", "enhanced_altitude", "heart_rate"]
    fields += ["cadence", "fractional_cadence", "distance", "enhanced_speed"]
    fit.define(3, "record", fields, developer=[(0, 2, 0)])
    fit.define(4, "hrv", [("time", 10)])
    for i in range(60):
        if i == 40:
            fit.define(3, "record", ["timestamp", "position_lat", "position_long", "altitude"])
        if i == damaged_at:
            fit.raw(b"\x0b")
        values: dict[str, Value] = {
            "timestamp": t0 + i,
            "position_lat": None if i == 5 else semicircles(45.0 + i * 1e-4),
            "position_long": None if i == 5 else semicircles(-6.0 - i * 1e-5),
            "enhanced_altitude": 120.4 + i / 5,
            "altitude": 130.2 - i / 5,
            "heart_rate": None if i == 7 else 120 + i,
            "cadence": 85,
            "fractional_cadence": 0.5,
            "distance": 11.1 * i,
            "enhanced_speed": 3.25,
        }
        developer = struct.pack(order + "H", 200 + i) if i < 40 else b""
        fit.write(3, values, developer=developer)
        if i % 3 == 0:
            fit.write(4, {"time": [0.8, 0.812, None, None, None]})
        if i == 30:
            fit.add("event", timestamp=t0 + i, event=0, event_type=4, event_group=0)
        if i == 33:
            fit.add("event", timestamp=t0 + i, event=0, event_type=0, event_group=0)
    end = t0 + 59
    fit.add("lap", timestamp=end, start_time=t0, total_elapsed_time=59.0, total_distance=654.9)
    fit.add(
        "session",
        timestamp=end,
        start_time=t0,
        sport=1,
        sub_sport=1,
        total_elapsed_time=59.0,
        total_timer_time=56.0,
        total_distance=654.9,
    )
    fit.add("activity", timestamp=end, total_timer_time=56.0, num_sessions=1)
    return fit.file()


def old_device() -> bytes:
    """An older watch's way: compressed-time headers between full times, and distance packed
    in 12 bits with speed (compressed_speed_distance), wrapping every 256 m."""
    fit = FitWriter()
    t0 = fit_time(START_S)
    fit.add("file_id", type=4, manufacturer=1)
    fit.define(0, "record", ["timestamp", "position_lat", "position_long", "heart_rate"])
    fit.define(1, "record", ["position_lat", "position_long", "compressed_speed_distance"])
    fit.define(2, "event", ["timestamp", "event", "event_type"])
    fit.define(3, "event", ["event", "event_type"])
    time, sixteenths = t0, 0
    fit.write(2, {"timestamp": t0, "event": 0, "event_type": 0})
    for i in range(200):
        lat, lon = semicircles(51.0 + i * 1e-4), semicircles(0.5)
        time += 1 + i % 4
        sixteenths += 40 + 3 * (i % 7)
        if i % 25 == 0:
            full = {"timestamp": time, "position_lat": lat, "position_long": lon, "heart_rate": 140}
            fit.write(0, full)
            continue
        packed = (300 | ((sixteenths & 0xFFF) << 12)).to_bytes(3, "little")
        if i == 77:
            packed = b"\xff\xff\xff"
        compressed: dict[str, Value] = {
            "position_lat": lat,
            "position_long": lon,
            "compressed_speed_distance": packed,
        }
        fit.write(1, compressed, time_offset=time)
        if i == 120:
            fit.write(3, {"event": 0, "event_type": 4}, time_offset=time)
    return fit.file(header_size=12)


def chained() -> bytes:
    """Two FIT files one after the other, as some devices store a day."""
    return garmin_like() + old_device()


def undefined_local_type() -> bytes:
    """Damage halfway: a message of a local type never defined."""
    return garmin_like(damaged_at=25)


SYNTHETIC: dict[str, Callable[[], bytes]] = {
    "little-endian": garmin_like,
    "big-endian": lambda: garmin_like(big_endian=True),
    "compressed": old_device,
    "chained": chained,
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
    big = fitdecoding.decode(garmin_like(big_endian=True)).table("record")
    assert len(big) == 60
    assert np.isnan(big.column("position_lat")[5])
    assert np.isnan(big.column("heart_rate")[7])
    assert big.column("enhanced_altitude")[0] == pytest.approx(120.4)
    assert big.column("altitude")[40] == pytest.approx(122.2)

    old = fitdecoding.decode(old_device())
    records = old.table("record")
    distance = records.column("compressed_distance")
    assert np.isfinite(distance).sum() == 200 - 8 - 1  # 8 with full times, one invalid
    assert np.nanmax(distance) > 2 * 256  # the 12 bits wrapped at least twice
    assert np.all(np.diff(records.column("timestamp")) >= 1)
    assert old.table("event").column("timestamp")[1] == records.column("timestamp")[120]

    stream = fitdecoding.decode(chained())
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
    data = bytearray(garmin_like())
    data[4:8] = struct.pack("<I", 0xFFFFFFFF)

    stream = assert_agrees(bytes(data))

    assert stream.stop is not None and stream.stop.how == "cut short"


def test_bytes_after_the_end_leave_the_file_complete() -> None:
    stream = assert_agrees(garmin_like() + b"\0junk after the end")

    assert stream.complete
    assert stream.stop == fitdecoding.Stop("damaged", None)


@pytest.mark.parametrize("where", ["header", "data"])
def test_a_wrong_checksum_is_noticed(where: str) -> None:
    data = bytearray(garmin_like())
    if where == "header":
        data[12] ^= 0xFF
    else:
        data[-1] ^= 0xFF

    stream = assert_agrees(bytes(data))

    assert stream.checksum_failed
    assert len(stream.table("record")) == 60
