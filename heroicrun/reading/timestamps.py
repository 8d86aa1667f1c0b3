"""ISO 8601 timestamps as written in GPX and TCX files, checked for sense."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

# Nothing a GPS receiver recorded can predate the GPS epoch; anything later than this is a clock
# fault. Week-rollover dates (1999, 2019) fall inside and stay: they are wrong, but consistently.
EARLIEST_S = datetime(1980, 1, 6, tzinfo=UTC).timestamp()
LATEST_S = datetime(2100, 1, 1, tzinfo=UTC).timestamp()


@dataclass(frozen=True)
class Stamp:
    """A parsed timestamp: seconds since the Unix epoch, or why there is none."""

    seconds: float | None
    has_offset: bool = True
    problem: str | None = None


def parse(text: str | bytes) -> Stamp:
    """Read one timestamp; a time without an offset is taken as UTC, as GPX requires."""
    if isinstance(text, bytes):
        text = text.decode("ascii", "replace")
    text = text.strip()
    if not text:
        return Stamp(None, problem="empty time")
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        if _is_leap_second(text):
            return Stamp(None, problem=f"time {text!r} is a leap second")
        return Stamp(None, problem=f"time {text!r} is not a valid ISO 8601 date and time")
    has_offset = moment.tzinfo is not None
    if not has_offset:
        moment = moment.replace(tzinfo=UTC)
    seconds = moment.timestamp()
    if not EARLIEST_S <= seconds < LATEST_S:
        return Stamp(None, has_offset, problem=f"time {text!r} is not a plausible date")
    return Stamp(seconds, has_offset)


def _is_leap_second(text: str) -> bool:
    time_part = text.partition("T")[2]
    return time_part[6:8] == "60" and time_part[2:3] == ":"
