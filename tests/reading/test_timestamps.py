"""Timestamps: the vectorised column reader agrees with the one-at-a-time parser and the truth."""

from __future__ import annotations

import math
import random
from datetime import UTC, datetime, timedelta, timezone

import numpy as np
import pytest

from heroicrun.reading import timestamps
from heroicrun.reading.timestamps import Stamp

ZONES = ["Z", "+00:00", "+01:00", "-05:00", "+05:45", "-09:30", "+14:00", ""]


def random_moment(rng: random.Random) -> datetime:
    start = datetime(1981, 1, 1, tzinfo=UTC)
    return start + timedelta(seconds=rng.uniform(0, 118 * 365.25 * 86400))


def write(moment: datetime, zone: str, digits: int, rng: random.Random) -> tuple[bytes, float]:
    """The moment written with `digits` fraction digits in `zone`, and its true UTC seconds."""
    offset = timedelta(0)
    if zone not in ("Z", ""):
        sign = -1 if zone[0] == "-" else 1
        offset = sign * timedelta(hours=int(zone[1:3]), minutes=int(zone[4:6]))
    local = moment.astimezone(timezone(offset)).replace(microsecond=0)
    fraction = rng.randrange(10**digits) if digits else 0
    text = local.strftime("%Y-%m-%dT%H:%M:%S")
    if digits:
        text += f".{fraction:0{digits}d}"
    truth = local.replace(tzinfo=UTC).timestamp() - offset.total_seconds()
    return (text + zone).encode(), truth + (fraction / 10**digits if digits else 0)


@pytest.mark.parametrize("zone", ZONES)
@pytest.mark.parametrize("digits", range(8))
def test_parse_many_agrees_with_parse_and_the_truth(zone: str, digits: int) -> None:
    rng = random.Random(f"{zone}{digits}")
    column = [write(random_moment(rng), zone, digits, rng) for _ in range(400)]
    texts = [text for text, _ in column]
    truth = np.array([seconds for _, seconds in column])
    fast, has_offset = timestamps.parse_many(texts)
    slow = [timestamps.parse(text) for text in texts]
    # parse keeps microseconds; a 7th digit is cut, so it may differ by up to 1 µs.
    slack = 1.5e-6 if digits == 7 else 5e-7
    assert not np.isnan(fast).any()
    assert np.max(np.abs(fast - truth)) < 5e-7
    assert (
        max(
            abs(stamp.seconds - seconds)
            for stamp, seconds in zip(slow, truth, strict=True)
            if stamp.seconds is not None
        )
        < slack
    )
    assert all(stamp.seconds is not None for stamp in slow)
    assert has_offset.tolist() == [stamp.has_offset for stamp in slow] == [zone != ""] * 400


def test_mixed_shapes_fall_back_to_parse() -> None:
    rng = random.Random(7)
    texts = [
        write(random_moment(rng), rng.choice(ZONES), rng.randrange(8), rng)[0] for _ in range(300)
    ]
    fast, _ = timestamps.parse_many(texts)
    for value, text in zip(fast.tolist(), texts, strict=True):
        if not math.isnan(value):
            stamp = timestamps.parse(text)
            assert stamp.seconds is not None and abs(stamp.seconds - value) < 1.5e-6


def test_rows_of_different_widths_never_borrow_each_others_bytes() -> None:
    # Together these fill a 3 x 20 matrix exactly, as three good times would.
    texts = [b"2024-05-01T06:00:00Z", b"2024-05-01T06:00:01Z2024-05-01T06:00:02Z", b""]
    fast, _ = timestamps.parse_many(texts)
    assert np.isnan(fast).all()


@pytest.mark.parametrize(
    "text",
    [
        b"2023-02-29T06:00:00Z",
        b"2021-02-30T06:00:00Z",
        b"2024-04-31T06:00:00Z",
        b"2024-13-01T06:00:00Z",
        b"2024-00-10T06:00:00Z",
        b"2024-05-00T06:00:00Z",
        b"2024-05-01T24:00:00Z",
        b"2024-05-01T06:60:00Z",
        b"2016-12-31T23:59:60Z",
        b"2024-05-01T06:00:0xZ",
        b"2024/05/01T06:00:00Z",
        b"1901-12-13T20:45:52Z",
        b"1980-01-05T23:59:59Z",
        b"2100-01-01T00:00:00Z",
        b"2024-05-01T06:00:00X",
        b"2024-05-01T06:00:00+99:99",
        b"2024-05-01T06:00:00+14:01",
        b"2024-05-01T06:00:00-15:00",
        b"2024-05-01T06:00:00+05:60",
    ],
)
def test_impossible_or_implausible_rows_come_back_nan(text: bytes) -> None:
    good = b"2024-05-01T06:00:00Z"
    fast, _ = timestamps.parse_many([good, text, good])
    assert math.isnan(fast[1])
    # The good rows are read, unless the odd row changed the column's shape (its zone).
    assert {fast[0], fast[2]} <= {1714543200.0} or np.isnan(fast).all()
    assert timestamps.parse(text).seconds is None


