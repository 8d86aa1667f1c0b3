"""When a FIT file's records happened: a device clock set by timestamp_correlation (a Garmin
VIRB counts from power-on), and when recording began, before the first GPS fix."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from heroicrun.reading import fit, fitdecoding
from heroicrun.reading.limits import DEFAULT
from heroicrun.track import Track
from tests.helpers.fitfiles import FitWriter, Value, fit_time, northward, semicircles
from tests.helpers.real import real_files

START_S = 1_777_615_200.0  # 2026-05-01T06:00:00Z
POWER_ON_S = 5_000  # the camera's own clock at the first record: seconds since switched on


def read(data: bytes, name: str = "virb.fit") -> Track:
    return fit.read(data, name, DEFAULT)


def camera_file(correlation: dict[str, Value], *, correlation_after: int = 0) -> bytes:
    """A VIRB's recording: 30 records a second apart stamped by the camera's clock, a pause
    from its 10th to its 20th second (timer events on the same clock), and a
    timestamp_correlation written after record `correlation_after`."""
    fit = FitWriter()
    fit.add("file_id", type=4)
    fit.add("event", timestamp=POWER_ON_S, event=0, event_type=0)
    for index in range(30):
        if index == correlation_after:
            fit.add("timestamp_correlation", **correlation)
        if index == 10:
            fit.add("event", timestamp=POWER_ON_S + 10, event=0, event_type=1)
        if index == 20:
            fit.add("event", timestamp=POWER_ON_S + 20, event=0, event_type=0)
        if 10 < index < 20:
            continue  # nothing recorded while paused
        fit.add(
            "record",
            timestamp=POWER_ON_S + index,
            position_lat=semicircles(45.0 + index * 3e-5),
            position_long=semicircles(6.0),
        )
    return fit.file()


def test_a_time_correlation_sets_the_camera_clock_to_utc() -> None:
    # The camera's clock read 5000.75 s when UTC was START_S + 0.25 s.
    data = camera_file(
        {
            "timestamp": fit_time(START_S),
            "fractional_timestamp": 0.25,
            "system_timestamp": POWER_ON_S,
            "fractional_system_timestamp": 0.75,
        }
    )

    track = read(data)

    assert track.kind == "run"
    assert track.notes == ()
    assert track.time_s is not None
    seconds = [*range(0, 11), *range(20, 30)]
    assert track.time_s.tolist() == [START_S - 0.5 + s for s in seconds]
    # The pause, stamped on the same clock, still splits the run.
    assert track.segment.tolist() == [0] * 11 + [1] * 10


def test_milliseconds_set_the_clock_when_fractions_are_absent() -> None:
    data = camera_file(
        {
            "timestamp": fit_time(START_S),
            "timestamp_ms": 500,
            "system_timestamp": POWER_ON_S,
            "system_timestamp_ms": 250,
        }
    )

    track = read(data)

    assert track.time_s is not None
    assert track.time_s[0] == START_S + 0.25


def test_records_before_the_correlation_are_set_by_it_too() -> None:
    correlation: dict[str, Value] = {
        "timestamp": fit_time(START_S + 12),
        "system_timestamp": POWER_ON_S + 12,
    }

    track = read(camera_file(correlation, correlation_after=25))

    assert track.time_s is not None
    assert track.time_s[0] == START_S
    assert track.kind == "run"


def test_without_a_correlation_the_camera_clock_is_not_used() -> None:
    fit = FitWriter()
    fit.add("file_id", type=4)
    for index, values in enumerate(northward(0, 5)):
        fit.add("record", **(values | {"timestamp": POWER_ON_S + index}))

    track = read(fit.file())

    assert track.kind == "route"
    assert track.notes[0] == (
        "has times counted from when the device was switched on, not dates:"
        " those times are not used"
    )


# When recording began


def waiting_for_gps(*, session_start_s: float, fix_after_s: int = 209, end_s: int = 3165) -> bytes:
    """A watch started at START_S that found no GPS fix for `fix_after_s` seconds: its records
    carry times (and distance from the footpod) but no position until then."""
    fit = FitWriter()
    fit.add("file_id", type=4)
    fit.add("event", timestamp=fit_time(session_start_s), event=0, event_type=0)
    records = northward(START_S, end_s + 1, distance_from_m=0.0)
    for index, values in enumerate(records):
        if index < fix_after_s:
            values = {k: v for k, v in values.items() if not k.startswith("position")}
        fit.add("record", **values)
    fit.add("event", timestamp=fit_time(START_S + end_s), event=0, event_type=4)
    fit.add(
        "session",
        timestamp=fit_time(START_S + end_s),
        start_time=fit_time(session_start_s),
        sport=1,
        total_elapsed_time=float(START_S + end_s - session_start_s),
    )
    return fit.file()


def test_records_before_the_first_fix_count_in_elapsed_time() -> None:
    data = waiting_for_gps(session_start_s=START_S)

    track = read(data, "fenix.fit")

    assert track.time_s is not None
    assert track.time_s[0] == START_S + 209
    assert track.time_s[-1] - track.time_s[0] == 2956
    assert track.began_s == START_S
    session = fitdecoding.decode(data).table("session")
    assert track.time_s[-1] - track.began_s == session.column("total_elapsed_time")[0] == 3165
    assert track.notes == ("209 of 3166 records have no position: left out",)


def test_a_session_started_before_the_first_record_began_then() -> None:
    track = read(waiting_for_gps(session_start_s=START_S - 30))

    assert track.began_s == START_S - 30


def test_a_session_start_days_before_the_run_is_not_believed() -> None:
    track = read(waiting_for_gps(session_start_s=START_S - 3 * 86_400))

    assert track.began_s == START_S


def test_a_run_with_a_fix_from_the_first_record_began_at_it() -> None:
    track = read(waiting_for_gps(session_start_s=START_S, fix_after_s=0))

    assert track.began_s is None  # the first point is the start: nothing to add


@pytest.mark.parametrize("path", real_files(".fit"), ids=lambda path: path.name)
def test_no_real_fit_file_waited_for_a_fix(path: Path) -> None:
    """In every real FIT at hand the first record has a position and is the session's start,
    so none has recording time before its first point."""
    data = path.read_bytes()
    track = read(data, path.name)
    stream = fitdecoding.decode(data)
    records = stream.table("record")

    assert track.began_s is None
    if track.time_s is not None:
        first_s = records.column("timestamp")[0] + fit.FIT_EPOCH_S
        assert track.time_s[0] == first_s
        starts = stream.table("session").column("start_time") + fit.FIT_EPOCH_S
        assert np.all(starts >= track.time_s[0])
