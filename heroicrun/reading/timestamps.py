"""ISO 8601 timestamps as written in GPX and TCX files, checked for sense."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np

if TYPE_CHECKING:
    import numpy.typing as npt

# Nothing a GPS receiver recorded can predate the GPS epoch; anything later than this is a clock
# fault. Week-rollover dates (1999, 2019) fall inside and stay: they are wrong, but consistently.
EARLIEST_S = datetime(1980, 1, 6, tzinfo=UTC).timestamp()
LATEST_S = datetime(2100, 1, 1, tzinfo=UTC).timestamp()
ISO_SHAPE = re.compile(r"\d{4}-\d\d-\d\d[T ]\d\d:\d\d")
# No place on Earth keeps a clock more than 14 hours from UTC (Kiribati, +14:00); datetime takes
# anything under 24 hours, and even "+05:75".
MAX_OFFSET_MIN = 14 * 60
ZONE = re.compile(r"([+-])(\d\d):?(\d\d)(?::?\d\d(?:\.\d+)?)?$")


class Stamp(NamedTuple):
    """A parsed timestamp: seconds since the Unix epoch, or why there is none.

    A named tuple, not a frozen dataclass: one is made for every time the fast path leaves
    (which can be every point of a file), and it is a quarter as costly to define.
    """

    seconds: float | None
    has_offset: bool = True
    problem: str | None = None
    malformed: bool = False  # the text is no date and time at all (not merely an unlikely one)


def parse(text: str | bytes) -> Stamp:
    """Read one timestamp; a time without an offset is taken as UTC, as GPX requires."""
    if isinstance(text, bytes):
        text = text.decode("ascii", "replace")
    text = text.strip()
    if not text:
        return Stamp(None, problem="an empty time")
    shown = repr(text if len(text) <= 40 else text[:40] + "…")
    zone = ZONE.search(text, 16) if ISO_SHAPE.match(text) else None
    why = None if zone is None else _offset_problem(int(zone[2]), int(zone[3]))
    if why is not None:
        problem = f"time {shown} has an impossible UTC offset ({why})"
        return Stamp(None, problem=problem, malformed=True)
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        if _is_leap_second(text):
            problem = f"time {shown} is a leap second, which heroicrun cannot read"
        elif ISO_SHAPE.match(text):
            problem = f"time {shown} is not a real date and time"
        else:
            problem = f"time {shown} is not an ISO 8601 date and time"
        return Stamp(None, problem=problem, malformed=True)
    has_offset = moment.tzinfo is not None
    if not has_offset:
        moment = moment.replace(tzinfo=UTC)
    seconds = moment.timestamp()
    if not EARLIEST_S <= seconds < LATEST_S:
        return Stamp(None, has_offset, problem=f"time {shown} is not a plausible date")
    return Stamp(seconds, has_offset)


def _offset_problem(hours: int, minutes: int) -> str | None:
    """Why a UTC offset of hours:minutes is impossible, or None when some clock shows it."""
    if hours * 60 + min(minutes, 59) > MAX_OFFSET_MIN:
        return "no clock is more than 14 hours from UTC"
    if minutes >= 60:
        return "an hour has 60 minutes"
    return None


def _is_leap_second(text: str) -> bool:
    time_part = text.partition("T")[2]
    return time_part[6:8] == "60" and time_part[2:3] == ":"


_DIGIT_COLUMNS = (0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18)
_SEPARATORS = {4: ord("-"), 7: ord("-"), 10: ord("T"), 13: ord(":"), 16: ord(":")}


def parse_many(texts: Sequence[bytes]) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.bool_]]:
    """Seconds (NaN where the fast path gave up) and offset flags for same-shaped timestamps.

    Watches write every time in one fixed shape ("2026-09-26T05:00:00.000Z"), so the whole
    column is read at once as a byte matrix. Rows that do not fit the shape of the first row,
    or that hold a leap second or an impossible date, come back NaN for `parse` to explain.
    """
    count = len(texts)
    seconds = np.full(count, np.nan)
    has_offset = np.ones(count, dtype=bool)
    if count == 0:
        return seconds, has_offset
    width = len(texts[0])
    # One long row and one short one would still fill the matrix, shifting times between points.
    if width < 19 or len(set(map(len, texts))) != 1:
        return seconds, has_offset
    try:
        matrix = np.frombuffer(b"".join(texts), dtype=np.uint8)
    except TypeError:
        return seconds, has_offset
    if matrix.shape[0] != count * width:
        return seconds, has_offset
    matrix = matrix.reshape(count, width)
    ok = np.ones(count, dtype=bool)
    for column, separator in _SEPARATORS.items():
        ok &= matrix[:, column] == separator
    # Bytes minus "0" stay uint8 (a non-digit wraps past 9); widening one column at a time keeps
    # a 36-hour run's times at a few MB instead of a 14-column int64 matrix.
    digits = matrix[:, _DIGIT_COLUMNS] - np.uint8(48)
    ok &= (digits <= 9).all(axis=1)

    def number(*columns: int) -> npt.NDArray[np.int64]:
        value = np.zeros(count, dtype=np.int64)
        for column in columns:
            value = value * 10 + digits[:, column]
        return value

    year = number(0, 1, 2, 3)
    month = number(4, 5)
    day = number(6, 7)
    hour = number(8, 9)
    minute = number(10, 11)
    second = number(12, 13)
    zone_width, offset_s = _zone(matrix, ok)
    fraction = np.zeros(count)
    fraction_width = width - 19 - zone_width
    if fraction_width > 0:
        ok &= matrix[:, 19] == ord(".")
        fraction_digits = matrix[:, 20 : 20 + fraction_width - 1] - np.uint8(48)
        ok &= (fraction_digits <= 9).all(axis=1)
        for place in range(fraction_width - 1):
            fraction += fraction_digits[:, place] * 10.0 ** -(place + 1)
    leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
    month_days = np.array([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])
    ok &= (month >= 1) & (month <= 12)
    safe_month = np.where(ok, month, 1)
    ok &= (day >= 1) & (day <= month_days[safe_month] + (leap & (safe_month == 2)))
    ok &= (hour <= 23) & (minute <= 59) & (second <= 59)
    total = (
        _days_from_civil(year, safe_month, day) * 86400.0
        + hour * 3600
        + minute * 60
        + second
        + fraction
        - offset_s
    )
    ok &= (total >= EARLIEST_S) & (total < LATEST_S)
    seconds[ok] = total[ok]
    has_offset[:] = zone_width > 0
    return seconds, has_offset


def _zone(matrix: npt.NDArray[np.uint8], ok: npt.NDArray[np.bool_]) -> tuple[int, Any]:
    """Width of the UTC offset suffix shared by every row, and each row's offset in seconds."""
    last = matrix[:, -1]
    if bool((last == ord("Z")).all()):
        return 1, 0
    if matrix.shape[1] >= 25 and bool((matrix[:, -3] == ord(":")).all()):
        sign = matrix[:, -6]
        ok &= (sign == ord("+")) | (sign == ord("-"))
        parts = matrix[:, [-5, -4, -2, -1]].astype(np.int64) - 48
        ok &= ((parts >= 0) & (parts <= 9)).all(axis=1)
        hours, minutes = parts[:, 0] * 10 + parts[:, 1], parts[:, 2] * 10 + parts[:, 3]
        # Impossible offsets come back NaN, for `parse` to explain.
        ok &= (minutes < 60) & (hours * 60 + minutes <= MAX_OFFSET_MIN)
        offset = hours * 3600 + minutes * 60
        return 6, np.where(sign == ord("-"), -offset, offset)
    return 0, 0


def _days_from_civil(
    year: npt.NDArray[np.int64], month: npt.NDArray[np.int64], day: npt.NDArray[np.int64]
) -> npt.NDArray[np.int64]:
    """Days since 1970-01-01 for proleptic Gregorian dates (Howard Hinnant's algorithm)."""
    year = year - (month <= 2)
    era = np.floor_divide(year, 400)
    year_of_era = year - era * 400
    day_of_year = (153 * (month + np.where(month > 2, -3, 9)) + 2) // 5 + day - 1
    day_of_era = year_of_era * 365 + year_of_era // 4 - year_of_era // 100 + day_of_year
    result: npt.NDArray[np.int64] = era * 146097 + day_of_era - 719468
    return result
