"""Heart rate and cadence summaries."""

from __future__ import annotations

import numpy as np

from heroicrun.measuring import sensors
from heroicrun.measuring.results import SensorSummary
from tests.factory import read_gpx
from tests.helpers.real import real

NAN = float("nan")


def test_average_and_maximum_over_points_with_a_reading() -> None:
    summary = sensors.summarize(np.array([120.0, NAN, 140.0, 160.0, NAN]))
    assert summary == SensorSummary(average=140.0, maximum=160.0)


def test_zero_is_no_reading() -> None:
    assert sensors.summarize(np.array([0.0, 80.0, 90.0, 0.0])) == SensorSummary(85.0, 90.0)


def test_nothing_to_summarise() -> None:
    assert sensors.summarize(np.array([NAN, NAN])) is None
    assert sensors.summarize(np.array([0.0, 0.0])) is None
    assert sensors.summarize(np.array([])) is None


def test_garmin_connect_heart_rate_and_cadence() -> None:
    # FitTrackee states HR 85 average, 92 max; cadence 52 average (counting the first
    # point's 0), 57 max.
    track = read_gpx(real("fittrackee/gpx_file_with_gpxtpx_extensions.gpx"))
    heart_rate = sensors.summarize(track.heart_rate_bpm)
    cadence = sensors.summarize(track.cadence_rpm)
    assert heart_rate == SensorSummary(average=2133 / 25, maximum=92.0)
    assert cadence == SensorSummary(average=1301 / 24, maximum=57.0)
