"""FIT files written message by message, for the structures no real file at hand holds.

It knows its own small part of the FIT profile (field numbers, base types, scales), apart from
heroicrun's, so a wrong number on either side shows up when the two meet: tests decode what it
writes with heroicrun and with fitdecode. Values are given in the profile's units (seconds since
the FIT epoch, semicircles, metres, m/s); a field left out is written as its invalid value.

    fit = FitWriter()
    fit.add("file_id", type=4)
    fit.add("record", timestamp=fit_time(START_S), position_lat=semicircles(45.0), ...)
    data = fit.file()
"""

from __future__ import annotations

import math
import struct
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime

FIT_EPOCH_S = datetime(1989, 12, 31, tzinfo=UTC).timestamp()

# Base type name → (base type byte, struct code, invalid value).
BASE_TYPES: dict[str, tuple[int, str, float | int | None]] = {
    "enum": (0x00, "B", 0xFF),
    "sint8": (0x01, "b", 0x7F),
    "uint8": (0x02, "B", 0xFF),
    "sint16": (0x83, "h", 0x7FFF),
    "uint16": (0x84, "H", 0xFFFF),
    "sint32": (0x85, "i", 0x7FFFFFFF),
    "uint32": (0x86, "I", 0xFFFFFFFF),
    "string": (0x07, "s", None),
    "float32": (0x88, "f", math.nan),
    "uint8z": (0x0A, "B", 0),
    "uint16z": (0x8B, "H", 0),
    "uint32z": (0x8C, "I", 0),
    "byte": (0x0D, "B", 0xFF),
}

# Message name → (global number, {field name: (number, base type, scale, offset)}).
PROFILE: dict[str, tuple[int, dict[str, tuple[int, str, float, float]]]] = {
    "file_id": (
        0,
        {
            "type": (0, "enum", 1, 0),
            "manufacturer": (1, "uint16", 1, 0),
            "product": (2, "uint16", 1, 0),
            "serial_number": (3, "uint32z", 1, 0),
            "time_created": (4, "uint32", 1, 0),
        },
    ),
    "record": (
        20,
        {
            "timestamp": (253, "uint32", 1, 0),
            "position_lat": (0, "sint32", 1, 0),
            "position_long": (1, "sint32", 1, 0),
            "altitude": (2, "uint16", 5, 500),
            "heart_rate": (3, "uint8", 1, 0),
            "cadence": (4, "uint8", 1, 0),
            "distance": (5, "uint32", 100, 0),
            "speed": (6, "uint16", 1000, 0),
            "compressed_speed_distance": (8, "byte", 1, 0),
            "fractional_cadence": (53, "uint8", 128, 0),
            "enhanced_speed": (73, "uint32", 1000, 0),
            "enhanced_altitude": (78, "uint32", 5, 500),
        },
    ),
    "event": (
        21,
        {
            "timestamp": (253, "uint32", 1, 0),
            "event": (0, "enum", 1, 0),
            "event_type": (1, "enum", 1, 0),
            "data": (3, "uint32", 1, 0),
            "event_group": (4, "uint8", 1, 0),
        },
    ),
    "session": (
        18,
        {
            "timestamp": (253, "uint32", 1, 0),
            "start_time": (2, "uint32", 1, 0),
            "sport": (5, "enum", 1, 0),
            "sub_sport": (6, "enum", 1, 0),
            "total_elapsed_time": (7, "uint32", 1000, 0),
            "total_timer_time": (8, "uint32", 1000, 0),
            "total_distance": (9, "uint32", 100, 0),
            "first_lap_index": (25, "uint16", 1, 0),
            "num_laps": (26, "uint16", 1, 0),
            "message_index": (254, "uint16", 1, 0),
        },
    ),
    "lap": (
        19,
        {
            "timestamp": (253, "uint32", 1, 0),
            "start_time": (2, "uint32", 1, 0),
            "total_elapsed_time": (7, "uint32", 1000, 0),
            "total_timer_time": (8, "uint32", 1000, 0),
            "total_distance": (9, "uint32", 100, 0),
            "sport": (25, "enum", 1, 0),
            "message_index": (254, "uint16", 1, 0),
        },
    ),
    "sport": (12, {"sport": (0, "enum", 1, 0), "sub_sport": (1, "enum", 1, 0)}),
    "activity": (
        34,
        {
            "timestamp": (253, "uint32", 1, 0),
            "total_timer_time": (0, "uint32", 1000, 0),
            "num_sessions": (1, "uint16", 1, 0),
            "type": (2, "enum", 1, 0),
            "event": (3, "enum", 1, 0),
            "event_type": (4, "enum", 1, 0),
        },
    ),
    "timestamp_correlation": (
        162,
        {
            "timestamp": (253, "uint32", 1, 0),
            "fractional_timestamp": (0, "uint16", 32768, 0),
            "system_timestamp": (1, "uint32", 1, 0),
            "fractional_system_timestamp": (2, "uint16", 32768, 0),
            "local_timestamp": (3, "uint32", 1, 0),
            "timestamp_ms": (4, "uint16", 1, 0),
            "system_timestamp_ms": (5, "uint16", 1, 0),
        },
    ),
    "device_info": (
        23,
        {
            "timestamp": (253, "uint32", 1, 0),
            "device_index": (0, "uint8", 1, 0),
            "manufacturer": (2, "uint16", 1, 0),
            "battery_voltage": (10, "uint16", 256, 0),
        },
    ),
    "hrv": (78, {"time": (0, "uint16", 1000, 0)}),
    "course": (31, {"sport": (4, "enum", 1, 0), "name": (5, "string", 1, 0)}),
    "developer_data_id": (
        207,
        {"application_id": (1, "byte", 1, 0), "developer_data_index": (3, "uint8", 1, 0)},
    ),
    "field_description": (
        206,
        {
            "developer_data_index": (0, "uint8", 1, 0),
            "field_definition_number": (1, "uint8", 1, 0),
            "fit_base_type_id": (2, "uint8", 1, 0),
            "field_name": (3, "string", 1, 0),
        },
    ),
}

