"""A measured run as plain JSON-ready data: the stable form behind `check --json` and the API."""

from __future__ import annotations

import math
from collections import Counter
from typing import Any

from heroicrun import sports
from heroicrun.measuring.results import BestEffort, Flag, Measures, SensorSummary, Split
from heroicrun.track import Track

# Lists a file can make as long as it likes are cut here, with a count of the rest in `unlisted`
# and a note: the summary is stored with every run and drawn on its page, so it stays tens of
# kilobytes whatever the file holds. Splits are cut where they are measured (at 1,000).
MAX_FLAGS = 50
MAX_DROPPED = 100


def describe(track: Track, measures: Measures) -> dict[str, Any]:
    """Every figure of one file, in SI units and seconds; absent values are None, never NaN."""
    unlisted = {
        "splits": measures.splits_km_count - len(measures.splits_km),
        "splits_mile": measures.splits_mile_count - len(measures.splits_mile),
        "flags": max(len(measures.flags) - MAX_FLAGS, 0),
        "dropped": max(len(track.dropped) - MAX_DROPPED, 0),
    }
    return {
        "file": track.source,
        "format": track.format,
        "kind": measures.kind,
        "name": track.name,
        "sport": track.sport,
        "on_foot": sports.on_foot(track.sport),
        "gps": track.gps,
        "outing": track.outing,
        "outings": track.outings,
        "start_time": (
            measures.start_time.isoformat().replace("+00:00", "Z") if measures.start_time else None
        ),
        "points": measures.points,
        "dropped_points": len(track.dropped) + measures.spikes_dropped,
        "distance_m": _round(measures.distance_m, 1),
        "elapsed_s": _round(measures.elapsed_s, 3),
        "moving_s": _round(measures.moving_s, 3),
        "pace_s_per_km": _round(measures.pace_s_per_km, 1),
        "pace_s_per_mile": _round(measures.pace_s_per_mile, 1),
        "average_speed_m_s": _round(measures.average_speed_m_s, 3),
        "max_speed_m_s": _round(measures.max_speed_m_s, 3),
        "elevation_gain_m": _round(measures.elevation_gain_m, 1),
        "elevation_loss_m": _round(measures.elevation_loss_m, 1),
        "min_elevation_m": _round(measures.min_elevation_m, 1),
        "max_elevation_m": _round(measures.max_elevation_m, 1),
        "heart_rate": _sensor(measures.heart_rate),
        "cadence": _sensor(measures.cadence),
        "counted_distance_m": _round(measures.counted_distance_m, 1),
        "counted_moving_s": _round(measures.counted_moving_s, 3),
        "splits": [_split(split) for split in measures.splits_km],
        "splits_mile": [_split(split) for split in measures.splits_mile],
        "best_efforts": [_effort(effort) for effort in measures.best_efforts],
        "flags": [_flag(flag) for flag in measures.flags[:MAX_FLAGS]],
        "dropped": [
            {"index": point.index, "line": point.line, "reason": point.reason}
            for point in track.dropped[:MAX_DROPPED]
        ],
        "notes": [*track.notes, *_cut_notes(measures, unlisted)],
        "unlisted": unlisted,
    }


def _cut_notes(measures: Measures, unlisted: dict[str, int]) -> list[str]:
    """One sentence for each list that was cut, saying how much was left out."""
    notes = []
    for key, what, count in (
        ("splits", "splits per km", measures.splits_km_count),
        ("splits_mile", "splits per mile", measures.splits_mile_count),
    ):
        if unlisted[key]:
            notes.append(f"lists the first {count - unlisted[key]:,} of {count:,} {what}")
    if unlisted["flags"]:
        kinds = Counter(flag.kind for flag in measures.flags[MAX_FLAGS:])
        listed = ", ".join(
            f"{count:,} {_KIND_WORDS[kind][count != 1]}" for kind, count in kinds.most_common()
        )
        notes.append(f"lists the first {MAX_FLAGS} flags, and {unlisted['flags']:,} more: {listed}")
    if unlisted["dropped"]:
        notes.append(
            f"lists the first {MAX_DROPPED} dropped points, and {unlisted['dropped']:,} more"
        )
    return notes


_KIND_WORDS = {
    "gps_spike": ("GPS glitch", "GPS glitches"),
    "vehicle": ("stretch too fast to run", "stretches too fast to run"),
}


def _round(value: float | None, digits: int) -> float | None:
    if value is None or not math.isfinite(value):
        return None
    return round(float(value), digits)


def _sensor(summary: SensorSummary | None) -> dict[str, float | None] | None:
    if summary is None:
        return None
    return {"average": _round(summary.average, 1), "max": _round(summary.maximum, 1)}


def _split(split: Split) -> dict[str, Any]:
    return {
        "number": split.number,
        "distance_m": _round(split.distance_m, 1),
        "elapsed_s": _round(split.elapsed_s, 3),
        "moving_s": _round(split.moving_s, 3),
        "pace_s_per_km": _round(split.pace_s_per_km, 1),
        "elevation_change_m": _round(split.elevation_change_m, 1),
    }


def _effort(effort: BestEffort) -> dict[str, Any]:
    return {
        "name": effort.name,
        "distance_m": effort.distance_m,
        "elapsed_s": _round(effort.elapsed_s, 3),
        "start_offset_s": _round(effort.start_offset_s, 3),
        "start_distance_m": _round(effort.start_distance_m, 1),
    }


def _flag(flag: Flag) -> dict[str, Any]:
    return {
        "kind": flag.kind,
        "detail": flag.detail,
        "start_offset_s": _round(flag.start_offset_s, 3),
        "end_offset_s": _round(flag.end_offset_s, 3),
        "start_distance_m": _round(flag.start_distance_m, 1),
        "end_distance_m": _round(flag.end_distance_m, 1),
        "lat": _round(flag.lat_deg, 7),
        "lon": _round(flag.lon_deg, 7),
        "points": flag.points,
    }
