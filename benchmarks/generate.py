"""Realistic 1 Hz GPX runs written the way a Garmin watch exports them.

The track wanders along a smooth random heading at a plausible running pace, climbs and descends
gently, stops now and then, and carries heart rate and cadence in a Garmin TrackPointExtension v1
block, so that a reader pays for everything a real watch file contains.
"""

from __future__ import annotations

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


def _as_float32(value: float) -> str:
    """Elevation the way Garmin Connect prints it: a float32 written out in full."""
    single = struct.unpack("f", struct.pack("f", value))[0]
    return f"{single:.16f}".rstrip("0").rstrip(".")


if __name__ == "__main__":
    import sys

    count = int(sys.argv[1]) if len(sys.argv) > 1 else 3600
    target = Path(sys.argv[2]) if len(sys.argv) > 2 else Path(f"run-{count}.gpx")
    print(write_run(target, count))
