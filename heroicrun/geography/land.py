"""Land, sea and country borders from Natural Earth at 1:50m, bundled with heroicrun.

The data (land-50m.npz, derived by tools/derive_land.py; see SOURCES.md) is read once, on first
use, and nothing is fetched. Queries give the land's rings and the borders within a box of
longitude and latitude, simplified for the map's scale and cut to the box. Longitudes may run
past ±180 (a route round the world is drawn with continuous longitudes): the land is repeated
whole turns east and west to fill such a box.

The data's grid is 0.0036° of longitude by 0.0017° of latitude (about 400 m by 190 m), and its
coast is drawn to 1:50,000,000: right for a country or a route across one, a few hundred metres
off at the scale of a city run.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from importlib import resources

import numpy as np
import numpy.typing as npt

from heroicrun.geography import clipping
from heroicrun.geography.clipping import FloatArray

DATA = "land-50m.npz"
WEIGHT_PER_OCTAVE = 7  # as tools/derive_land.py quantized each point's importance ...
WEIGHT_OFFSET = 24  # ... round(7 * (log2(area) + 24)), area in square degrees
KEEP = 255  # the ends of an arc, kept at every scale
# A point is kept when the triangle it makes with its neighbours is at least this share of the
# square of `detail_deg`: half a square pixel keeps the coast's shape and drops its wrinkles.
AREA_SHARE = 0.5

UInt8Array = npt.NDArray[np.uint8]


@dataclass(frozen=True)
class Box:
    """A box of latitude and longitude in degrees; `west` and `east` may run past ±180 (and
    `east` is always greater than `west`)."""

    south: float
    west: float
    north: float
    east: float


@dataclass(frozen=True, eq=False)
class Outline:
    """A land ring (closed, its first point not repeated) or a border line, in degrees."""

    lat_deg: FloatArray
    lon_deg: FloatArray


@dataclass(frozen=True, eq=False)
class Shapes:
    """What lies in a box: the land's rings (outer rings and holes alike, to fill even-odd) and
    the borders between countries."""

    land: tuple[Outline, ...]
    borders: tuple[Outline, ...]


@dataclass(frozen=True, eq=False)
class _Part:
    lon: FloatArray
    lat: FloatArray
    weight: UInt8Array


@dataclass(frozen=True, eq=False)
class _Atlas:
    rings: tuple[_Part, ...]
    ring_boxes: FloatArray  # one row per ring: south, west, north, east
    borders: tuple[_Part, ...]
    border_boxes: FloatArray


def within(box: Box, detail_deg: float) -> Shapes:
    """The land and borders in `box`, without detail smaller than `detail_deg` (degrees of
    latitude; about one pixel of the map), cut to the box."""
    atlas = _atlas()
    threshold = _threshold(detail_deg)
    land: list[Outline] = []
    borders: list[Outline] = []
    for turn in _turns(box):
        shifted = (box.south, box.west - turn, box.north, box.east - turn)
        for index in _meeting(atlas.ring_boxes, shifted, detail_deg):
            ring = atlas.rings[index]
            keep = ring.weight >= threshold
            if np.count_nonzero(keep) < 3:
                continue
            lon, lat = ring.lon[keep], ring.lat[keep]
            south, west, north, east = atlas.ring_boxes[index]
            if west < shifted[1] or east > shifted[3] or south < box.south or north > box.north:
                lon, lat = clipping.ring(lon, lat, shifted)
            if len(lon) >= 3:
                land.append(Outline(lat, lon + turn))
        for index in _meeting(atlas.border_boxes, shifted, 0.0):
            part = atlas.borders[index]
            keep = part.weight >= threshold
            for lon, lat in clipping.lines(part.lon[keep], part.lat[keep], shifted):
                borders.append(Outline(lat, lon + turn))
    return Shapes(tuple(land), tuple(borders))


def is_land(lat_deg: float, lon_deg: float) -> bool:
    """Whether the point lies on land (at the data's full detail)."""
    atlas = _atlas()
    lon = (lon_deg + 180.0) % 360.0 - 180.0
    boxes = atlas.ring_boxes
    near = np.flatnonzero(
        (boxes[:, 0] <= lat_deg)
        & (boxes[:, 2] >= lat_deg)
        & (boxes[:, 1] <= lon)
        & (boxes[:, 3] >= lon)
    )
    crossings = 0
    for index in near:
        ring = atlas.rings[index]
        x, y = ring.lon, ring.lat
        x_next, y_next = np.roll(x, -1), np.roll(y, -1)
        straddles = (y > lat_deg) != (y_next > lat_deg)
        with np.errstate(divide="ignore", invalid="ignore"):
            at_x = x + (lat_deg - y) * (x_next - x) / (y_next - y)
        crossings += int(np.count_nonzero(straddles & (lon < at_x)))
    return crossings % 2 == 1


def _threshold(detail_deg: float) -> int:
    """The least weight a point needs to be kept at this detail."""
    area = AREA_SHARE * detail_deg * detail_deg
    if area <= 0:
        return 0
    return int(min(max(math.ceil(WEIGHT_PER_OCTAVE * (math.log2(area) + WEIGHT_OFFSET)), 0), KEEP))


def _turns(box: Box) -> list[float]:
    """The whole turns (in degrees) by which the world is shifted to cover the box."""
    first = math.floor((box.west + 180.0) / 360.0)
    last = math.floor((box.east + 180.0) / 360.0)
    return [360.0 * turn for turn in range(first, last + 1)]


def _meeting(
    boxes: FloatArray, box: tuple[float, float, float, float], smallest_deg: float
) -> list[int]:
    """The rows of `boxes` that meet `box` and are at least `smallest_deg` across one way."""
    south, west, north, east = box
    meets = (boxes[:, 0] <= north) & (boxes[:, 2] >= south)
    meets &= (boxes[:, 1] <= east) & (boxes[:, 3] >= west)
    if smallest_deg > 0:
        across = np.maximum(boxes[:, 2] - boxes[:, 0], boxes[:, 3] - boxes[:, 1])
        meets &= across >= smallest_deg
    found: list[int] = np.flatnonzero(meets).tolist()
    return found


@functools.cache
def _atlas() -> _Atlas:
    """The bundled data, decoded: rings and border lines in degrees, with their weights."""
    with resources.files("heroicrun.geography").joinpath(DATA).open("rb") as file:
        data = dict(np.load(file, allow_pickle=False))
    absolute = np.cumsum(data["xy"].astype(np.int64), axis=0)
    lon_all = absolute[:, 0] * float(data["scale"][0]) + float(data["translate"][0])
    lat_all = absolute[:, 1] * float(data["scale"][1]) + float(data["translate"][1])
    weight_all: UInt8Array = data["weight"]
    ends = data["arc_ends"].tolist()
    starts = [0, *ends[:-1]]

    def arc(ref: int) -> _Part:
        index = ref if ref >= 0 else ~ref
        cut = slice(starts[index], ends[index])
        part = _Part(lon_all[cut], lat_all[cut], weight_all[cut])
        if ref < 0:
            return _Part(part.lon[::-1], part.lat[::-1], part.weight[::-1])
        return part

    rings: list[_Part] = []
    refs = data["land"].tolist()
    first = 0
    for last in data["land_ends"].tolist():
        # Consecutive arcs share their meeting point: keep it once, and drop the ring's
        # closing point (it repeats the first).
        pieces = [arc(ref) for ref in refs[first:last]]
        rings.append(
            _Part(
                np.concatenate([piece.lon[:-1] for piece in pieces]),
                np.concatenate([piece.lat[:-1] for piece in pieces]),
                np.concatenate([piece.weight[:-1] for piece in pieces]),
            )
        )
        first = last
    borders = tuple(arc(int(index)) for index in data["borders"])
    return _Atlas(tuple(rings), _boxes(rings), borders, _boxes(borders))


def _boxes(parts: list[_Part] | tuple[_Part, ...]) -> FloatArray:
    return np.array(
        [(p.lat.min(), p.lon.min(), p.lat.max(), p.lon.max()) for p in parts], dtype=np.float64
    ).reshape(-1, 4)
