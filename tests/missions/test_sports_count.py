"""What counts for missions: runs, walks and hikes; not rides or swims; a treadmill's distance,
never its places."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from geopy.distance import geodesic
from pydantic import TypeAdapter

from heroicrun import measuring, outings, reading
from heroicrun.missions import goals, progress
from heroicrun.missions.checks import GoalCheck
from heroicrun.missions.model import SingleRunGoal
from heroicrun.missions.runs import CountedRun, RunFacts
from heroicrun.track import Leg, Track
from tests.factory import START, TrackBuilder, without_gps
from tests.helpers.missions import a_mission
from tests.helpers.real import real

GOALS: TypeAdapter[SingleRunGoal] = TypeAdapter(SingleRunGoal)
ENROLLED = datetime(2024, 5, 1, 6, 0, tzinfo=UTC)
PLACE = geodesic(kilometers=3).destination(START, 0.0)[:2]
# One goal of every single-run kind, each met by a steady 6 km due north at 5:00 /km.
EVERY_GOAL: list[dict[str, Any]] = [
    {"kind": "distance", "km": 5},
    {"kind": "moving_time", "minutes": 20},
    {"kind": "finish_within", "km": 5, "within": "40:00"},
    {"kind": "pace", "pace": "6:00", "km": 5},
    {"kind": "best_effort", "distance": "5 km", "within": "30:00"},
    {"kind": "negative_split", "km": 5},
    {"kind": "chase", "at_minute": 10, "metres": 400, "within": "2:30"},
    {"kind": "reach_place", "place": "the bridge", "lat": PLACE[0], "lon": PLACE[1]},
    {"kind": "out_and_back", "km": 3},
    {"kind": "time_of_day", "start_after": "06:00", "finish_before": "12:00", "km": 5},
]


def steady(sport: str | None, days: float = 0.0, back: bool = False) -> Track:
    """6 km due north in 30 min (3 km out and back when `back`), a little faster at the end."""
    start = ENROLLED + timedelta(days=days, hours=2)
    builder = TrackBuilder(start_time_s=start.timestamp())
    if sport is not None:
        builder.sport(sport)
    if back:
        builder.run(3000, 910, step_s=5).run(3000, 890, step_s=5, bearing_deg=180.0)
    else:
        builder.run(3000, 910, step_s=5).run(3000, 890, step_s=5)
    return builder.build(source=f"{sport or 'undeclared'}.gpx")


def counted(track: Track, name: str = "run.gpx") -> CountedRun:
    return CountedRun(name, track, measuring.measure(track))


def check(run: CountedRun, goal: dict[str, Any]) -> GoalCheck:
    return goals.check(GOALS.validate_python(goal), run)


def test_the_same_run_on_foot_meets_every_goal() -> None:
    # The baseline the other tests take away from: on foot and with GPS, every goal is met.
    for sport in ("running", "walking", "hiking", None):
        for goal in EVERY_GOAL:
            track = steady(sport, back=goal["kind"] == "out_and_back")
            assert check(counted(track), goal).met, (sport, goal["kind"])


@pytest.mark.parametrize("goal", EVERY_GOAL, ids=[goal["kind"] for goal in EVERY_GOAL])
def test_a_ride_meets_no_goal_and_says_why(goal: dict[str, Any]) -> None:
    ride = counted(steady("cycling", back=goal["kind"] == "out_and_back"))

    result = check(ride, goal)

    assert result == GoalCheck(
        False, "a ride (the file says cycling): only runs, walks and hikes count", 0.0
    )


def test_a_ride_earns_no_km_no_run_and_no_day() -> None:
    mission = a_mission(
        {"kind": "route_km", "km": 5},
        {"kind": "runs", "count": 2},
        {"kind": "streak", "days": 2, "km": 1},
        route_km=[0, 5, 20],
    )
    rides = [counted(steady("cycling", days=day), f"ride {day}") for day in range(3)]

    result = progress.evaluate(mission, rides, ENROLLED)

    assert [run.counted_km for run in rides] == [0.0, 0.0, 0.0]
    assert rides[0].measures.counted_distance_m == pytest.approx(6000, abs=1)
    assert result.progress_km == 0.0
    assert result.unlocked == ()
    assert result.weekly_km == 0.0


def test_a_swim_is_no_attempt_at_a_best_of_three() -> None:
    mission = a_mission(
        {"kind": "best_of", "attempts": 1, "goal": {"kind": "distance", "km": 5}},
        failure={"title": "Too late", "text": "Lola is too late."},
    )
    swim, run = counted(steady("swimming"), "swim"), counted(steady("running", days=1), "run")

    result = progress.evaluate(mission, [swim, run], ENROLLED)

    assert result.status == "completed"
    assert result.beats[0].unlocked_by == "run"


@pytest.mark.parametrize("sport", ["walking", "hiking"])
def test_walks_and_hikes_count(sport: str) -> None:
    mission = a_mission({"kind": "route_km", "km": 5}, route_km=[0, 5, 20])
    outing = counted(steady(sport))

    result = progress.evaluate(mission, [outing], ENROLLED)

    assert outing.counted_km == pytest.approx(6.0, abs=0.001)
    assert result.progress_km == pytest.approx(6.0, abs=0.001)
    assert result.unlocked == ("beat-1",)


def test_an_undeclared_car_ride_is_still_judged_by_its_speeds() -> None:
    track = TrackBuilder(start_time_s=(ENROLLED + timedelta(hours=1)).timestamp())
    drive = counted(track.run(10_000, 700).build())

    assert drive.on_foot
    assert drive.counted_km == pytest.approx(0.0, abs=0.2)


def test_a_treadmill_run_moves_the_hero_but_reaches_no_place() -> None:
    mission = a_mission(
        {"kind": "route_km", "km": 5},
        {"kind": "reach_place", "place": "the bridge", "lat": PLACE[0], "lon": PLACE[1]},
        route_km=[0, 5, 20],
    )
    treadmill = counted(without_gps(steady("running")), "treadmill.fit")

    result = progress.evaluate(mission, [treadmill], ENROLLED)

    assert not treadmill.gps
    assert result.progress_km == pytest.approx(6.0, abs=0.001)
    assert result.unlocked == ("beat-1",)
    assert result.beats[1].status == "next"
    assert result.beats[1].detail == "recorded without GPS: no position shows it reached the bridge"


@pytest.mark.parametrize(
    ("kind", "detail"),
    [
        ("reach_place", "recorded without GPS: no position shows it reached the bridge"),
        ("out_and_back", "recorded without GPS: no position shows how far from the start it went"),
        ("time_of_day", "recorded without GPS: no position tells the local time it was run at"),
    ],
)
def test_a_treadmill_run_meets_no_goal_of_place(kind: str, detail: str) -> None:
    (goal,) = [goal for goal in EVERY_GOAL if goal["kind"] == kind]
    treadmill = counted(without_gps(steady("running", back=kind == "out_and_back")))

    assert check(treadmill, goal) == GoalCheck(False, detail, 0.0)


def test_a_treadmill_run_meets_every_goal_of_distance_and_time() -> None:
    treadmill = counted(without_gps(steady("running")))
    unplaced = {"reach_place", "out_and_back", "time_of_day"}

    for goal in EVERY_GOAL:
        if goal["kind"] not in unplaced:
            assert check(treadmill, goal).met, goal["kind"]


def test_a_triathlon_counts_its_run_only() -> None:
    start = ENROLLED + timedelta(hours=1)
    builder = TrackBuilder(start_time_s=start.timestamp()).sport("swimming")
    builder.run(1500, 1800, step_s=10).sport("transition").run(200, 120, step_s=10)
    builder.sport("cycling").run(40_000, 4000, step_s=10).sport("transition").run(100, 60)
    builder.sport("running").run(10_000, 2700, step_s=10)
    parts = outings.split(builder.build(source="triathlon.fit"))
    runs = [counted(part, f"{part.sport}") for part in parts]
    mission = a_mission({"kind": "route_km", "km": 50}, route_km=[0, 50, 100])

    result = progress.evaluate(mission, runs, ENROLLED)

    assert [run.counted_km > 0 for run in runs] == [False, False, False, False, True]
    # The run's outing starts at its first point: the 10 s step from the transition's last
    # point (37 m) belongs to neither.
    assert result.progress_km == pytest.approx(10.0 - 10.0 / 270, abs=0.001)


def test_facts_of_a_measured_run_carry_its_sport_and_gps() -> None:
    track = without_gps(replace(steady(None), legs=(Leg(0, "hiking"),)))

    facts = RunFacts.of(measuring.measure(track))

    assert (facts.sport, facts.gps, facts.off_foot) == ("hiking", False, None)
    old = RunFacts(datetime(2024, 5, 1, tzinfo=UTC), 5.0, 1800.0)
    assert (old.sport, old.gps, old.off_foot) == (None, True, None)


def test_a_stored_ride_is_judged_without_reading_its_file() -> None:
    def untouchable() -> Any:
        raise AssertionError("the file was read")

    facts = RunFacts(ENROLLED + timedelta(hours=1), 20.0, 3600.0, sport="skiing")
    stored = CountedRun("stored.fit", untouchable, untouchable, facts)
    mission = a_mission({"kind": "distance", "km": 5}, route_km=[0, 5, 20])

    result = progress.evaluate(mission, [stored], ENROLLED)

    assert stored.counted_km == 0.0
    assert result.progress_km == 0.0
    assert check(stored, {"kind": "distance", "km": 5}).detail == (
        "a ski (the file says skiing): only runs, walks and hikes count"
    )


def test_a_real_ride_declared_biking_earns_nothing() -> None:
    # MapMyRide's TCX says Sport="Biking": 15 km at cycling speed.
    track = reading.read_path(real("tcxreader/mapmyride_biking.tcx"))
    ride = counted(track, "mapmyride_biking.tcx")
    mission = a_mission({"kind": "route_km", "km": 1}, route_km=[0, 1, 20])

    result = progress.evaluate(mission, [ride], ENROLLED, now=ENROLLED + timedelta(days=1))

    assert ride.facts.sport == "cycling"
    assert ride.measures.distance_m > 10_000
    assert ride.counted_km == 0.0
    assert check(ride, {"kind": "distance", "km": 1}).detail.startswith(
        "a ride (the file says cycling)"
    )
    assert result.progress_km == 0.0
