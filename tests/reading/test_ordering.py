"""Points put in the order they were run: a logger's shared stamps spread over their second, and
outings months apart kept, while clock glitches are still left out."""

from __future__ import annotations

import numpy as np
import pytest

from heroicrun import measuring, reading
from heroicrun.reading import ordering
from tests.reading.documents import gpx, iso, seconds, trkpt, without_layouts


@pytest.fixture(params=["layouts", "tag walker"])
def scanner(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Run a test once on the scanner's fast path and once on its fallback."""
    if request.param == "tag walker":
        without_layouts(monkeypatch)
    return str(request.param)


# A logger sampling ten times a second whose clock stamps whole seconds


def logger_point(sample: int, *, per_second: int = 10, time: str | None = None) -> str:
    """Sample `sample` of a logger moving north at 3 m/s, stamped with its whole second."""
    lat = f"{47 + sample * 3.0 / per_second / 111_200:.7f}"
    return trkpt(sample, lat=lat, time=time or iso(sample // per_second))


def test_a_ten_hertz_logger_keeps_every_point(scanner: str) -> None:
    track = reading.read_bytes(gpx(logger_point(i) for i in range(6000)), "logger.gpx")
    assert len(track) == 6000
    assert track.dropped == () and track.notes == ()
    assert track.time_s is not None
    # Each second's ten points spread evenly over it, 0.1 s apart, in the order written.
    assert np.allclose(track.time_s, [seconds(i / 10) for i in range(6000)], rtol=0, atol=1e-6)
    assert track.lat_deg[1] > track.lat_deg[0]
    measures = measuring.measure(track)
    assert measures.elapsed_s == pytest.approx(599.9)
    assert measures.distance_m == pytest.approx(5999 * 0.3, rel=1e-3)


def test_a_two_hertz_logger_is_spread_by_half_seconds(scanner: str) -> None:
    data = gpx(logger_point(i, per_second=2) for i in range(200))
    track = reading.read_bytes(data, "logger.gpx")
    assert track.time_s is not None and track.dropped == ()
    assert np.allclose(np.diff(track.time_s), 0.5, rtol=0, atol=1e-6)


def test_a_logger_second_before_a_pause_stays_within_its_second() -> None:
    # The logger stops for a minute after second 9: that second's points take 0.1 s each, not
    # a tenth of the minute; the file's last second likewise.
    points = [logger_point(i) for i in range(100)]
    points += [logger_point(i, time=iso(60 + i // 10)) for i in range(100, 200)]
    track = reading.read_bytes(gpx(points), "logger.gpx")
    assert track.time_s is not None
    assert track.time_s[99] == pytest.approx(seconds(9.9))
    assert track.time_s[100] == seconds(70)
    assert track.time_s[-1] == pytest.approx(seconds(79.9))


def test_a_glitch_in_a_logger_is_still_dropped(scanner: str) -> None:
    points = [logger_point(i) for i in range(1000)]
    points[500] = logger_point(500, time=iso(-3600))  # an hour back, out of place
    track = reading.read_bytes(gpx(points), "logger.gpx")
    assert [(point.index, point.reason) for point in track.dropped] == [
        (500, "has a time out of order")
    ]
    assert track.time_s is not None and bool(np.all(np.diff(track.time_s) > 0))


def test_points_written_twice_are_not_a_logger(scanner: str) -> None:
    # Every point twice, same place and time: copies, dropped as repeats as before.
    data = gpx(trkpt(i // 2) for i in range(200))
    track = reading.read_bytes(data, "twice.gpx")
    assert len(track) == 100
    assert {point.reason for point in track.dropped} == {"repeats another point's time"}
    assert track.time_s is not None
    assert track.time_s.tolist() == [seconds(i) for i in range(100)]


def test_a_rare_repeated_time_is_still_a_glitch(scanner: str) -> None:
    # A 1 Hz watch repeating a time at 3 points in 100 is below a logger's share: dropped.
    data = gpx(trkpt(i, time=iso(i - 1) if i in (20, 50, 70) else "") for i in range(100))
    track = reading.read_bytes(data, "run.gpx")
    assert len(track) == 97
    assert {point.reason for point in track.dropped} == {"repeats another point's time"}


def test_spread_repeats_leaves_points_not_kept_alone() -> None:
    times = np.array([0.0, 0.0, 0.0, 1.0, 1.0, 1.0, 2.0])
    keep = np.array([True, True, False, True, True, True, True])
    lat = np.arange(7.0)
    ordering.spread_repeats(np.arange(7), times, keep, lat, np.zeros(7))
    assert times.tolist() == [0.0, 0.5, 0.0, 1.0, 1 + 1 / 3, 1 + 2 / 3, 2.0]
