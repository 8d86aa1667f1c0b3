"""Figures worked out without heroicrun, to hold its answers against: gpxpy reads a GPX's points,
geopy measures them, and times are spelt as a runner reads them."""

from __future__ import annotations

from itertools import pairwise
from pathlib import Path

import gpxpy
from geopy.distance import geodesic

MILE_M = 1609.344  # the international mile


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


def clock(seconds: float) -> str:
    """'1:02:03' with hours, '5:04' without, to the nearest second."""
    hours, rest = divmod(round(seconds), 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"
