"""FIT runs recorded without GPS (a footpod, a treadmill): the device's distance instead."""

from __future__ import annotations

import numpy as np
import pytest

from heroicrun.reading import fit
from heroicrun.reading.errors import NO_POSITIONS_NOR_DISTANCE, ReadError
from heroicrun.reading.limits import DEFAULT
from heroicrun.track import Leg, Track
from tests.helpers.fitfiles import FitWriter, Value, fit_time, northward

START_S = 1_777_615_200.0  # 2026-05-01T06:00:00Z
LAP_M = 5598.6 / 6  # six equal laps of the device's 5,598.6 m
SPEED_M_S = 2.9


def read(data: bytes, name: str = "forerunner.fit") -> Track:
    return fit.read(data, name, DEFAULT)


def footpod_run(*, laps: int = 6, heart_rate_only_every: int = 0) -> bytes:
    """A Forerunner with a footpod and no GPS: a record every 2 s with time and distance, a
    lap message every LAP_M metres, a session at the end; with `heart_rate_only_every`, also
    a record with only heart rate that often (as some watches interleave them)."""
    fit = FitWriter()
    fit.add("file_id", type=4)
    fit.add("event", timestamp=fit_time(START_S), event=0, event_type=0)
    total_m = laps * LAP_M
    seconds = int(np.ceil(total_m / SPEED_M_S / 2)) * 2
    records = northward(START_S, seconds // 2 + 1, every_s=2, speed_m_s=SPEED_M_S, positions=False)
    lap, lap_start_s = 0, START_S
    for index, values in enumerate(records):
        time_s = START_S + 2 * index
        distance_m = min(2 * index * SPEED_M_S, total_m)
        values["distance"] = distance_m
        fit.add("record", **values)
        if heart_rate_only_every and index % heart_rate_only_every == 0:
            fit.add("record", timestamp=values["timestamp"], heart_rate=151)
        if lap < laps and distance_m >= (lap + 1) * LAP_M - 1e-6:
            fit.add(
                "lap",
                timestamp=fit_time(time_s),
                start_time=fit_time(lap_start_s),
                total_elapsed_time=time_s - lap_start_s,
                total_distance=LAP_M,
            )
            lap, lap_start_s = lap + 1, time_s
    end_s = START_S + 2 * (len(records) - 1)
    fit.add("event", timestamp=fit_time(end_s), event=0, event_type=4)
    fit.add(
        "session",
        timestamp=fit_time(end_s),
        start_time=fit_time(START_S),
        sport=1,
        total_elapsed_time=end_s - START_S,
        total_distance=total_m,
        num_laps=laps,
    )
    return fit.file()


def test_a_footpod_run_is_a_run_without_gps_measured_by_the_device() -> None:
    track = read(footpod_run())

    assert track.kind == "run"
    assert not track.gps
    assert track.notes == ()
    assert track.sport == "running"
    assert track.legs == (Leg(0, "running"),)
    assert np.isnan(track.lat_deg).all() and np.isnan(track.lon_deg).all()
    assert track.device_distance_m is not None
    assert track.device_distance_m[0] == 0
    assert track.device_distance_m[-1] == pytest.approx(5598.6, abs=0.005)
    assert np.all(np.diff(track.device_distance_m) >= 0)
    assert track.time_s is not None
    assert len(track) == track.time_s.shape[0] == 967
    assert np.isfinite(track.heart_rate_bpm).all()


def test_records_with_neither_position_nor_distance_are_left_out_with_a_note() -> None:
    track = read(footpod_run(heart_rate_only_every=10))

    assert not track.gps
    assert len(track) == 967
    assert track.notes == ("97 of 1064 records have no position and no distance: left out",)


def test_a_pause_splits_a_run_without_gps() -> None:
    fit = FitWriter()
    fit.add("file_id", type=4)
    records = northward(START_S, 20, positions=False, distance_from_m=0.0)
    for index, values in enumerate(records):
        if index == 10:
            fit.add("event", timestamp=values["timestamp"], event=0, event_type=1)
            fit.add("event", timestamp=fit_time(START_S + 12), event=0, event_type=0)
        if index not in (10, 11):
            fit.add("record", **values)

    track = read(fit.file())

    assert not track.gps
    assert track.segment.tolist() == [0] * 10 + [1] * 8


def test_old_devices_packed_distance_is_the_device_distance() -> None:
    """compressed_speed_distance: the distance in 1/16 m, 12 bits, wrapping every 256 m."""
    fit = FitWriter()
    fit.add("file_id", type=4)
    sixteenths = 0
    for index in range(400):
        packed = (1450 | ((sixteenths & 0xFFF) << 12)).to_bytes(3, "little")
        values: dict[str, Value] = {
            "timestamp": fit_time(START_S + index),
            "compressed_speed_distance": packed,
        }
        fit.add("record", **values)
        sixteenths += 46  # 2.875 m a second

    track = read(fit.file())

    assert not track.gps
    assert track.device_distance_m is not None
    assert track.device_distance_m[-1] == 399 * 2.875  # four wraps of 256 m on the way


def test_no_position_and_no_distance_is_refused_in_the_words_every_reader_uses() -> None:
    fit = FitWriter()
    fit.add("file_id", type=4)
    for index in range(5):
        fit.add("record", timestamp=fit_time(START_S + index), heart_rate=140)

    with pytest.raises(ReadError) as caught:
        read(fit.file(), "indoor.fit")

    assert str(caught.value) == f"indoor.fit: {NO_POSITIONS_NOR_DISTANCE}"


def test_a_footpod_distance_without_times_is_no_run() -> None:
    fit = FitWriter()
    fit.add("file_id", type=4)
    for index in range(5):
        fit.add("record", distance=index * 3.0)

    with pytest.raises(ReadError, match="has no GPS positions and no usable times"):
        read(fit.file())