def test_leap_day() -> None:
    fast, _ = timestamps.parse_many([b"2024-02-29T12:00:00Z", b"2000-02-29T12:00:00Z"])
    assert fast.tolist() == [
        datetime(2024, 2, 29, 12, tzinfo=UTC).timestamp(),
        datetime(2000, 2, 29, 12, tzinfo=UTC).timestamp(),
    ]


def test_empty_column() -> None:
    fast, has_offset = timestamps.parse_many([])
    assert fast.shape == has_offset.shape == (0,)


@pytest.mark.parametrize(
    ("text", "stamp"),
    [
        ("2024-05-01T06:00:00Z", Stamp(1714543200.0)),
        (b"2024-05-01T08:00:00+02:00", Stamp(1714543200.0)),
        ("2024-05-01T06:00:00", Stamp(1714543200.0, has_offset=False)),
        (" \n 2024-05-01T06:00:00.5Z\t", Stamp(1714543200.5)),
        (
            "2021-01-07T21:51:59.179+01:15",
            Stamp(datetime(2021, 1, 7, 20, 36, 59, 179000, UTC).timestamp()),
        ),
        ("", Stamp(None, problem="an empty time")),
        (
            "2021-02-30T06:00:00Z",
            Stamp(
                None,
                problem="time '2021-02-30T06:00:00Z' is not a real date and time",
                malformed=True,
            ),
        ),
        (
            "2016-12-31T23:59:60Z",
            Stamp(
                None,
                problem="time '2016-12-31T23:59:60Z' is a leap second, which heroicrun cannot read",
                malformed=True,
            ),
        ),
        (
            "last Tuesday",
            Stamp(
                None, problem="time 'last Tuesday' is not an ISO 8601 date and time", malformed=True
            ),
        ),
        (
            "1901-12-13T20:45:52.2073437Z",
            Stamp(None, problem="time '1901-12-13T20:45:52.2073437Z' is not a plausible date"),
        ),
        (
            "2150-01-01T00:00:00",
            Stamp(
                None, has_offset=False, problem="time '2150-01-01T00:00:00' is not a plausible date"
            ),
        ),
    ],
)
def test_parse(text: str | bytes, stamp: Stamp) -> None:
    assert timestamps.parse(text) == stamp


def test_a_long_bad_time_is_shortened() -> None:
    stamp = timestamps.parse("x" * 10_000)
    assert stamp.problem == f"time '{'x' * 40}…' is not an ISO 8601 date and time"


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("2024-05-01T06:00:00+99:99", "no clock is more than 14 hours from UTC"),
        ("2024-05-01T06:00:00+23:59", "no clock is more than 14 hours from UTC"),
        ("2024-05-01T06:00:00-14:30", "no clock is more than 14 hours from UTC"),
        ("2024-05-01T06:00:00.250+1500", "no clock is more than 14 hours from UTC"),
        ("2024-05-01T06:00:00+05:75", "an hour has 60 minutes"),
        ("2024-05-01T06:00-03:60", "an hour has 60 minutes"),
    ],
)
def test_an_impossible_offset_is_a_broken_time(text: str, why: str) -> None:
    assert timestamps.parse(text) == Stamp(
        None, problem=f"time {text!r} has an impossible UTC offset ({why})", malformed=True
    )


@pytest.mark.parametrize("zone", ["+14:00", "-14:00", "+05:45", "-09:30", "+00:00"])
def test_the_offsets_clocks_really_show_are_read(zone: str) -> None:
    text = f"2024-05-01T06:00:00{zone}".encode()
    fast, _ = timestamps.parse_many([text])
    assert fast[0] == timestamps.parse(text).seconds
    assert not math.isnan(fast[0])
