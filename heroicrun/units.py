"""The units runs are told in: metres per kilometre and per mile, and durations and paces
written as a clock ("5:42", "1:02:03").

Plain Python only: the command line imports this at start-up.
"""

from __future__ import annotations

import math
import re

KM_M = 1000.0
MILE_M = 1609.344  # the international mile
UNKNOWN = "–"  # what a page or a table shows for a figure the run does not have

# "m:ss" or "h:mm:ss", as a mission author writes a pace or a duration.
_CLOCK = re.compile(r"^(?:(\d+):)?([0-5]?\d):([0-5]\d)$")


def clock(seconds: float, places: int = 0) -> str:
    """Return seconds as "m:ss" under an hour and "h:mm:ss" from one, with `places` decimals
    of a second ("2:00.3"); a negative one after a minus sign ("−0:05")."""
    scale = 10**places
    units = round(seconds * scale)
    whole, fraction = divmod(abs(units), scale)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    sign = "−" if units < 0 else ""
    tail = f".{fraction:0{places}d}" if places else ""
    if hours:
        return f"{sign}{hours}:{minutes:02d}:{secs:02d}{tail}"
    return f"{sign}{minutes}:{secs:02d}{tail}"


def duration(seconds: float | None) -> str:
    """Return seconds as a clock to the nearest second, or UNKNOWN when there are none (None,
    NaN)."""
    if seconds is None or not math.isfinite(seconds):
        return UNKNOWN
    return clock(seconds)


def pace(seconds_per_unit: float | None, unit: str = "km") -> str:
    """Return a pace as "5:42 /km" from seconds per unit, or UNKNOWN when there is none."""
    shown = duration(seconds_per_unit)
    return shown if shown == UNKNOWN else f"{shown} /{unit}"


def seconds_per(seconds: float | None, distance_m: float | None, unit_m: float) -> float | None:
    """Return the seconds taken per `unit_m` metres (a pace), or None without time or
    distance."""
    if not seconds or distance_m is None or distance_m <= 0:
        return None
    return seconds / (distance_m / unit_m)


def clock_seconds(text: str) -> int | None:
    """Return the seconds a clock written "m:ss" or "h:mm:ss" stands for, or None when the
    text is not one."""
    match = _CLOCK.match(text.strip())
    if match is None:
        return None
    hours, minutes, seconds = (int(part) if part else 0 for part in match.groups())
    return hours * 3600 + minutes * 60 + seconds
