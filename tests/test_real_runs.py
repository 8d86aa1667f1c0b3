"""Real recordings read and measured end to end, against figures their own apps state and an
independent geodesic reference (gpxpy reading the points, geopy measuring them)."""

from __future__ import annotations

import csv
import math
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest

from heroicrun import measuring, reading, units
from heroicrun.measuring import moving, splits
from tests.helpers.real import needs_real, real, real_files
from tests.helpers.reference import distance_m

pytestmark = needs_real
RIDE = "goldencheetah/1292585194-20906"


@pytest.mark.parametrize("path", real_files(".gpx"), ids=lambda path: path.name)
def test_distance_agrees_with_geopy_on_gpxpy_points(path: Path) -> None:
    try:
        track = reading.read_path(path)
    except reading.ReadError:
        pytest.skip("not a readable run (covered by the reader tests)")
    measures = measuring.measure(track)
    if track.dropped or measures.spikes_dropped:
        pytest.skip("heroicrun leaves points out here on purpose, so the point sets differ")
    reference = distance_m(path)
    # The product promise is 0.05 %; the vectorised ellipsoid does far better.
    assert measures.distance_m == pytest.approx(reference, rel=1e-9, abs=1e-6)


def test_goldencheetah_ride_moving_time_and_laps_match_the_device() -> None:
    track = reading.read_path(real(f"{RIDE}.gpx"))
    measures = measuring.measure(track)
    assert track.time_s is not None and measures.moving_s is not None
    # The track's own description says "98:57 - 40.9km".
    assert measures.moving_s == pytest.approx(98 * 60 + 57, rel=0.01)
    assert measures.distance_m == pytest.approx(40_900, rel=0.01)
    # It is a bike ride: most of it is flagged, and the splits count only the rest.
    assert sum(split.distance_m for split in measures.splits_mile) == pytest.approx(
        measures.counted_distance_m
    )
    assert measures.counted_distance_m < 0.5 * measures.distance_m
    # The device lapped every 2 miles of everything it recorded; mile splits over that same
    # distance meet its lap ends within 1 % of the time.
    course = measuring.course_of(track)
    assert course.time_s is not None
    moving_s = moving.cumulative_moving_s(course.time_s, moving.moving_steps(course, course.time_s))
    whole_ride, _ = splits.splits(course, course.distance_m, units.MILE_M, moving_s, None)
    start = track.time_s[0]
    cumulative = np.cumsum([split.elapsed_s for split in whole_ride])
    with real(f"{RIDE}.expected-laps.csv").open() as laps:
        rows = list(csv.DictReader(laps))
    for number, row in enumerate(rows[:12], start=1):
        stated = datetime.fromisoformat(row["lap_end_time_utc"]).timestamp() - start
        assert cumulative[2 * number - 1] == pytest.approx(stated, rel=0.01), f"lap {number}"


def test_suunto_distance_matches_its_own_odometer() -> None:
    measures = measuring.measure(
        reading.read_path(real("goldencheetah/Move_2014_01_17_09_33_11.gpx"))
    )
    # The last point's gpxdata:distance, the watch's cumulative distance, is 15552 m.
    assert measures.distance_m == pytest.approx(15_552, rel=0.005)
    assert measures.heart_rate is not None
    assert 100 < measures.heart_rate.average < measures.heart_rate.maximum < 200


def test_fittrackee_fragment_in_gpx_tcx_and_fit_agrees() -> None:
    gpx_track = reading.read_path(real("fittrackee/gpx_file.gpx"))
    gpx_run = measuring.measure(gpx_track)
    tcx_run = measuring.measure(
        reading.read_path(real("fittrackee/tcx_with_one_lap_and_one_track.tcx"))
    )
    fit_run = measuring.measure(reading.read_path(real("fittrackee/example.fit")))
    # FitTrackee states 317.15 m in 2-D (its spherical formula) and 0:04:10 for all three, from
    # 25 points starting 2018-03-13 12:44:45Z.
    assert gpx_run.distance_m == pytest.approx(317.153, rel=0.003)
    assert len(gpx_track) == 25
    assert gpx_run.start_time == datetime(2018, 3, 13, 12, 44, 45, tzinfo=UTC)
    for run in (gpx_run, tcx_run):
        assert run.elapsed_s == 250.0
    # The FIT is a course: a route with the same shape, no run times.
    assert fit_run.kind == "route" and fit_run.elapsed_s is None
    # FIT stores semicircles (about 1 cm), so the two agree to a few centimetres.
    assert tcx_run.distance_m == pytest.approx(fit_run.distance_m, abs=0.05)
    assert gpx_run.start_time == tcx_run.start_time


def test_strava_fit_with_a_bogus_last_timestamp_still_measures_its_run() -> None:
    track = reading.read_path(real("python-fitparse/strava-android-app-201.10-b1218918.fit"))
    measures = measuring.measure(track)
    assert measures.elapsed_s is not None and measures.elapsed_s < 3600
    assert any("days away from the rest of the run" in point.reason for point in track.dropped)
    assert all(math.isfinite(value) for value in (measures.distance_m, measures.elapsed_s))
