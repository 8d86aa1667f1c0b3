"""Where a map's degrees land in its viewBox: a local equirectangular projection per map.

East-west distances are shrunk by the cosine of the map's middle latitude, which is true enough
for a run or a route up to a few thousand kilometres; a route round the world gets a frame that
covers the world (its middle latitude is near the equator, where the same projection is the
familiar plate carrée). Longitudes may run past ±180 so that such a route stays continuous.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from heroicrun.geography.land import Box
from heroicrun.track import FloatArray

Point = tuple[float, float]  # (lat, lon) in degrees
KM_PER_DEG_LAT = 111.32
MIN_COS_LAT = 0.05  # near a pole the projection gives up on east-west truth rather than explode


@dataclass(frozen=True)
class Frame:
    """A viewBox of `width` by `height` units showing the box south..north, west..east."""

    width: float
    height: float
    south: float
    west: float
    north: float
    east: float

    @property
    def cos_lat(self) -> float:
        return max(math.cos(math.radians((self.south + self.north) / 2)), MIN_COS_LAT)

    @property
    def scale(self) -> float:
        """Units per degree of latitude."""
        return self.height / (self.north - self.south)

    @property
    def km_per_unit(self) -> float:
        """Kilometres on the ground per viewBox unit, along a meridian."""
        return KM_PER_DEG_LAT / self.scale

    def xy(self, point: Point) -> tuple[float, float]:
        lat, lon = point
        return (
            (lon - self.west) * self.cos_lat * self.scale,
            (self.north - lat) * self.scale,
        )

    def xy_arrays(self, lat: FloatArray, lon: FloatArray) -> tuple[FloatArray, FloatArray]:
        return (lon - self.west) * (self.cos_lat * self.scale), (self.north - lat) * self.scale

    def box(self, margin: float = 0.0) -> Box:
        """The frame's box in degrees, grown by `margin` units on every side."""
        grow_lat = margin / self.scale
        grow_lon = grow_lat / self.cos_lat
        return Box(
            max(self.south - grow_lat, -90.0),
            self.west - grow_lon,
            min(self.north + grow_lat, 90.0),
            self.east + grow_lon,
        )


def fit(
    points: Sequence[Point],
    width: float,
    height: float,
    pad: float,
    min_span_km: float = 0.0,
) -> Frame:
    """A frame of that size showing every point at least `pad` units from its edges, centred,
    and at least `min_span_km` across each way."""
    lats = [p[0] for p in points] or [0.0]
    lons = [p[1] for p in points] or [0.0]
    lat0, lat1, lon0, lon1 = min(lats), max(lats), min(lons), max(lons)
    cos_lat = max(math.cos(math.radians((lat0 + lat1) / 2)), MIN_COS_LAT)
    min_span_deg = min_span_km / KM_PER_DEG_LAT
    span_x = max((lon1 - lon0) * cos_lat, min_span_deg, 1e-6)
    span_y = max(lat1 - lat0, min_span_deg, 1e-6)
    scale = min((width - 2 * pad) / span_x, (height - 2 * pad) / span_y)
    return centred((lat0 + lat1) / 2, (lon0 + lon1) / 2, scale, width, height)


def centred(lat: float, lon: float, scale: float, width: float, height: float) -> Frame:
    """A frame of that size centred on (lat, lon), at `scale` units per degree of latitude."""
    half_lat = height / 2 / scale
    # The cosine is the frame's own (its middle latitude is `lat`, unless clamped at a pole).
    south, north = lat - half_lat, lat + half_lat
    if south < -90.0:
        south, north = -90.0, -90.0 + 2 * half_lat
    elif north > 90.0:
        south, north = 90.0 - 2 * half_lat, 90.0
    cos_lat = max(math.cos(math.radians((south + north) / 2)), MIN_COS_LAT)
    half_lon = width / 2 / (scale * cos_lat)
    return Frame(width, height, south, lon - half_lon, north, lon + half_lon)


def height_for(points: Sequence[Point], width: float, pad: float, low: float, high: float) -> float:
    """A height between `low` and `high` that suits the points' shape at that width."""
    lats = [p[0] for p in points] or [0.0]
    lons = [p[1] for p in points] or [0.0]
    cos_lat = max(math.cos(math.radians((min(lats) + max(lats)) / 2)), MIN_COS_LAT)
    span_x = max((max(lons) - min(lons)) * cos_lat, 1e-9)
    span_y = max(lats) - min(lats)
    return float(np.clip(span_y / span_x * (width - 2 * pad) + 2 * pad, low, high))
