"""Points put in the order they were run: a logger's shared stamps spread over their second, and
outings months apart kept, while clock glitches are still left out."""

from __future__ import annotations

import numpy as np
import pytest

from heroicrun import measuring, outings, reading
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


# Outings months apart in one file, and stray points from a faulty clock

DAY_S = 86400


def hike(first: int, count: int, start_s: float) -> str:
    """A <trk> of `count` points 5 s apart from `start_s` seconds after START."""
    points = "".join(trkpt(first + i, time=iso(start_s + 5 * i)) for i in range(count))
    return f"<trk><trkseg>\n{points}</trkseg></trk>\n"


def several(*tracks: str) -> bytes:
    one = gpx([trkpt(0)]).decode()
    return (one[: one.index("<trk>")] + "".join(tracks) + "</gpx>\n").encode()


def test_three_hikes_months_apart_keep_all_their_points(scanner: str) -> None:
    # Written October, May, June; hiked May, June, October: two hours each, a point every 5 s.
    may, june, october = 0, 45 * DAY_S, 162 * DAY_S
    data = several(hike(2880, 1440, october), hike(0, 1440, may), hike(1440, 1440, june))
    track = reading.read_bytes(data, "summer.gpx")
    assert len(track) == 4320 and track.dropped == ()
    assert track.time_s is not None
    expected = [seconds(start + 5 * i) for start in (may, june, october) for i in range(1440)]
    assert track.time_s.tolist() == expected
    assert track.segment.tolist() == [0] * 1440 + [1] * 1440 + [2] * 1440
    # Point i of the file is i × 11 m north: the May hike is points 0 to 1439.
    assert track.lat_deg[0] == 47.0 and track.lat_deg[1440] == 47.144
    parts = outings.split(track)
    assert [len(part) for part in parts] == [1440, 1440, 1440]
    assert [part.outing for part in parts] == [1, 2, 3]


def test_six_trips_a_logger_kept_keep_all_their_points() -> None:
    trips = [hike(100 * n, 100, n * 30 * DAY_S) for n in range(6)]
    track = reading.read_bytes(several(*trips), "logger.gpx")
    assert len(track) == 600 and track.dropped == ()


def test_a_point_dated_2085_is_still_a_clock_fault(scanner: str) -> None:
    points = [trkpt(i) for i in range(100)]
    points.append(trkpt(100, time="2085-01-01T00:00:00Z"))
    track = reading.read_bytes(gpx(points), "run.gpx")
    assert len(track) == 100
    assert track.time_s is not None and track.time_s[-1] == seconds(99)
    # From the run's last point, 2024-05-01 06:01:39, to 2085-01-01: 22,159.7 days.
    assert [(p.index, p.reason) for p in track.dropped] == [
        (100, "has a time 22,160 days away from the rest of the run")
    ]


@pytest.mark.parametrize(
    ("count", "spacing_s", "kept"),
    [
        (1, 5, False),
        (9, 60, False),  # nine points over eight minutes: too few
        (10, 6, False),  # ten points over 54 s: too short
        (13, 5, False),  # exactly a minute
        (14, 5, True),  # 65 s
        (500, 1, True),
    ],
)
def test_a_group_far_away_is_an_outing_when_long_enough(
    count: int, spacing_s: int, kept: bool
) -> None:
    run = "".join(trkpt(i) for i in range(200))
    far = "".join(trkpt(200 + i, time=iso(90 * DAY_S + spacing_s * i)) for i in range(count))
    data = several(f"<trk><trkseg>{run}</trkseg></trk>", f"<trk><trkseg>{far}</trkseg></trk>")
    track = reading.read_bytes(data, "run.gpx")
    assert len(track) == (200 + count if kept else 200)
    reasons = {point.reason for point in track.dropped}
    assert reasons == (set() if kept else {"has a time 90 days away from the rest of the run"})


def test_without_an_outing_the_largest_group_is_the_run() -> None:
    # Two short groups a month apart (40 s and 20 s): neither is an outing, the larger stays.
    first = "".join(trkpt(i) for i in range(40))
    second = "".join(trkpt(40 + i, time=iso(30 * DAY_S + i)) for i in range(20))
    data = several(f"<trk><trkseg>{first}</trkseg></trk>", f"<trk><trkseg>{second}</trkseg></trk>")
    track = reading.read_bytes(data, "run.gpx")
    assert len(track) == 40
    assert [point.index for point in track.dropped] == list(range(40, 60))
