"""How pages write numbers: the terminal's durations and paces (heroicrun.cli.run_tables), as
Jinja filters. Every filter writes "–" for a value that is not there."""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

KM_M = 1000.0
MILE_M = 1609.344
UNKNOWN = "–"


def _known(value: float | None) -> bool:
    return value is not None and math.isfinite(value)


def duration(seconds: float | None) -> str:
    """'1:02:03' for hours, '2:03' under an hour."""
    if seconds is None or not _known(seconds):
        return UNKNOWN
    whole = round(seconds)
    sign = "−" if whole < 0 else ""
    hours, rest = divmod(abs(whole), 3600)
    minutes, secs = divmod(rest, 60)
    return f"{sign}{hours}:{minutes:02d}:{secs:02d}" if hours else f"{sign}{minutes}:{secs:02d}"


def pace(seconds_per_unit: float | None, unit: str = "km") -> str:
    """'5:42 /km' from seconds per unit."""
    if seconds_per_unit is None or not _known(seconds_per_unit):
        return UNKNOWN
    return f"{duration(seconds_per_unit)} /{unit}"


def km(metres: float | None, digits: int = 2) -> str:
    """'12.34 km' from metres."""
    if metres is None or not _known(metres):
        return UNKNOWN
    return f"{metres / KM_M:,.{digits}f} km"


def miles(metres: float | None, digits: int = 2) -> str:
    """'7.67 mi' from metres."""
    if metres is None or not _known(metres):
        return UNKNOWN
    return f"{metres / MILE_M:,.{digits}f} mi"


def speed(metres_per_second: float | None) -> str:
    """'12.4 km/h' from m/s."""
    if metres_per_second is None or not _known(metres_per_second):
        return UNKNOWN
    return f"{metres_per_second * 3.6:.1f} km/h"


def metres(value: float | None, signed: bool = False) -> str:
    """'412 m', or '+23 m' when signed."""
    if value is None or not _known(value):
        return UNKNOWN
    whole = round(value) or 0  # no "-0 m"
    return f"{whole:+,d} m" if signed and whole else f"{whole:,d} m"


def number(value: float | None, digits: int = 0) -> str:
    """'1,405', or with digits after the point."""
    if value is None or not _known(value):
        return UNKNOWN
    return f"{value:,.{digits}f}"


def moment(value: datetime | str | None) -> str:
    """'2014-01-17 08:33 UTC' from an aware datetime or an ISO 8601 string."""
    if value is None:
        return UNKNOWN
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
    return UNKNOWN if value is None else f"{value:%a} {value.day} {value:%b %Y}"


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
    "duration": duration,
    "pace": pace,
    "km": km,
    "miles": miles,
    "speed": speed,
    "metres": metres,
    "number": number,
    "moment": moment,
}

HELPERS: dict[str, Callable[..., Any]] = {
    "hours": hours,
    "day": day,
    "percent": percent,
    "paragraphs": paragraphs,
}
