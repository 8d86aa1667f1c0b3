"""How long a mission is in runs and weeks at a runner's habits, and what each level means."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from heroicrun.missions import catalog, lengths
from heroicrun.missions.model import Level
from tests.helpers.missions import a_mission

NOW = datetime(2026, 5, 1, 7, 0, tzinfo=UTC)
BUNDLED = catalog.bundled()


def test_a_journey_takes_its_route_in_typical_runs() -> None:
    road = a_mission(
        {"kind": "route_km", "km": 2},
        {"kind": "climb", "metres": 100},  # met on the way, on one of the route's runs
        {"kind": "route_km", "km": 50},
        route_km=[0, 2, 50],
    )
    length = lengths.length(road)
    assert (length.runs, length.weeks) == (10, pytest.approx(10 / 3))
    assert length.words == "about 10 runs: 3 weeks at 3 runs a week"
    assert length.fits
    faster = lengths.length(road, lengths.Runner(run_km=10, runs_per_week=5, pace_s_per_km=300))
    assert faster.words == "about 5 runs: 1 week at 5 runs a week"


def test_a_challenge_counts_runs_goal_by_goal() -> None:
    plan = a_mission(
        {"kind": "runs", "count": 1},
        {"kind": "streak", "days": 3},  # three runs on three days, whatever the runs a week
        {"kind": "runs", "count": 10, "km": 2},  # every run since enrolling counts: 6 more
        {"kind": "moving_time", "minutes": 49},  # 7 km at 7:00 a km
        {"kind": "best_of", "attempts": 3, "goal": {"kind": "distance", "km": 4}},
        failure={"title": "Lost", "text": "Gone."},
    )
    length = lengths.length(plan)
    assert length.runs == 12
    assert length.weeks == pytest.approx(1 / 3 + 3 / 7 + 6 / 3 + 2 / 3)
    assert length.longest_km == pytest.approx(7.0)
    assert length.words == "about 12 runs: 3 weeks at 3 runs a week"


def test_one_run_is_one_run() -> None:
    once = a_mission({"kind": "out_and_back", "km": 2.5})
    length = lengths.length(once)
    assert length.words == "about 1 run: under a week"
    assert length.longest_km == 5.0


def test_deadlines_say_what_they_ask_when_the_runner_falls_short() -> None:
    hunt = a_mission(
        {"kind": "route_km", "km": 46, "within_days": 1},
        {"kind": "route_km", "km": 217, "within_days": 4},
        route_km=[0, 46, 217],
        failure={"title": "Lost", "text": "Gone."},
    )
    length = lengths.length(hunt)
    assert not length.fits
    assert length.words.endswith("; the deadline asks for 54 km a day")
    race = a_mission(
        {"kind": "route_km", "km": 81, "within_running_hours": 9.5},
        route_km=[0, 81],
        failure={"title": "Lost", "text": "Gone."},
    )
    slow = lengths.Runner(run_km=5, runs_per_week=3, pace_s_per_km=480)
    assert lengths.length(race, slow).words.endswith("; the clock asks for 7:02 /km over 81 km")
    assert lengths.length(race).fits  # 7:00 a km makes it


def test_a_runners_habits_are_read_from_the_last_eight_weeks() -> None:
    runs = [(NOW - timedelta(days=2 * day), 6.0 + day % 3, 2000.0 + 100 * day) for day in range(9)]
    runs.append((NOW - timedelta(weeks=20), 42.0, 15000.0))  # long ago: not a habit
    runner = lengths.typical(runs, NOW)
    assert runner.run_km == 7.0
    assert runner.runs_per_week == pytest.approx(9 / (16 / 7))
    assert runner.pace_s_per_km == pytest.approx(2400 / 7)
    assert lengths.typical(runs[:2], NOW) == lengths.NEW_RUNNER
    untimed = [(start, km, None) for start, km, _ in runs]
    assert lengths.typical(untimed, NOW).pace_s_per_km == lengths.NEW_RUNNER.pace_s_per_km


@pytest.mark.parametrize(("level", "longest_km"), [("first steps", 5.0), ("steady", 10.0)])
def test_each_level_says_in_one_line_what_it_asks_and_the_catalog_keeps_to_it(
    level: Level, longest_km: float
) -> None:
    assert f"–{longest_km:g} km" in lengths.level_words(level)
    for mission in BUNDLED.missions:
        if mission.level == level:
            assert lengths.length(mission).longest_km <= longest_km, mission.id
    assert lengths.level_words("epic").startswith("a season or more")
    assert all("\n" not in words for words in lengths.LEVELS.values())


def test_every_bundled_mission_has_a_length() -> None:
    for mission in BUNDLED.missions:
        length = lengths.length(mission)
        assert length.runs >= 1 and length.words.startswith("about "), mission.id
    sparta = BUNDLED.get("reach-sparta")
    assert sparta is not None
    assert lengths.length(sparta).words == "about 99 runs: 33 weeks at 3 runs a week"
    world = BUNDLED.get("around-the-world")
    assert world is not None
    assert lengths.length(world).words == "about 8,015 runs: 51 years at 3 runs a week"
