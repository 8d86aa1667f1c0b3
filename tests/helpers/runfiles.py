"""Run files the tests write themselves, each named for the one thing a test needs of it.

Other people's recordings stay outside the project (tests/helpers/real.py reads them where they
are kept); the server, page, import and browser tests use these instead, so they never skip.
Each is built with tests.factory.TrackBuilder from legs of known distance (m) and time (s), so a
test can work out what heroicrun must show. Each starts on a day of its own: no two are one
outing, and none is the bundled sample run's. Files are kept in the temporary folder under a
name made from their content, so every process (server workers too) writes a run once, and none
leaves a folder of its own behind.
"""

from __future__ import annotations

import functools
import hashlib
import os
import re
import tempfile
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from html import escape
from pathlib import Path

import numpy as np

from heroicrun.track import Track
from tests.factory import T0, TrackBuilder
from tests.helpers import fitfiles

DAY_S = 86_400.0

# (distance m, duration s, climb m), one after the other at 1 s steps: 5 km at 5:04/km going
# down 10 m, 6 km at 4:16/km (the fastest 5 km lies in it), 4.6 km at 5:00/km; 155 bpm.
HEART_RATE_LEGS = ((5000.0, 1520.0, -10.0), (6000.0, 1536.0, 12.0), (4600.0, 1380.0, 0.0))
HEART_RATE_BPM = 155.0

# (ridden?, distance m, duration s) at 5 s steps: a jog, 1.95 km in a car at 13 m/s, a jog,
# 600 m in a car at 10 m/s (a minute: just long enough to be a ride), a jog.
CAR_LEGS = (
    (False, 150.0, 60.0),
    (True, 1950.0, 150.0),
    (False, 300.0, 120.0),
    (True, 600.0, 60.0),
    (False, 100.0, 40.0),
)

# The browser's upload: 15.7 km on foot at 5:00/km around 12 km in a car, at 1 s steps with
# elevation and heart rate, over a megabyte (a slow phone connection shows its progress).
LONG_LEGS = (
    (False, 8000.0, 2400.0),
    (True, 12000.0, 800.0),
    (False, 7700.0, 2310.0),
)

PARTLY_TIMED_POINTS = 120
PARTLY_TIMED_TIMES = 5


CACHE = Path(tempfile.gettempdir()) / f"heroicrun-test-runs-{os.getuid()}"


def _written(name: str, data: bytes) -> Path:
    """The file `name` holding `data`, in a folder named for that content. A worker process
    ends without exit handlers, so a folder per process would be left behind; this one is shared,
    and written whole (renamed into place) so that no reader sees half a file."""
    path = CACHE / hashlib.sha256(data).hexdigest()[:16] / name
    if not path.is_file():
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(f".{name}.{os.getpid()}")
        partial.write_bytes(data)
        os.replace(partial, path)
    return path


def _day(number: int) -> float:
    """Seven in the morning (UTC) of the number-th day after the factory's T0."""
    return T0 + number * DAY_S


def _moment(seconds: float) -> str:
    when = datetime.fromtimestamp(seconds, UTC)
    if seconds == int(seconds):
        return when.strftime("%Y-%m-%dT%H:%M:%SZ")
    return when.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def gpx(
    track: Track,
    name: str = "Morning run",
    sport: str | None = "running",
    timed: Sequence[bool] | None = None,
) -> bytes:
    """The track as a watch's GPX 1.1: one element a line, a <trkseg> per segment, elevation
    and Garmin heart rate and cadence where known; `timed` says which points keep their time."""
    times = track.time_s
    lines = [
        "<?xml version='1.0' encoding='UTF-8'?>",
        '<gpx version="1.1" creator="heroicrun tests"',
        '  xmlns="http://www.topografix.com/GPX/1/1"',
        '  xmlns:gpxtpx="http://www.garmin.com/xmlschemas/TrackPointExtension/v1">',
        "  <trk>",
        f"    <name>{escape(name)}</name>",
        *([f"    <type>{sport}</type>"] if sport else []),
        "    <trkseg>",
    ]
    for index in range(len(track)):
        if index and track.segment[index] != track.segment[index - 1]:
            lines += ["    </trkseg>", "    <trkseg>"]
        lat, lon = track.lat_deg[index], track.lon_deg[index]
        lines.append(f'      <trkpt lat="{lat:.9f}" lon="{lon:.9f}">')
        if np.isfinite(track.elevation_m[index]):
            lines.append(f"        <ele>{track.elevation_m[index]:.2f}</ele>")
        if times is not None and (timed is None or timed[index]):
            lines.append(f"        <time>{_moment(float(times[index]))}</time>")
        sensors = [
            f"<gpxtpx:{tag}>{value:.0f}</gpxtpx:{tag}>"
            for tag, value in (
                ("hr", track.heart_rate_bpm[index]),
                ("cad", track.cadence_rpm[index]),
            )
            if np.isfinite(value)
        ]
        if sensors:
            lines.append(
                "        <extensions><gpxtpx:TrackPointExtension>"
                f"{''.join(sensors)}</gpxtpx:TrackPointExtension></extensions>"
            )
        lines.append("      </trkpt>")
    lines += ["    </trkseg>", "  </trk>", "</gpx>", ""]
    return "\n".join(lines).encode()