# Enum values the tests name.
FILE_TYPES = {"activity": 4, "workout": 5, "course": 6}
EVENTS = {"timer": 0, "session": 8, "lap": 9}
EVENT_TYPES = {"start": 0, "stop": 1, "stop_all": 4, "stop_disable_all": 9}
SPORTS = {"generic": 0, "running": 1, "cycling": 2, "transition": 3, "fitness_equipment": 4}
SPORTS |= {"swimming": 5, "training": 10, "walking": 11, "hiking": 17, "multisport": 18}
SUB_SPORTS = {"generic": 0, "treadmill": 1, "trail": 3, "indoor_cycling": 6, "lap_swimming": 17}
SUB_SPORTS |= {"open_water": 18, "indoor_running": 45}

Value = float | int | bytes | str | Sequence[float | None] | None
FieldSpec = str | tuple[str, int]  # a name, or a name and a size in bytes (arrays, strings)


def fit_time(unix_s: float) -> int:
    """A Unix time in FIT seconds (since 1989-12-31T00:00Z)."""
    return round(unix_s - FIT_EPOCH_S)


def semicircles(degrees: float) -> int:
    """Degrees in FIT semicircles (2**31 per 180°)."""
    return round(degrees * 2**31 / 180)


def crc(data: bytes) -> int:
    """The FIT CRC-16, a nibble at a time as the FIT SDK writes it."""
    table = (
        0x0000, 0xCC01, 0xD801, 0x1400, 0xF001, 0x3C00, 0x2800, 0xE401,
        0xA001, 0x6C00, 0x7800, 0xB401, 0x5000, 0x9C01, 0x8801, 0x4400,
    )  # fmt: skip
    value = 0
    for byte in data:
        for nibble in (byte & 0xF, byte >> 4):
            value = ((value >> 4) & 0x0FFF) ^ table[value & 0xF] ^ table[nibble]
    return value


