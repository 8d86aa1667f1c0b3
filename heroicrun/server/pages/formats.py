"""How pages write numbers, as Jinja filters: durations and paces as the terminal writes them
(heroicrun.units). Every filter writes "–" for a value that is not there."""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from heroicrun import units


def _known(value: float | None) -> bool:
    return value is not None and math.isfinite(value)


def km(metres: float | None, digits: int = 2) -> str:
    """'12.34 km' from metres."""
    if metres is None or not _known(metres):
        return units.UNKNOWN
    return f"{metres / units.KM_M:,.{digits}f} km"


def miles(metres: float | None, digits: int = 2) -> str:
    """'7.67 mi' from metres."""
    if metres is None or not _known(metres):
        return units.UNKNOWN
    return f"{metres / units.MILE_M:,.{digits}f} mi"


def speed(metres_per_second: float | None) -> str:
    """'12.4 km/h' from m/s."""
    if metres_per_second is None or not _known(metres_per_second):
        return units.UNKNOWN
    return f"{metres_per_second * 3.6:.1f} km/h"


def metres(value: float | None, signed: bool = False) -> str:
    """'412 m', or '+23 m' when signed."""
    if value is None or not _known(value):
        return units.UNKNOWN
    whole = round(value) or 0  # no "-0 m"
    return f"{whole:+,d} m" if signed and whole else f"{whole:,d} m"


def number(value: float | None, digits: int = 0) -> str:
    """'1,405', or with digits after the point."""
    if value is None or not _known(value):
        return units.UNKNOWN
    return f"{value:,.{digits}f}"


def moment(value: datetime | str | None) -> str:
    """'2014-01-17 08:33 UTC' from an aware datetime or an ISO 8601 string."""
    if value is None:
        return units.UNKNOWN
    if isinstance(value, str):
        value = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return value.strftime("%Y-%m-%d %H:%M UTC")


def hours(seconds: float | None) -> str:
    """A long duration: "312 h 05 min", "42 min"."""
    whole_minutes = round((seconds or 0.0) / 60)
    hour, minute = divmod(whole_minutes, 60)
    return f"{hour:,} h {minute:02d} min" if hour else f"{minute} min"


def day(value: datetime | date | None) -> str:
    """A day as people write it: "Sat 26 Sep 2026"."""
    return units.UNKNOWN if value is None else f"{value:%a} {value.day} {value:%b %Y}"


def percent(part: float | None, whole: float | None) -> float:
    """How full a bar is, 0 to 100."""
    if not part or not whole:
        return 0.0
    return round(min(max(100.0 * part / whole, 0.0), 100.0), 1)


def paragraphs(text: str) -> tuple[str, ...]:
    """A story text's paragraphs (split at blank lines, lines within one joined)."""
    return tuple(
        " ".join(part.split()) for part in text.replace("\r\n", "\n").split("\n\n") if part.strip()
    )


FILTERS: dict[str, Callable[..., Any]] = {
    "duration": units.duration,
    "pace": units.pace,
    "km": km,
    "miles": miles,
    "speed": speed,
    "metres": metres,
    "number": number,
    "moment": moment,
}

HELPERS: dict[str, Any] = {
    "KM_M": units.KM_M,
    "MILE_M": units.MILE_M,
    "seconds_per": units.seconds_per,
    "hours": hours,
    "day": day,
    "percent": percent,
    "paragraphs": paragraphs,
}