def tcx(track: Track, sport: str = "Running") -> bytes:
    """The track as a Garmin TCX activity of one lap: positions, altitude and heart rate."""
    assert track.time_s is not None
    start = _moment(float(track.time_s[0]))
    points = []
    for index in range(len(track)):
        parts = [
            f"<Time>{_moment(float(track.time_s[index]))}</Time>",
            f"<Position><LatitudeDegrees>{track.lat_deg[index]:.9f}</LatitudeDegrees>"
            f"<LongitudeDegrees>{track.lon_deg[index]:.9f}</LongitudeDegrees></Position>",
        ]
        if np.isfinite(track.elevation_m[index]):
            parts.append(f"<AltitudeMeters>{track.elevation_m[index]:.2f}</AltitudeMeters>")
        if np.isfinite(track.heart_rate_bpm[index]):
            parts.append(
                f"<HeartRateBpm><Value>{track.heart_rate_bpm[index]:.0f}</Value></HeartRateBpm>"
            )
        points.append(f"          <Trackpoint>{''.join(parts)}</Trackpoint>")
    elapsed_s = float(track.time_s[-1] - track.time_s[0])
    return "\n".join(
        [
            '<?xml version="1.0" encoding="UTF-8"?>',
            '<TrainingCenterDatabase xmlns="http://www.garmin.com/xmlschemas/'
            'TrainingCenterDatabase/v2">',
            "  <Activities>",
            f'    <Activity Sport="{sport}">',
            f"      <Id>{start}</Id>",
            f'      <Lap StartTime="{start}">',
            f"        <TotalTimeSeconds>{elapsed_s:.1f}</TotalTimeSeconds>",
            "        <Intensity>Active</Intensity>",
            "        <TriggerMethod>Manual</TriggerMethod>",
            "        <Track>",
            *points,
            "        </Track>",
            "      </Lap>",
            "    </Activity>",
            "  </Activities>",
            "</TrainingCenterDatabase>",
            "",
        ]
    ).encode()


def fit(track: Track) -> bytes:
    """The track as a watch's FIT activity: timer events around a record a point, with position,
    altitude and heart rate where known."""
    assert track.time_s is not None
    writer = fitfiles.FitWriter()
    first, last = (fitfiles.fit_time(float(track.time_s[end])) for end in (0, -1))
    writer.add("file_id", type=fitfiles.FILE_TYPES["activity"], manufacturer=1, time_created=first)
    writer.add("event", timestamp=first, event=0, event_type=0, event_group=0)
    writer.add("sport", sport=fitfiles.SPORTS["running"], sub_sport=0)
    for index in range(len(track)):
        elevation_m, heart_rate = track.elevation_m[index], track.heart_rate_bpm[index]
        writer.add(
            "record",
            timestamp=fitfiles.fit_time(float(track.time_s[index])),
            position_lat=fitfiles.semicircles(float(track.lat_deg[index])),
            position_long=fitfiles.semicircles(float(track.lon_deg[index])),
            altitude=float(elevation_m) if np.isfinite(elevation_m) else None,
            heart_rate=float(heart_rate) if np.isfinite(heart_rate) else None,
        )
    writer.add("event", timestamp=last, event=0, event_type=4, event_group=0)
    return writer.file()


@functools.cache
def short_run() -> Path:
    """A 320 m jog in 250 s, 26 points 10 s apart, 20 m down: too short for any best effort."""
    track = TrackBuilder(start_time_s=_day(1), elevation_m=998.0)
    return _written("short-run.gpx", gpx(track.run(320.0, 250.0, 10.0, climb_m=-20.0).build()))


@functools.cache
def cut_off() -> Path:
    """The short run's first 10 lines: the XML stops inside its first point, on line 11."""
    lines = short_run().read_bytes().splitlines(keepends=True)
    return _written("cut-off.gpx", b"".join(lines[:10]))


