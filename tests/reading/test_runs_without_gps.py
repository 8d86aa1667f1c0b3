"""TCX runs recorded without GPS (a treadmill, a footpod): the device's distance is the run."""

from __future__ import annotations

import math

import numpy as np
import pytest

from heroicrun import measuring, reading
from heroicrun.reading.errors import NO_POSITIONS_NOR_DISTANCE, ReadError
from tests.helpers.real import real
from tests.reading.documents import TCX_NS, iso, seconds, without_layouts

# A treadmill 5.6 km at 2.5 m/s (6:40 per km), one point a second, auto-lapped every kilometre
# as a Garmin watch writes it: five 1,000 m laps of 400 s and a last one of 598.6 m.
LAP_M = 1000.0
SPEED_M_S = 2.5
TOTAL_M = 5598.6
LAPS = 6


@pytest.fixture(params=["layouts", "tag walker"])
def scanner(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Run a test once on the scanner's fast path and once on its fallback."""
    if request.param == "tag walker":
        without_layouts(monkeypatch)
    return str(request.param)


def distance_at(second: int) -> float:
    """The treadmill's distance `second` seconds in: 2.5 m/s, the last second 1.1 m."""
    last = int(TOTAL_M // SPEED_M_S)  # 2239: the belt stops at 5,598.6 m, a second later
    return TOTAL_M if second > last else second * SPEED_M_S


def treadmill_point(second: int, *, distance: bool = True) -> str:
    parts = [f"<Trackpoint><Time>{iso(second)}</Time>"]
    if distance:
        parts.append(f"<DistanceMeters>{distance_at(second):.1f}</DistanceMeters>")
    parts.append(
        f"<HeartRateBpm><Value>{140 + second % 20}</Value></HeartRateBpm>"
        '<Extensions><TPX xmlns="http://www.garmin.com/xmlschemas/ActivityExtension/v2">'
        "<RunCadence>84</RunCadence></TPX></Extensions></Trackpoint>\n"
    )
    return "".join(parts)


def treadmill_tcx(*, distance: bool = True, points: int | None = None) -> bytes:
    """Six laps of one <Track> each, lap totals in the lap headers, no <Position> anywhere."""
    last_second = int(TOTAL_M // SPEED_M_S) + 1
    ends = [int(LAP_M / SPEED_M_S) * lap for lap in range(1, LAPS)] + [last_second + 1]
    laps = []
    first = 0
    for end in ends:
        seconds_in_lap = range(first, end if points is None else min(end, points))
        body = "".join(treadmill_point(s, distance=distance) for s in seconds_in_lap)
        lap_m = distance_at(end - 1) - distance_at(max(first - 1, 0))
        laps.append(
            f'<Lap StartTime="{iso(first)}"><TotalTimeSeconds>{end - first}</TotalTimeSeconds>'
            f"<DistanceMeters>{lap_m:.1f}</DistanceMeters><Intensity>Active</Intensity>"
            f"<TriggerMethod>Distance</TriggerMethod><Track>\n{body}</Track></Lap>\n"
        )
        first = end
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<TrainingCenterDatabase xmlns="{TCX_NS}">\n'
        f'<Activities><Activity Sport="Running"><Id>{iso(0)}</Id>\n'
        + "".join(laps)
        + "<Creator><Name>Forerunner</Name></Creator></Activity></Activities>\n"
        "</TrainingCenterDatabase>\n"
    ).encode()


def test_a_treadmill_run_is_a_run_without_gps(scanner: str) -> None:
    track = reading.read_bytes(treadmill_tcx(), "treadmill.tcx")
    assert not track.gps
    assert track.kind == "run" and track.sport == "running"
    assert len(track) == 2241 and track.dropped == ()
    assert np.isnan(track.lat_deg).all() and np.isnan(track.lon_deg).all()
    assert track.device_distance_m is not None
    assert track.device_distance_m.tolist() == [round(distance_at(s), 1) for s in range(2241)]
    assert track.time_s is not None
    assert track.time_s.tolist() == [seconds(s) for s in range(2241)]
    # Auto-laps are not pauses, with or without GPS.
    assert track.segment.tolist() == [0] * 2241
    assert track.heart_rate_bpm[:3].tolist() == [140, 141, 142]
    assert track.cadence_rpm[0] == 84


def test_a_treadmill_run_measures_the_device_distance(scanner: str) -> None:
    measures = measuring.measure(reading.read_bytes(treadmill_tcx(), "treadmill.tcx"))
    assert measures.distance_m == pytest.approx(TOTAL_M, abs=1e-6)
    assert measures.elapsed_s == 2240.0


def test_a_pause_between_laps_without_gps_is_still_a_pause() -> None:
    late = treadmill_tcx().decode()
    # Lap 4 starts ten minutes after lap 3 ended: the runner stepped off the belt.
    for second in reversed(range(1200, 2241)):
        late = late.replace(f"<Time>{iso(second)}<", f"<Time>{iso(second + 600)}<")
    track = reading.read_bytes(late.encode(), "treadmill.tcx")
    assert track.segment.tolist() == [0] * 1200 + [1] * 1041


@pytest.mark.parametrize("points", [None, 1])
def test_no_positions_and_no_distance_is_refused_in_one_sentence(
    scanner: str, points: int | None
) -> None:
    # Without a distance (or with a single one) there is nothing to measure, whichever way
    # the scanner read the trackpoints.
    data = treadmill_tcx(distance=points is not None, points=points)
    with pytest.raises(ReadError) as caught:
        reading.read_bytes(data, "indoor.tcx")
    assert str(caught.value) == f"indoor.tcx: {NO_POSITIONS_NOR_DISTANCE}"


def test_trackpoints_without_position_in_a_gps_run_are_still_left_out() -> None:
    # MapMyRide's first six trackpoints (and one more) have a distance but no position:
    # the ride had GPS, so they are points before the fix, not a treadmill.
    track = reading.read_path(real("tcxreader/mapmyride_biking.tcx"))
    assert track.gps and len(track) == 3105
    assert {point.reason for point in track.dropped} == {"has no position"}
    assert not math.isnan(float(track.lat_deg[0]))
