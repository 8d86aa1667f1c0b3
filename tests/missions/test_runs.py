"""Whether a run counts for an enrolment, and why not in a line: when it was recorded, on foot
by its sport, the runner's mark or its speeds."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from heroicrun import measuring, reading
from heroicrun.missions import progress
from heroicrun.missions.runs import GRACE, CountedRun, RunFacts, before_words
from tests.factory import TrackBuilder
from tests.helpers.missions import a_mission
from tests.helpers.real import real

ENROLLED = datetime(2024, 5, 1, 6, 0, tzinfo=UTC)


def facts(start: datetime, km: float = 5.0, **more: object) -> RunFacts:
    return RunFacts(start, km, km * 360, **more)  # type: ignore[arg-type]


# --- when it was recorded ------------------------------------------------------------------------


def test_a_run_counts_from_a_day_before_enrolling() -> None:
    assert facts(ENROLLED - GRACE).not_counted(ENROLLED) is None
    assert facts(ENROLLED + timedelta(days=300)).not_counted(ENROLLED) is None
    assert facts(ENROLLED - GRACE - timedelta(seconds=1)).not_counted(ENROLLED) == (
        "recorded 24 hours before you enrolled"
    )


@pytest.mark.parametrize(
    ("gap", "words"),
    [
        (timedelta(hours=30), "30 hours"),
        (timedelta(days=2, hours=23), "2 days"),
        (timedelta(days=13), "13 days"),
        (timedelta(days=15), "2 weeks"),
        (timedelta(days=59), "8 weeks"),
        (timedelta(days=75), "2 months"),
        (timedelta(days=364), "12 months"),
        (timedelta(days=400), "a year"),
        (timedelta(days=3 * 365 + 20), "3 years"),
    ],
)
def test_how_long_before_reads_as_a_runner_says_it(gap: timedelta, words: str) -> None:
    assert before_words(gap) == words


def test_a_route_never_counts() -> None:
    assert RunFacts(None, 5.0, None).not_counted(ENROLLED) == "a route: it has no times"


def test_a_real_file_from_2014_says_how_long_before_enrolling_it_was_recorded() -> None:
    # A Suunto Ambit's 15.6 km from January 2014, handed in ten years later.
    track = reading.read_path(real("goldencheetah/Move_2014_01_17_09_33_11.gpx"))
    old = CountedRun("Move.gpx", track, measuring.measure(track))
    mission = a_mission({"kind": "runs", "count": 5, "km": 1})

    result = progress.evaluate(mission, [old], ENROLLED, now=ENROLLED + timedelta(hours=1))

    assert old.facts.not_counted(ENROLLED) == "recorded 10 years before you enrolled"
    assert not old.counts_for(ENROLLED)
    assert result.beats[0].detail == "0 of 5 runs of 1 km or more"


# --- on foot -------------------------------------------------------------------------------------


def test_a_declared_or_marked_ride_says_so() -> None:
    declared = facts(ENROLLED, sport="cycling")
    marked = facts(ENROLLED, sport="cycling", marked=True)
    assert declared.not_counted(ENROLLED) == (
        "a ride (the file says cycling): only runs, walks and hikes count"
    )
    assert marked.not_counted(ENROLLED) == (
        "a ride (you marked it so): only runs, walks and hikes count"
    )
    # Marked a run, a file that says cycling counts: the store passes the mark as the sport.
    assert facts(ENROLLED, sport="running", marked=True).not_counted(ENROLLED) is None


def test_a_real_ride_that_names_no_sport_is_judged_by_its_speeds() -> None:
    # A GPS Visualizer GPX of a 40.7 km ride in 2010: no <type>, 24.9 km of it at vehicle speed
    # and the rest at 15.7 km/h.
    track = reading.read_path(real("goldencheetah/1292585194-20906.gpx"))
    ride = RunFacts.of(measuring.measure(track))
    assert ride.sport is None
    assert ride.ridden
    assert ride.off_foot == (
        "a ride, by its speeds (24.9 of 40.7 km at a vehicle's speed, the rest at 15.7 km/h):"
        " if it was a run, mark it so"
    )
    recorded = ride.start
    assert recorded is not None
    assert ride.not_counted(recorded) == ride.off_foot
    # Marked a run by the runner, it counts what was not at vehicle speed.
    marked = replace(ride, sport="running", marked=True)
    assert marked.not_counted(recorded) is None


def test_a_run_with_a_hop_in_a_car_is_still_a_run() -> None:
    # 4 km on foot around 15 km in a car: the car does not count, the running does.
    track = TrackBuilder(start_time_s=ENROLLED.timestamp())
    track.run(2000, 720, 5).run(15000, 900, 5).run(2000, 720, 5)
    hop = RunFacts.of(measuring.measure(track.build()))
    assert not hop.ridden
    assert hop.off_foot is None
    assert hop.counted_km == pytest.approx(4.0, abs=0.3)


def test_a_fast_run_without_a_car_is_a_run() -> None:
    # 10 km in 33 min, no stretch at vehicle speed: a fast runner, not a rider.
    track = TrackBuilder(start_time_s=ENROLLED.timestamp()).run(10_000, 1980, 5).build()
    assert RunFacts.of(measuring.measure(track)).off_foot is None
