"""What measuring a run gives back: plain frozen values, no NaN (absent is None)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from heroicrun.values import frozen

FlagKind = Literal["gps_spike", "vehicle"]


@frozen
class Split:
    """One km or mile of the run; times in seconds, None for a route."""

    number: int  # 1-based
    distance_m: float  # the split's length; shorter than a full split only for the last one
    elapsed_s: float | None  # clock time between its boundaries, pauses included
    moving_s: float | None
    pace_s_per_km: float | None  # moving time per km within this split
    elevation_change_m: float | None  # smoothed elevation at its end minus at its start


@frozen
class BestEffort:
    """The fastest elapsed time over a standard distance, found anywhere in the run."""

    name: str  # "400 m", "1 mile", "Half marathon", ...
    distance_m: float
    elapsed_s: float
    start_offset_s: float  # seconds after the run's first point
    start_distance_m: float  # run distance at the effort's start


@frozen
class Flag:
    """Something implausible in the file, where it happened and what heroicrun did about it."""

    kind: FlagKind
    detail: str  # one sentence a runner can read
    start_offset_s: float | None  # seconds after the first point; None for a route
    end_offset_s: float | None
    start_distance_m: float  # run distance (after dropped points) where it starts
    end_distance_m: float
    lat_deg: float
    lon_deg: float
    points: int  # how many points it covers


@frozen
class SensorSummary:
    """Average and maximum over the points that carry a reading (bpm or rpm)."""

    average: float
    maximum: float


@frozen
class Measures:
    """Everything heroicrun measures in one run or route.

    `distance_m` and `moving_s` are the whole file as the device recorded it; `counted_*` leave
    out vehicle stretches and steps no runner could take, and are what missions count; splits
    are over the counted distance. Time values are None for a route; elevation values are None
    when the file has no elevation. `start_time` and `elapsed_s` run from when the device
    began recording, when that was before the first point (it waited for a GPS fix).
    """

    kind: Literal["run", "route"]
    start_time: datetime | None  # UTC
    points: int  # kept, after dropping GPS glitches
    spikes_dropped: int
    distance_m: float
    elapsed_s: float | None
    moving_s: float | None
    pace_s_per_km: float | None  # moving time per km
    pace_s_per_mile: float | None
    average_speed_m_s: float | None  # distance over moving time
    max_speed_m_s: float | None  # best speed held for at least 5 s, vehicles left out
    elevation_gain_m: float | None
    elevation_loss_m: float | None
    min_elevation_m: float | None  # as recorded (not smoothed), glitches dropped
    max_elevation_m: float | None
    heart_rate: SensorSummary | None  # bpm
    cadence: SensorSummary | None  # rpm
    splits_km: tuple[Split, ...]  # the first ones, at most splits.MAX_SPLITS
    splits_mile: tuple[Split, ...]
    best_efforts: tuple[BestEffort, ...]
    flags: tuple[Flag, ...]
    vehicle_distance_m: float
    vehicle_s: float | None  # moving time inside vehicle stretches
    counted_distance_m: float
    counted_moving_s: float | None
    splits_km_count: int  # how many splits there are, listed or not
    splits_mile_count: int
    sport: str | None = None  # as the file declares it (heroicrun.sports); None: undeclared
    gps: bool = True  # False: no positions, the distance is the device's


def distance_words(distance_m: float) -> str:
    """Return a distance as a runner says it: "480 m", "5.2 km"."""
    if round(distance_m) < 1000:
        return f"{distance_m:.0f} m"
    return f"{distance_m / 1000:,.1f} km"


def duration_words(duration_s: float) -> str:
    """Return a duration as a runner says it: "45 s", "5 min 33 s", "1 h 02 min"."""
    seconds = round(duration_s)
    if seconds < 60:
        return f"{seconds} s"
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes} min {seconds:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"
