"""Measuring a run recorded without GPS (a treadmill, a footpod): the device's distance is the
run; and a run whose device began recording before its first point."""

from __future__ import annotations

import json
from dataclasses import replace

import numpy as np
import pytest

from heroicrun import measuring, summary
from heroicrun.track import Track
from tests.factory import TrackBuilder, straight_north, without_gps


def treadmill(distance_m: float = 10_000.0, duration_s: float = 3000.0) -> Track:
    """A steady run on a treadmill: the given distance in the given time, a point a second."""
    return without_gps(TrackBuilder().run(distance_m, duration_s).build())


def test_a_treadmill_run_is_measured_from_the_devices_distance() -> None:
    track = treadmill()
    assert not track.gps and np.isnan(track.lat_deg).all()

    measures = measuring.measure(track)

    assert measures.distance_m == pytest.approx(10_000.0, abs=0.01)
    assert measures.counted_distance_m == pytest.approx(10_000.0, abs=0.01)
    assert measures.moving_s == pytest.approx(3000.0)
    assert measures.elapsed_s == pytest.approx(3000.0)
    assert measures.pace_s_per_km == pytest.approx(300.0, abs=0.01)
    assert [split.elapsed_s for split in measures.splits_km] == pytest.approx([300.0] * 10)
    efforts = {effort.name: effort.elapsed_s for effort in measures.best_efforts}
    assert efforts["5 km"] == pytest.approx(1500.0, abs=0.01)
    assert efforts["10 km"] == pytest.approx(3000.0, abs=0.01)
    assert measures.flags == ()
    assert measures.spikes_dropped == 0
    assert measures.elevation_gain_m is None
    assert measures.gps is False


def test_without_gps_a_run_measures_as_it_does_with_gps() -> None:
    builder = TrackBuilder(elevation_m=200.0).run(3000, 900, climb_m=40).stand(120)
    with_gps = builder.run(2000, 540, climb_m=-40).pause(300).run(1000, 270).build()

    seen, blind = measuring.measure(with_gps), measuring.measure(without_gps(with_gps))

    assert blind.distance_m == pytest.approx(seen.distance_m, abs=1e-6)
    assert blind.moving_s == pytest.approx(seen.moving_s)
    assert blind.elapsed_s == pytest.approx(seen.elapsed_s)
    assert blind.elevation_gain_m == pytest.approx(seen.elevation_gain_m)
    assert blind.elevation_gain_m is not None and blind.elevation_gain_m > 30
    assert [s.moving_s for s in blind.splits_km] == pytest.approx(
        [s.moving_s for s in seen.splits_km]
    )
    assert [e.elapsed_s for e in blind.best_efforts] == pytest.approx(
        [e.elapsed_s for e in seen.best_efforts]
    )


def test_a_device_that_starts_counting_again_loses_only_the_step_it_reset_on() -> None:
    track = treadmill(6000, 1800)
    assert track.device_distance_m is not None
    reset = track.device_distance_m.copy()
    reset[900:] -= reset[900]  # the footpod restarts from 0 at point 900
    measures = measuring.measure(replace(track, device_distance_m=reset))

    # Only the step into the reset is lost: one second of the run, 3.33 m. That second still
    # moves: it stands with the step after it, as a repeated position does.
    assert measures.distance_m == pytest.approx(6000 - 6000 / 1800, abs=0.01)
    assert measures.moving_s == pytest.approx(1800.0)
    assert len(measures.splits_km) == 6


def test_a_car_ride_is_flagged_from_speed_without_positions() -> None:
    builder = TrackBuilder().run(3000, 900).run(3000, 200).run(2000, 600)
    measures = measuring.measure(without_gps(builder.build()))

    (ride,) = measures.flags
    assert ride.kind == "vehicle"
    assert measures.vehicle_distance_m == pytest.approx(3000, rel=0.05)
    assert measures.counted_distance_m == pytest.approx(5000, rel=0.05)
    assert np.isnan(ride.lat_deg)


def test_the_summary_of_a_run_without_gps_holds_no_nan() -> None:
    builder = TrackBuilder().run(3000, 900).run(3000, 200).run(2000, 600)
    track = without_gps(builder.build(source="treadmill.fit"))

    described = summary.describe(track, measuring.measure(track))

    text = json.dumps(described.model_dump(mode="json"), allow_nan=False)
    assert described.gps is False
    assert described.distance_m == pytest.approx(8000, abs=0.1)
    assert described.flags[0].lat is None and described.flags[0].lon is None
    assert "NaN" not in text


def test_a_run_that_waited_for_a_fix_starts_when_recording_began() -> None:
    track = straight_north(1000, 300)
    assert track.time_s is not None
    first_s = float(track.time_s[0])
    measures = measuring.measure(replace(track, began_s=first_s - 45.0))

    assert measures.start_time is not None
    assert measures.start_time.timestamp() == pytest.approx(first_s - 45.0)
    assert measures.elapsed_s == pytest.approx(345.0)
    # Nothing was run while it waited: moving time and pace are the points' own.
    assert measures.moving_s == pytest.approx(300.0)
    assert measures.pace_s_per_km == pytest.approx(300.0, abs=0.01)


def test_a_route_without_times_ignores_when_recording_began() -> None:
    route = replace(straight_north(1000, 300), time_s=None, began_s=1.0e9)

    measures = measuring.measure(route)

    assert measures.start_time is None and measures.elapsed_s is None
