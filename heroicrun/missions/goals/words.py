"""Numbers as a runner reads them in a goal's detail, never rounded onto the wrong side.

A run that misses 5 km by a metre must not read "5.0 of 5.0 km", nor a pace of 5:30.1 read
"5:30, needed 5:30": a value is shown with as many more decimals (up to two) as it takes to stay
on its own side of the target.
"""

from __future__ import annotations

import math
from collections.abc import Callable

EXTRA_DECIMALS = 2

NO_TIMES = "no timestamps in this file"


def honest(
    value: float,
    target: float,
    met: bool,
    higher_is_better: bool,
    shown: Callable[[float, int], str],
    decimals: int = 0,
) -> str:
    """Return shown(value, d) for the fewest decimals d that keep value on its side of target."""
    for places in range(decimals, decimals + EXTRA_DECIMALS + 1):
        rounded = round(value, places)
        at_least = rounded >= target if higher_is_better else rounded <= target
        if at_least == met:
            return shown(rounded, places)
    # Still not apart: round away from the target, so the detail cannot read as met.
    places = decimals + EXTRA_DECIMALS
    scale = 10.0**places
    up = met == higher_is_better
    rounded = (math.ceil(value * scale) if up else math.floor(value * scale)) / scale
    return shown(rounded, places)


def number(value: float, places: int) -> str:
    """Return value with places decimals: "212", "4.1"."""
    return f"{value:.{places}f}"


def km(distance_m: float, places: int = 1) -> str:
    """Return a distance in km with places decimals: "4.1"."""
    return f"{distance_m / 1000:.{places}f}"


def target_km(kilometres: float) -> str:
    """Return a target distance in km as written, with at least one decimal: "5.0", "42.195"."""
    text = f"{kilometres:.3f}".rstrip("0")
    return text + "0" if text.endswith(".") else text


def figure(value: float) -> str:
    """Return a target as written in the mission: "45", "2.5"."""
    return f"{value:g}"


def clock_of_day(minutes: int) -> str:
    """Return minutes after midnight as "HH:MM"."""
    return f"{minutes // 60 % 24:02d}:{minutes % 60:02d}"


def percent(share: float) -> str:
    """Return a positive share as a percentage: "3%", "0.4%", "under 0.01%"."""
    for places in range(EXTRA_DECIMALS + 1):
        if round(share * 100, places) > 0:
            return f"{share * 100:.{places}f}%"
    return "under 0.01%"