@functools.cache
def heart_rate_run() -> Path:
    """15.6 km in three legs (HEART_RATE_LEGS) at 1 s steps, heart rate 155 bpm throughout,
    turning 90° between legs."""
    builder = TrackBuilder(start_time_s=_day(2), elevation_m=420.0)
    for number, (distance_m, duration_s, climb_m) in enumerate(HEART_RATE_LEGS):
        builder.run(
            distance_m,
            duration_s,
            bearing_deg=90.0 * number,
            climb_m=climb_m,
            heart_rate_bpm=HEART_RATE_BPM,
        )
    return _written("run-with-heart-rate.gpx", gpx(builder.build(), "Move"))


def _with_rides(legs: Sequence[tuple[bool, float, float]], start_s: float, step_s: float) -> Track:
    builder = TrackBuilder(start_time_s=start_s, elevation_m=200.0)
    for number, (_ridden, distance_m, duration_s) in enumerate(legs):
        builder.run(distance_m, duration_s, step_s, bearing_deg=60.0 * number, climb_m=5.0)
    return builder.build()


@functools.cache
def car_ride() -> Path:
    """A jog with two car rides in it (CAR_LEGS), 5 s steps."""
    return _written("run-with-car-rides.gpx", gpx(_with_rides(CAR_LEGS, _day(3), 5.0)))


@functools.cache
def long_run_with_car() -> Path:
    """15.7 km on foot with a 12 km car ride between (LONG_LEGS), 1 s steps, heart rate."""
    track = _with_rides(LONG_LEGS, _day(4), 1.0)
    track.heart_rate_bpm[:] = 150.0
    return _written("long-run-with-car-ride.gpx", gpx(track, "Long run"))


@functools.cache
def partly_timed_route() -> Path:
    """1.1 km in 120 points (1 + 40 + 40 + 39 steps of 5 s) of which only the first 5 keep
    their time: a route."""
    builder = TrackBuilder(start_time_s=_day(5), elevation_m=500.0)
    for distance_m, steps, bearing in ((400.0, 40, 0.0), (400.0, 40, 90.0), (300.0, 39, 180.0)):
        builder.run(distance_m, 5.0 * steps, 5.0, bearing_deg=bearing, climb_m=8.0)
    timed = [index < PARTLY_TIMED_TIMES for index in range(PARTLY_TIMED_POINTS)]
    return _written("route-with-few-times.gpx", gpx(builder.build(), "Loop", timed=timed))


@functools.cache
def route_without_times() -> Path:
    """An 800 m out-and-back with no time at all: a route."""
    builder = TrackBuilder(start_time_s=_day(6)).run(400.0, 200.0, 10.0)
    track = builder.run(400.0, 200.0, 10.0, bearing_deg=180.0).build(timed=False)
    return _written("route-without-times.gpx", gpx(track, "Planned"))


@functools.cache
def tcx_run() -> Path:
    """A 2 km TCX run in 660 s, 5 s steps, with altitude and heart rate."""
    builder = TrackBuilder(start_time_s=_day(7), elevation_m=300.0)
    track = builder.run(2000.0, 660.0, 5.0, climb_m=6.0, heart_rate_bpm=148.0).build()
    return _written("lap-run.tcx", tcx(track))


@functools.cache
def fit_run() -> Path:
    """A 1.5 km FIT run in 480 s, 2 s records with altitude and heart rate."""
    builder = TrackBuilder(start_time_s=_day(8), elevation_m=150.0)
    track = builder.run(1500.0, 480.0, 2.0, climb_m=-4.0, heart_rate_bpm=152.0).build()
    return _written("watch-run.fit", fit(track))


_TIME = re.compile(rb"<time>([^<]+)</time>")


def recent(path: Path, ended_ago_s: float = 3600.0) -> Path:
    """A copy of the GPX file `path`, of the same name, moved in time to have ended
    `ended_ago_s` ago: a run a runner enrolled today may count (those recorded more than a day
    before enrolling never do)."""
    data = path.read_bytes()
    moments = [datetime.fromisoformat(found.decode()) for found in _TIME.findall(data)]
    shift = time.time() - ended_ago_s - max(moment.timestamp() for moment in moments)
    shift = float(round(shift))  # whole seconds: each time keeps its own fraction

    def moved(found: re.Match[bytes]) -> bytes:
        seconds = datetime.fromisoformat(found.group(1).decode()).timestamp() + shift
        return b"<time>" + _moment(seconds).encode() + b"</time>"

    return _written(path.name, _TIME.sub(moved, data))


def day_run(day: int, km: float, name: str = "Morning run", sport: str = "running") -> bytes:
    """A run of `km` at 5:00/km, heading north, starting at 7 on the day-th day after T0."""
    builder = TrackBuilder(start_time_s=T0 + day * DAY_S, elevation_m=100.0)
    return gpx(builder.run(km * 1000.0, km * 300.0, 10.0).build(), name, sport)
