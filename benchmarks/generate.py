"""Realistic 1 Hz GPX runs written the way a Garmin watch exports them.

The track wanders along a smooth random heading at a plausible running pace, climbs and descends
gently, stops now and then, and carries heart rate and cadence in a Garmin TrackPointExtension v1
block, so that a reader pays for everything a real watch file contains.
"""

from __future__ import annotations

import gzip
import math
import random
import struct
from datetime import UTC, datetime, timedelta
from pathlib import Path

HEADER = """<?xml version="1.0" encoding="UTF-8"?>
<gpx creator="Garmin Connect" version="1.1"
  xsi:schemaLocation="http://www.topografix.com/GPX/1/1 http://www.topografix.com/GPX/11.xsd"
  xmlns:ns3="http://www.garmin.com/xmlschemas/TrackPointExtension/v1"
  xmlns="http://www.topografix.com/GPX/1/1"
  xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
  xmlns:ns2="http://www.garmin.com/xmlschemas/GpxExtensions/v3">
  <metadata>
    <link href="connect.garmin.com">
      <text>Garmin Connect</text>
    </link>
    <time>{start}</time>
  </metadata>
  <trk>
    <name>Benchmark run</name>
    <type>running</type>
    <trkseg>
"""

POINT = """      <trkpt lat="{lat:.14f}" lon="{lon:.14f}">
        <ele>{ele}</ele>
        <time>{time}</time>
        <extensions>
          <ns3:TrackPointExtension>
            <ns3:hr>{hr}</ns3:hr>
            <ns3:cad>{cad}</ns3:cad>
          </ns3:TrackPointExtension>
        </extensions>
      </trkpt>
"""

FOOTER = """    </trkseg>
  </trk>
</gpx>
"""

EARTH_RADIUS_M = 6_371_000.0

# FIT: times count from 1989-12-31T00:00Z; positions are semicircles (2**31 per 180°).
FIT_EPOCH = datetime(1989, 12, 31, tzinfo=UTC)
SEMICIRCLES_PER_DEG = 2**31 / 180
# (local message, global message, [(field number, size, base type)]) as a Garmin watch defines
# them: file_id, event, record with position, altitude, heart rate, cadence, distance, speed and
# temperature, and the heart-rate variability (beat-to-beat times) a chest strap adds each second.
FIT_DEFINITIONS = (
    (0, 0, [(0, 1, 0x00), (1, 2, 0x84), (2, 2, 0x84), (3, 4, 0x8C), (4, 4, 0x86)]),
    (1, 21, [(253, 4, 0x86), (0, 1, 0x00), (1, 1, 0x00), (4, 1, 0x02)]),
    (
        2,
        20,
        [
            (253, 4, 0x86),
            (0, 4, 0x85),
            (1, 4, 0x85),
            (78, 4, 0x86),
            (3, 1, 0x02),
            (4, 1, 0x02),
            (5, 4, 0x86),
            (73, 4, 0x86),
            (13, 1, 0x01),
        ],
    ),
    (3, 78, [(0, 10, 0x84)]),
)


def write_run(path: Path, points: int, seed: int = 42, start: datetime | None = None) -> Path:
    """Write a 1 Hz run of `points` track points to `path` and return the path."""
    rng = random.Random(seed)
    start = start or datetime(2026, 9, 26, 5, 0, 0, tzinfo=UTC)
    lat, lon, ele = 37.9715, 23.7257, 80.0  # Athens, where the Spartathlon starts
    heading = rng.uniform(0, 2 * math.pi)
    pause_left = 0
    with path.open("w", encoding="utf-8") as out:
        out.write(HEADER.format(start=start.strftime("%Y-%m-%dT%H:%M:%S.000Z")))
        for i in range(points):
            if pause_left:
                pause_left -= 1
                speed = 0.0
            else:
                speed = 2.8 + 0.6 * math.sin(i / 900) + rng.gauss(0, 0.15)
                if rng.random() < 1 / 1800:
                    pause_left = rng.randint(10, 120)
            heading += rng.gauss(0, 0.05)
            step = max(speed, 0.0)
            lat += math.degrees(step * math.cos(heading) / EARTH_RADIUS_M) + rng.gauss(0, 2e-6)
            lon += math.degrees(
                step * math.sin(heading) / (EARTH_RADIUS_M * math.cos(math.radians(lat)))
            ) + rng.gauss(0, 2e-6)
            ele += 0.02 * math.sin(i / 600) * step + rng.gauss(0, 0.2)
            time = (start + timedelta(seconds=i)).strftime("%Y-%m-%dT%H:%M:%S.000Z")
            hr = int(140 + 15 * math.sin(i / 1200) + rng.gauss(0, 2))
            cad = 0 if speed == 0 else int(86 + rng.gauss(0, 2))
            out.write(
                POINT.format(lat=lat, lon=lon, ele=_as_float32(ele), time=time, hr=hr, cad=cad)
            )
        out.write(FOOTER)
    return path


