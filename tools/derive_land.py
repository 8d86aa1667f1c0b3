"""Derive heroicrun's bundled land and borders from world-atlas's Natural Earth TopoJSON.

    cd "$(mktemp -d)" && npm pack world-atlas@2.0.2
    python tools/derive_land.py world-atlas-2.0.2.tgz heroicrun/geography/land-50m.npz

Reads `package/countries-50m.json` from the npm tarball (or a bare countries-50m.json) and writes
a compressed numpy archive (no pickles) holding:

- `scale`, `translate`: the TopoJSON transform (quantized units to degrees of lon and lat);
- `xy`: every arc's points, quantized, as (x, y) differences from the point before, running on
  from one arc to the next, so one cumulative sum restores them all;
- `arc_ends`: how many points lie in arcs 0..i, for each arc i;
- `weight`: each point's importance for simplification, 255 at an arc's ends (kept at any scale
  so that rings close and borders meet the coast), else its Visvalingam–Whyatt effective area A
  (square degrees, east-west shrunk by the cosine of the latitude) as round(7 * (log2(A) + 24)),
  clipped to 1..254, and 0 for a point that adds no area at all;
- `land`, `land_ends`: the land's rings as TopoJSON arc references (~i is arc i reversed), cut
  into rings by `land_ends`; outer rings and holes alike, for an even-odd fill;
- `borders`: the arcs two different countries share (TopoJSON's mesh with a !== b).

The land and the countries come from the same topology, so borders end exactly on the coast.
Only the standard library and numpy are needed.
"""

from __future__ import annotations

import argparse
import heapq
import io
import json
import math
import tarfile
from pathlib import Path
from typing import Any

import numpy as np

MEMBER = "package/countries-50m.json"
WEIGHT_PER_OCTAVE = 7  # weight steps per doubling of area
WEIGHT_OFFSET = 24  # log2 of the smallest area told apart, negated (2**-24 square degrees)
KEEP = 255


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("source", type=Path, help="world-atlas-*.tgz or countries-50m.json")
    parser.add_argument("target", type=Path, help="the .npz to write")
    args = parser.parse_args()
    topology = _read(args.source)
    arrays = derive(topology)
    buffer = io.BytesIO()
    np.savez_compressed(buffer, allow_pickle=False, **arrays)
    args.target.write_bytes(buffer.getvalue())
    points = len(arrays["weight"])
    print(
        f"{args.target}: {len(arrays['arc_ends'])} arcs, {points} points,"
        f" {len(arrays['land_ends'])} land rings, {len(arrays['borders'])} border arcs,"
        f" {args.target.stat().st_size / 1024:.0f} KB"
    )


def _read(source: Path) -> dict[str, Any]:
    if source.suffix in (".tgz", ".gz"):
        with tarfile.open(source) as archive:
            member = archive.extractfile(MEMBER)
            if member is None:
                raise SystemExit(f"{source}: no {MEMBER}")
            found: dict[str, Any] = json.load(member)
            return found
    with source.open(encoding="utf-8") as file:
        found = json.load(file)
        return found


def derive(topology: dict[str, Any]) -> dict[str, np.ndarray]:
    """The arrays the archive holds (see the module's docstring)."""
    transform = topology["transform"]
    scale = np.array(transform["scale"], dtype=np.float64)
    translate = np.array(transform["translate"], dtype=np.float64)
    arcs = [np.cumsum(np.array(arc, dtype=np.int64), axis=0) for arc in topology["arcs"]]
    absolute = np.concatenate(arcs)
    xy = np.diff(absolute, axis=0, prepend=np.zeros((1, 2), dtype=np.int64))
    arc_ends = np.cumsum([len(arc) for arc in arcs])
    weight = np.concatenate([_weights(arc * scale + translate) for arc in arcs])

    land_refs: list[int] = []
    land_ends: list[int] = []
    for geometry in topology["objects"]["land"]["geometries"]:
        for polygon in _polygons(geometry):
            for ring in polygon:
                land_refs.extend(ring)
                land_ends.append(len(land_refs))

    users: dict[int, set[int]] = {}
    for number, country in enumerate(topology["objects"]["countries"]["geometries"]):
        for polygon in _polygons(country):
            for ring in polygon:
                for ref in ring:
                    users.setdefault(ref if ref >= 0 else ~ref, set()).add(number)
    borders = sorted(arc for arc, countries in users.items() if len(countries) > 1)

    return {
        "scale": scale,
        "translate": translate,
        "xy": _narrowest(xy),
        "arc_ends": arc_ends.astype(np.int32),
        "weight": weight,
        "land": np.array(land_refs, dtype=np.int32),
        "land_ends": np.array(land_ends, dtype=np.int32),
        "borders": np.array(borders, dtype=np.int32),
    }


def _polygons(geometry: dict[str, Any]) -> list[list[list[int]]]:
    if geometry["type"] == "Polygon":
        polygons: list[list[list[int]]] = [geometry["arcs"]]
        return polygons
    if geometry["type"] == "MultiPolygon":
        multi: list[list[list[int]]] = geometry["arcs"]
        return multi
    return []


def _narrowest(values: np.ndarray) -> np.ndarray:
    """The values as int16 when they fit (they compress better), else int32."""
    if np.abs(values).max() < 2**15:
        return values.astype(np.int16)
    return values.astype(np.int32)


def _weights(lonlat: np.ndarray) -> np.ndarray:
    """Each point's Visvalingam–Whyatt weight, quantized (see the module's docstring)."""
    count = len(lonlat)
    weight = np.full(count, KEEP, dtype=np.uint8)
    if count <= 2:
        return weight
    x: list[float] = (lonlat[:, 0] * np.cos(np.radians(lonlat[:, 1]))).tolist()
    y: list[float] = lonlat[:, 1].tolist()
    previous = list(range(-1, count - 1))
    following = list(range(1, count + 1))
    area = [math.inf] * count

    def triangle(i: int) -> float:
        a, c = previous[i], following[i]
        return abs((x[a] - x[i]) * (y[c] - y[i]) - (x[c] - x[i]) * (y[a] - y[i])) / 2

    heap: list[tuple[float, int]] = []
    for i in range(1, count - 1):
        area[i] = triangle(i)
        heap.append((area[i], i))
    heapq.heapify(heap)
    effective = [math.inf] * count
    removed = [False] * count
    floor = 0.0
    while heap:
        found, i = heapq.heappop(heap)
        if removed[i] or found != area[i]:
            continue  # a stale entry: the point's area changed since it was pushed
        # A point is never worth less than one removed before it (the effective area).
        floor = max(floor, found)
        effective[i] = floor
        removed[i] = True
        a, c = previous[i], following[i]
        following[a], previous[c] = c, a
        for j in (a, c):
            if 0 < j < count - 1 and not removed[j]:
                area[j] = triangle(j)
                heapq.heappush(heap, (area[j], j))
    inner = np.array(effective[1:-1])
    with np.errstate(divide="ignore"):
        steps = np.round(WEIGHT_PER_OCTAVE * (np.log2(inner) + WEIGHT_OFFSET))
    weight[1:-1] = np.where(inner > 0, np.clip(steps, 1, KEEP - 1), 0).astype(np.uint8)
    return weight


if __name__ == "__main__":
    main()
