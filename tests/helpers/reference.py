"""Figures worked out without heroicrun, to hold its answers against: gpxpy reads a GPX's points
and geopy measures them. (How figures are written is heroicrun.units, tested on its own.)"""

from __future__ import annotations

from itertools import pairwise
from pathlib import Path

import gpxpy
from geopy.distance import geodesic


def distance_m(path: Path) -> float:
    """Summed geopy geodesic over each gpxpy segment, in metres: the definition, computed
    another way."""
    parsed = gpxpy.parse(path.read_text(encoding="utf-8-sig"))
    total = 0.0
    for track in parsed.tracks:
        for segment in track.segments:
            points = [(p.latitude, p.longitude) for p in segment.points]
            total += sum(geodesic(a, b).m for a, b in pairwise(points))
    return total