def write_fit_run(path: Path, points: int, seed: int = 42, start: datetime | None = None) -> Path:
    """Write a 1 Hz FIT activity of `points` records to `path` (gzipped when the name ends in
    .gz, as Strava exports keep them) and return the path."""
    rng = random.Random(seed)
    start = start or datetime(2026, 9, 26, 5, 0, 0, tzinfo=UTC)
    first_s = int((start - FIT_EPOCH).total_seconds())
    lat, lon, ele = 37.9715, 23.7257, 80.0
    heading = rng.uniform(0, 2 * math.pi)
    distance_m = 0.0
    body = bytearray()
    for local, number, fields in FIT_DEFINITIONS:
        body += struct.pack("<BBBHB", 0x40 | local, 0, 0, number, len(fields))
        body += b"".join(struct.pack("<BBB", *field) for field in fields)
    body += struct.pack("<BBHHII", 0, 4, 1, 3113, rng.getrandbits(31) + 1, first_s)
    body += struct.pack("<BIBBB", 1, first_s, 0, 0, 0)  # timer start
    record = struct.Struct("<BIiiIBBIIb")
    beats = struct.Struct("<B5H")
    for i in range(points):
        speed = max(2.8 + 0.6 * math.sin(i / 900) + rng.gauss(0, 0.15), 0.0)
        heading += rng.gauss(0, 0.05)
        lat += math.degrees(speed * math.cos(heading) / EARTH_RADIUS_M)
        lon += math.degrees(
            speed * math.sin(heading) / (EARTH_RADIUS_M * math.cos(math.radians(lat)))
        )
        ele += 0.02 * math.sin(i / 600) * speed + rng.gauss(0, 0.2)
        distance_m += speed
        body += record.pack(
            2,
            first_s + i,
            round(lat * SEMICIRCLES_PER_DEG),
            round(lon * SEMICIRCLES_PER_DEG),
            round((ele + 500) * 5),
            int(140 + 15 * math.sin(i / 1200) + rng.gauss(0, 2)),
            int(86 + rng.gauss(0, 2)),
            round(distance_m * 100),
            round(speed * 1000),
            18 - i // 7200,  # °C: the night cools
        )
        # No random draws here, so the runs drawn above stay the same runs.
        beat_ms = 60_000 // (140 + i % 15)
        body += beats.pack(3, beat_ms, beat_ms + 3, 0xFFFF, 0xFFFF, 0xFFFF)
    body += struct.pack("<BIBBB", 1, first_s + points, 0, 4, 0)  # timer stop_all
    header = struct.pack("<BBHI4s", 12, 0x10, 2132, len(body), b".FIT")
    data = header + body + struct.pack("<H", _fit_crc(header + body))
    if path.name.endswith(".gz"):
        data = gzip.compress(data, compresslevel=6, mtime=0)
    path.write_bytes(data)
    return path


FIT_CRC_TABLE = (
    0x0000, 0xCC01, 0xD801, 0x1400, 0xF001, 0x3C00, 0x2800, 0xE401,
    0xA001, 0x6C00, 0x7800, 0xB401, 0x5000, 0x9C01, 0x8801, 0x4400,
)  # fmt: skip


def _fit_crc(data: bytes) -> int:
    """The FIT file checksum: CRC-16 as the FIT SDK computes it, a byte at a time."""
    crc = 0
    for byte in data:
        crc = (crc >> 8) ^ FIT_CRC_BYTES[(crc ^ byte) & 0xFF]
    return crc


def _crc_of_byte(byte: int) -> int:
    crc = 0
    for nibble in (byte & 0xF, byte >> 4):
        crc = ((crc >> 4) & 0x0FFF) ^ FIT_CRC_TABLE[crc & 0xF] ^ FIT_CRC_TABLE[nibble]
    return crc


FIT_CRC_BYTES = tuple(_crc_of_byte(byte) for byte in range(256))


def _as_float32(value: float) -> str:
    """Elevation the way Garmin Connect prints it: a float32 written out in full."""
    single = struct.unpack("f", struct.pack("f", value))[0]
    return f"{single:.16f}".rstrip("0").rstrip(".")


if __name__ == "__main__":
    import sys

    count = int(sys.argv[1]) if len(sys.argv) > 1 else 3600
    target = Path(sys.argv[2]) if len(sys.argv) > 2 else Path(f"run-{count}.gpx")
    print(write_run(target, count))