class FitWriter:
    """A FIT file written message by message, in either byte order, as devices write them."""

    def __init__(self, big_endian: bool = False) -> None:
        self.order = ">" if big_endian else "<"
        self.body = bytearray()
        self.layouts: dict[int, tuple[str, list[tuple[str, int]], int]] = {}
        self.auto: dict[tuple[str, tuple[str, ...]], int] = {}
        self.next_local = 0

    def define(
        self,
        local: int,
        message: str,
        fields: Sequence[FieldSpec],
        developer: Sequence[tuple[int, int, int]] = (),
    ) -> None:
        """Write a definition: local type `local` now holds these fields (and developer fields
        as (number, size, developer data index))."""
        number, known = PROFILE[message]
        sized = [(spec, _size(message, spec)) if isinstance(spec, str) else spec for spec in fields]
        header = 0x40 | local | (0x20 if developer else 0)
        big = self.order == ">"
        self.body += struct.pack(f"{self.order}BBBHB", header, 0, big, number, len(sized))
        for name, size in sized:
            field_number, base, _, _ = known[name]
            self.body += bytes((field_number, size, BASE_TYPES[base][0]))
        if developer:
            self.body.append(len(developer))
            for field_number, size, index in developer:
                self.body += bytes((field_number, size, index))
        developer_size = sum(size for _, size, _ in developer)
        self.layouts[local] = (message, sized, developer_size)
        for key, value in list(self.auto.items()):
            if value == local:
                del self.auto[key]

    def write(
        self,
        local: int,
        values: Mapping[str, Value],
        *,
        time_offset: int | None = None,
        developer: bytes = b"",
    ) -> None:
        """Write a data message of local type `local`; `time_offset` makes it a compressed-time
        message (local types 0–3: the low 5 bits of its time)."""
        message, fields, developer_size = self.layouts[local]
        if time_offset is None:
            self.body.append(local)
        else:
            assert local < 4
            self.body.append(0x80 | (local << 5) | (time_offset & 0x1F))
        known = PROFILE[message][1]
        for name, size in fields:
            self.body += self._encode(known[name], size, values.get(name))
        assert len(developer) == developer_size
        self.body += developer

    def add(self, message: str, **values: Value) -> None:
        """Write a message, defining a local type for its set of fields when it needs one."""
        key = (message, tuple(values))
        local = self.auto.get(key)
        if local is None:
            local = self.next_local
            self.next_local = (self.next_local + 1) % 16
            self.define(local, message, list(values))
            self.auto[key] = local
        self.write(local, values)

    def raw(self, data: bytes) -> None:
        """Append bytes as they are (damage, or a message built by hand)."""
        self.body += data

    def file(
        self, *, header_size: int = 14, data_size: int | None = None, profile: int = 2132
    ) -> bytes:
        """The whole file: header (12 or 14 bytes), the messages, and the CRC."""
        size = len(self.body) if data_size is None else data_size
        header = struct.pack("<BBHI4s", header_size, 0x20, profile, size, b".FIT")
        if header_size == 14:
            header += struct.pack("<H", crc(header))
        data = header + bytes(self.body)
        return data + struct.pack("<H", crc(data))

    def _encode(self, spec: tuple[int, str, float, float], size: int, value: Value) -> bytes:
        _, base, scale, offset = spec
        _, code, invalid = BASE_TYPES[base]
        if base == "string":
            text = value.encode() if isinstance(value, str) else b""
            return text[: size - 1].ljust(size, b"\0")
        if base == "byte":
            if value is None:
                return b"\xff" * size
            assert isinstance(value, bytes | bytearray) and len(value) == size
            return bytes(value)
        width = struct.calcsize(code)
        count = size // width
        items = list(value) if isinstance(value, list | tuple) else [value] * count
        out = b""
        for item in items:
            if item is None:
                raw: float | int | None = invalid
            elif code == "f":
                raw = (float(item) + offset) * scale  # type: ignore[arg-type]
            else:
                raw = round((float(item) + offset) * scale)  # type: ignore[arg-type]
            out += struct.pack(self.order + code, raw)
        return out


def _size(message: str, name: str) -> int:
    base = PROFILE[message][1][name][1]
    if base == "byte":
        return 3 if name == "compressed_speed_distance" else 16
    if base == "string":
        return 16
    return struct.calcsize(BASE_TYPES[base][1])


METRES_PER_DEGREE_LAT = 111_132.0  # near 45°N; close enough for test tracks


def northward(
    first_s: float,
    count: int,
    *,
    every_s: int = 1,
    speed_m_s: float = 3.0,
    from_lat_deg: float = 45.0,
    lon_deg: float = 6.0,
    positions: bool = True,
    distance_from_m: float | None = None,
) -> list[dict[str, Value]]:
    """Record values for `count` records `every_s` seconds apart from Unix time `first_s`,
    heading due north at `speed_m_s`; with `distance_from_m`, the device's distance too
    (counting on from that), and without `positions`, no position at all (a footpod)."""
    records: list[dict[str, Value]] = []
    for index in range(count):
        moved_m = index * every_s * speed_m_s
        values: dict[str, Value] = {"timestamp": fit_time(first_s + index * every_s)}
        if positions:
            values["position_lat"] = semicircles(from_lat_deg + moved_m / METRES_PER_DEGREE_LAT)
            values["position_long"] = semicircles(lon_deg)
        if distance_from_m is not None:
            values["distance"] = distance_from_m + moved_m
        values["heart_rate"] = 150
        records.append(values)
    return records


# Whole files: what the real FIT files at hand lack, written as devices write it.

SAMPLE_START_S = 1_777_615_200.0  # 2026-05-01T06:00:00Z


def watch_run(big_endian: bool = False, damaged_at: int | None = None) -> bytes:
    """A watch's run: developer fields, messages heroicrun skips (hrv, device_info) between the
    records, a redefined record layout halfway, a pause, invalid values here and there; with
    `damaged_at`, a message of a local type never defined before that record."""
    fit = FitWriter(big_endian)
    order = ">" if big_endian else "<"
    t0 = fit_time(SAMPLE_START_S)
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


def old_device_run() -> bytes:
    """An older watch's way: compressed-time headers between full times, and distance packed
    in 12 bits with speed (compressed_speed_distance), wrapping every 256 m."""
    fit = FitWriter()
    t0 = fit_time(SAMPLE_START_S)
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


def chained_runs() -> bytes:
    """Two FIT files one after the other, as some devices store a day."""
    return watch_run() + old_device_run()
