"""What was run, whatever file carries it: an activity's fingerprint, and outings recorded twice.

The same outing sent as GPX, gzipped, inside a zip, with other line endings or re-exported by
another app has the same points, so it has the same fingerprint (`of`). A watch and a phone
recording one outing at once give different points over the same hours: `same_outing` finds
them by time alone, and `first_outings` decides which of a runner's outings count.
"""

from __future__ import annotations

import bisect
import hashlib
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from heroicrun.track import FloatArray, Track

# FIT's own step, 180° / 2^31 (8.4e-8°, a centimetre): a watch's points sit exactly on it, so
# their export to GPX or TCX with 8 decimals or more rounds back to the very same steps, and a
# FIT made from a GPX holds the steps its coordinates round to. A decimal grid (1e-7°) would
# split FIT values lying near its half-steps, and any export rounds some of them the other way.
COORDINATE_STEP_DEG = 180 / 2**31
# A run without GPS is known by its device's distance instead, to FIT's step (a centimetre), on
# which a watch records it and to which an export of it rounds back.
DISTANCE_STEP_M = 0.01
# Two recordings are one outing when they share at least this much of the shorter one's time.
SAME_OUTING_SHARE = 0.5


@dataclass(frozen=True)
class Activity:
    """An activity's identity: the same points give the same key, whatever the file."""

    key: str  # SHA-256, hex, of the start, the end, the point count and the coordinates
    start_s: float | None  # first timestamp, seconds since the Unix epoch (UTC); None: a route
    end_s: float | None  # last timestamp, likewise
    points: int


@dataclass(frozen=True)
class Outing:
    """A stored recording's place in time: its id, first and last timestamps (epoch seconds)."""

    id: int
    start_s: float
    end_s: float

    @property
    def elapsed_s(self) -> float:
        """First to last timestamp, in seconds."""
        return self.end_s - self.start_s


def of(track: Track) -> Activity:
    """The fingerprint of a track's points: times to the whole second, coordinates to FIT's
    step (8.4e-8°); for a run without GPS, every time and the device's distance (1 cm).

    Each outing of a file is a track of its own points, so each has its own fingerprint, the
    same as that outing's alone in a file of its own.
    """
    start_s = end_s = None
    if track.time_s is not None and len(track):
        start_s, end_s = float(track.time_s[0]), float(track.time_s[-1])
    when = "route" if start_s is None or end_s is None else f"{_second(start_s)}-{_second(end_s)}"
    digest = hashlib.sha256(f"{when}|{len(track)}|".encode())
    if track.device_distance_m is None:
        for degrees in (track.lat_deg, track.lon_deg):
            digest.update(_steps(degrees, COORDINATE_STEP_DEG))
    else:
        # No positions to tell two treadmill runs apart: the clock and the distance do.
        digest.update(b"without gps|")
        if track.time_s is not None:
            digest.update(np.floor(track.time_s).astype("<i8").tobytes())
        digest.update(_steps(track.device_distance_m, DISTANCE_STEP_M))
    return Activity(digest.hexdigest(), start_s, end_s, len(track))


def _steps(values: FloatArray, step: float) -> bytes:
    """Values counted in whole steps, as little-endian 64-bit integers (a missing value as the
    smallest integer, which no value rounds to)."""
    counted = np.rint(np.asarray(values, dtype=np.float64) / step)
    whole = np.full(counted.shape, np.iinfo(np.int64).min, dtype="<i8")
    finite = np.isfinite(counted)
    whole[finite] = counted[finite]
    return whole.tobytes()


def _second(moment_s: float) -> int:
    # Whole seconds: FIT keeps no fractions, and an export to GPX may drop them.
    return math.floor(moment_s)


def overlap_s(one: Outing, other: Outing) -> float:
    """How long two outings ran at the same time, in seconds (0 when they did not)."""
    return max(0.0, min(one.end_s, other.end_s) - max(one.start_s, other.start_s))


def shared(one: Outing, other: Outing) -> float:
    """The share of the shorter outing's time that the other covers, 0 to 1."""
    shorter_s = min(one.elapsed_s, other.elapsed_s)
    return 0.0 if shorter_s <= 0 else overlap_s(one, other) / shorter_s


def same_outing(one: Outing, other: Outing) -> bool:
    """Whether two recordings are one outing: together for most of the shorter one's time."""
    return shared(one, other) >= SAME_OUTING_SHARE


def first_outing(outing: Outing, counted: Iterable[Outing]) -> Outing | None:
    """The counted outing this one repeats (the most shared, then the earliest stored), if any."""
    found = [other for other in counted if other.id != outing.id and same_outing(outing, other)]
    return min(found, key=lambda other: (-shared(outing, other), other.id), default=None)


def first_outings(stored: Sequence[Outing]) -> dict[int, int]:
    """For outings in the order they were stored: each one that repeats an earlier counted
    outing, mapped to it (id → id). The others count: the first of each outing is the one."""
    repeats: dict[int, int] = {}
    counted: list[Outing] = []  # sorted by start
    starts: list[float] = []
    longest_s = 0.0
    for outing in stored:
        # Only counted outings starting in [start - longest, end] can share time with this one.
        low = bisect.bisect_left(starts, outing.start_s - longest_s)
        high = bisect.bisect_right(starts, outing.end_s)
        earlier = first_outing(outing, counted[low:high])
        if earlier is not None:
            repeats[outing.id] = earlier.id
            continue
        at = bisect.bisect_right(starts, outing.start_s)
        starts.insert(at, outing.start_s)
        counted.insert(at, outing)
        longest_s = max(longest_s, outing.elapsed_s)
    return repeats


def not_counted(outing: Outing, first: Outing) -> str:
    """Why a recording does not count, in a sentence: "the same outing as run 12 (overlaps
    94 % of it)"."""
    covered_s = overlap_s(outing, first)
    if _percent(covered_s, first.elapsed_s) >= SAME_OUTING_SHARE * 100:
        share = f"overlaps {_percent(covered_s, first.elapsed_s)} % of it"
    else:
        share = f"{_percent(covered_s, outing.elapsed_s)} % of this run lies within it"
    return f"the same outing as run {first.id} ({share})"


def _percent(part_s: float, whole_s: float) -> int:
    return 0 if whole_s <= 0 else min(100, round(part_s / whole_s * 100))
