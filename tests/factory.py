"""Exact synthetic tracks for tests: "1 km due north in 300 s", a pause, a glitch, a car ride."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Self

import gpxpy
import numpy as np
from geographiclib.geodesic import Geodesic
from geopy.distance import ELLIPSOIDS, geodesic

from heroicrun import geodesy
from heroicrun.measuring import course
from heroicrun.track import Leg, Track

NAN = float("nan")
START = (46.05, 14.5)  # Ljubljana, well away from poles and the antimeridian
T0 = datetime(2024, 5, 1, 7, 0, tzinfo=UTC).timestamp()
# The ellipsoid geopy's geodesic() uses, in its units (km): a leg's points are the very ones
# geodesic(meters=d).destination(origin, bearing) gives, without building a Geodesic per point
# (that took 75 us a point; a 36-hour run has 130,000).
_KM, _, _FLATTENING = ELLIPSOIDS["WGS-84"]
_WGS84 = Geodesic(_KM, _FLATTENING)
_LAT_LON = Geodesic.LATITUDE | Geodesic.LONGITUDE


class TrackBuilder:
    """Builds a track leg by leg; every leg starts where the last one ended."""

    def __init__(
        self,
        start: tuple[float, float] = START,
        start_time_s: float = T0,
        elevation_m: float = NAN,
    ) -> None:
        self.lat = [start[0]]
        self.lon = [start[1]]
        self.time = [start_time_s]
        self.elevation = [elevation_m]
        self.heart_rate = [NAN]
        self.cadence = [NAN]
        self.segment = [0]
        self.legs: list[Leg] = []

    def sport(self, name: str) -> Self:
        """Declare a sport (heroicrun's name) from the next leg on, or from the start."""
        first = 0 if len(self.lat) == 1 else len(self.lat)
        self.legs.append(Leg(first, name))
        return self

    def run(
        self,
        distance_m: float,
        duration_s: float,
        step_s: float = 1.0,
        bearing_deg: float = 0.0,
        climb_m: float = 0.0,
        heart_rate_bpm: float = NAN,
        cadence_rpm: float = NAN,
    ) -> Self:
        """Go distance_m along a geodesic in duration_s, one point every step_s, evenly spaced."""
        steps = round(duration_s / step_s)
        line = _WGS84.Line(self.lat[-1], self.lon[-1], bearing_deg, _LAT_LON | Geodesic.DISTANCE_IN)
        for k in range(1, steps + 1):
            point = line.Position(distance_m * k / steps / 1000.0, _LAT_LON)
            self._add(point["lat2"], point["lon2"], duration_s / steps, climb_m / steps)
            self.heart_rate[-1] = heart_rate_bpm
            self.cadence[-1] = cadence_rpm
        return self

    def stand(self, duration_s: float, step_s: float = 1.0) -> Self:
        """Stand still with the watch running: points repeat the last position."""
        for _ in range(round(duration_s / step_s)):
            self._add(self.lat[-1], self.lon[-1], duration_s / round(duration_s / step_s), 0.0)
        return self

    def pause(self, duration_s: float, moved_m: float = 0.0, bearing_deg: float = 0.0) -> Self:
        """Pause the watch: the next point, moved_m further on, starts a new segment."""
        point = _WGS84.Direct(self.lat[-1], self.lon[-1], bearing_deg, moved_m / 1000.0, _LAT_LON)
        self._add(point["lat2"], point["lon2"], duration_s, 0.0)
        self.segment[-1] += 1
        return self

    def _add(self, lat: float, lon: float, after_s: float, climb_m: float) -> None:
        self.lat.append(lat)
        self.lon.append(lon)
        self.time.append(self.time[-1] + after_s)
        self.elevation.append(self.elevation[-1] + climb_m)
        self.heart_rate.append(NAN)
        self.cadence.append(NAN)
        self.segment.append(self.segment[-1])

    def build(self, source: str = "synthetic.gpx", timed: bool = True) -> Track:
        """Return the Track; timed=False makes it a route."""
        track = make_track(
            self.lat,
            self.lon,
            self.time if timed else None,
            elevation_m=self.elevation,
            heart_rate_bpm=self.heart_rate,
            cadence_rpm=self.cadence,
            segment=self.segment,
            source=source,
        )
        return replace(track, legs=tuple(self.legs)) if self.legs else track


def make_track(
    lat_deg: list[float] | np.ndarray,
    lon_deg: list[float] | np.ndarray,
    time_s: list[float] | np.ndarray | None,
    elevation_m: list[float] | np.ndarray | None = None,
    heart_rate_bpm: list[float] | np.ndarray | None = None,
    cadence_rpm: list[float] | np.ndarray | None = None,
    segment: list[int] | np.ndarray | None = None,
    source: str = "synthetic.gpx",
) -> Track:
    """Return a Track from columns; absent columns are NaN (or segment 0)."""
    count = len(lat_deg)

    def column(values: list[float] | np.ndarray | None) -> np.ndarray:
        if values is None:
            return np.full(count, NAN)
        return np.asarray(values, dtype=np.float64)

    return Track(
        source=source,
        format="gpx",
        lat_deg=column(lat_deg),
        lon_deg=column(lon_deg),
        elevation_m=column(elevation_m),
        heart_rate_bpm=column(heart_rate_bpm),
        cadence_rpm=column(cadence_rpm),
        segment=np.zeros(count, dtype=np.int64)
        if segment is None
        else np.asarray(segment, dtype=np.int64),
        time_s=None if time_s is None else np.asarray(time_s, dtype=np.float64),
    )


def straight_north(
    distance_m: float = 1000.0, duration_s: float = 300.0, step_s: float = 1.0
) -> Track:
    """Return a steady run due north, points evenly spaced in distance and time."""
    return TrackBuilder().run(distance_m, duration_s, step_s).build()


def square_loop(distance_m: float, duration_s: float, step_s: float = 1.0) -> Track:
    """Return a steady run around a square (north, east, south, west) back to the start."""
    builder = TrackBuilder(elevation_m=300.0)
    for bearing in (0.0, 90.0, 180.0, 270.0):
        builder.run(distance_m / 4, duration_s / 4, step_s, bearing_deg=bearing)
    return builder.build()


def course_of(track: Track) -> course.Course:
    """Return the course of every point of a track, none dropped."""
    steps = geodesy.step_distances_m(track.lat_deg, track.lon_deg)
    return course.build(track, np.ones(len(track), dtype=bool), steps)


def as_route(track: Track) -> Track:
    """Return the same points without times: a route."""
    return replace(track, time_s=None)


def without_gps(track: Track) -> Track:
    """Return the track as a treadmill or footpod records it: no positions, the device's
    distance from the start at each point (the same steps, nothing across a pause)."""
    steps = course_of(track).step_m
    nowhere = np.full(len(track), NAN)
    return replace(
        track,
        lat_deg=nowhere,
        lon_deg=nowhere.copy(),
        device_distance_m=np.concatenate(([0.0], np.cumsum(steps))),
    )


def with_spike(track: Track, index: int, offset_m: float, bearing_deg: float = 90.0) -> Track:
    """Return the track with point index moved offset_m away (a GPS glitch)."""
    point = geodesic(meters=offset_m).destination(
        (track.lat_deg[index], track.lon_deg[index]), bearing_deg
    )
    lat, lon = track.lat_deg.copy(), track.lon_deg.copy()
    lat[index], lon[index] = point.latitude, point.longitude
    return replace(track, lat_deg=lat, lon_deg=lon)


def with_elevation_noise(track: Track, sigma_m: float, seed: int = 1) -> Track:
    """Return the track with Gaussian noise of sigma_m added to every elevation."""
    noise = np.random.default_rng(seed).normal(0.0, sigma_m, len(track))
    return replace(track, elevation_m=track.elevation_m + noise)


def with_position_noise(track: Track, sigma_m: float, seed: int = 1) -> Track:
    """Return the track with Gaussian noise of sigma_m (each axis) added to every position."""
    rng = np.random.default_rng(seed)
    metres_per_deg_lat = 111_132.0
    metres_per_deg_lon = metres_per_deg_lat * np.cos(np.radians(track.lat_deg))
    lat = track.lat_deg + rng.normal(0.0, sigma_m, len(track)) / metres_per_deg_lat
    lon = track.lon_deg + rng.normal(0.0, sigma_m, len(track)) / metres_per_deg_lon
    return replace(track, lat_deg=lat, lon_deg=lon)


def read_gpx(path: Path) -> Track:
    """Return a Track of every trkpt in a GPX file (tests only; the real reader is elsewhere)."""
    with path.open(encoding="utf-8") as handle:
        gpx = gpxpy.parse(handle)
    lat, lon, time, elevation, heart_rate, cadence, segment = [], [], [], [], [], [], []
    number = 0
    for track in gpx.tracks:
        for part in track.segments:
            for point in part.points:
                lat.append(point.latitude)
                lon.append(point.longitude)
                time.append(None if point.time is None else point.time.timestamp())
                elevation.append(NAN if point.elevation is None else point.elevation)
                hr, cad = _garmin_extension(point)
                heart_rate.append(hr)
                cadence.append(cad)
                segment.append(number)
            number += 1
    timed = all(value is not None for value in time)
    return make_track(
        lat,
        lon,
        [float(value) for value in time if value is not None] if timed else None,
        elevation_m=elevation,
        heart_rate_bpm=heart_rate,
        cadence_rpm=cadence,
        segment=segment,
        source=path.name,
    )


def _garmin_extension(point: gpxpy.gpx.GPXTrackPoint) -> tuple[float, float]:
    """Return (hr, cad) from a Garmin TrackPointExtension, NaN where absent."""
    found = {"hr": NAN, "cad": NAN}
    for extension in point.extensions:
        for child in extension.iter():
            name = child.tag.rsplit("}", 1)[-1]
            if name in found and child.text:
                found[name] = float(child.text)
    return found["hr"], found["cad"]
