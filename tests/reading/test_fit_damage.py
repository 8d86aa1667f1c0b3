"""Hostile and damaged FIT files: a clear ReadError or what could be read, never a crash, and
never more held in memory than the limits allow."""

from __future__ import annotations

import random
import struct
from collections.abc import Callable

import pytest

from heroicrun.reading import fit
from heroicrun.reading.errors import ReadError
from heroicrun.reading.limits import DEFAULT, Limits
from tests.helpers.fitfiles import chained_runs, old_device_run, watch_run

LIMITS = Limits(max_points=1000)  # so at most 4,000 messages are decoded


def fit_file(body: bytes) -> bytes:
    header = struct.pack("<BBHI4s", 12, 0x10, 2093, len(body), b".FIT")
    return header + body + b"\0\0"


def definition(local: int, global_number: int, fields: tuple[tuple[int, int, int], ...]) -> bytes:
    head = struct.pack("<BBBHB", 0x40 | local, 0, 0, global_number, len(fields))
    return head + b"".join(bytes(field) for field in fields)


def test_a_flood_of_empty_records_is_refused_once_past_the_limit() -> None:
    data = fit_file(definition(0, 20, ()) + b"\0" * 5000)

    with pytest.raises(ReadError) as caught:
        fit.read(data, "flood.fit", LIMITS)

    assert str(caught.value) == (
        "flood.fit: has more than 4,000 messages, more than heroicrun reads in one file"
    )


def test_a_flood_of_definitions_is_refused_once_past_the_limit() -> None:
    data = fit_file((definition(0, 20, ()) + definition(0, 21, ())) * 2500)

    with pytest.raises(ReadError, match="has more than 4,000 messages"):
        fit.read(data, "flood.fit", LIMITS)


def test_messages_heroicrun_does_not_read_cost_no_memory_and_are_not_counted() -> None:
    hrv = definition(0, 78, ((0, 10, 0x84),))  # heart-rate variability: skipped by its size
    data = fit_file(hrv + (b"\0" + bytes(10)) * 5000)

    with pytest.raises(ReadError, match="has no track points"):
        fit.read(data, "hrv.fit", LIMITS)


@pytest.mark.parametrize("seed", range(12))
@pytest.mark.parametrize(
    "make", [watch_run, old_device_run, chained_runs], ids=["watch", "old-device", "chained"]
)
def test_damaged_synthetic_files_give_a_track_or_a_read_error(
    make: Callable[[], bytes], seed: int
) -> None:
    data = make()
    rng = random.Random(seed)
    for _ in range(25):
        damaged = bytearray(data)
        for _ in range(rng.randint(1, 6)):
            damaged[rng.randrange(12, len(damaged))] = rng.randrange(256)
        cut = rng.randrange(12, len(damaged) + 1)
        for candidate in (bytes(damaged), bytes(damaged[:cut])):
            try:
                fit.read(candidate, "run.fit", DEFAULT)
            except ReadError as error:
                assert str(error).startswith("run.fit: ")
