"""The relay goal of team missions, and what the mission format says of teams."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from heroicrun.missions import progress
from heroicrun.missions.model import Mission
from heroicrun.missions.runs import CountedRun, RunFacts

ENROLLED = datetime(2024, 5, 1, 6, 0, tzinfo=UTC)
ANN, BOB, CY = 1, 2, 3


def mission(*goals: dict[str, Any], **extra: Any) -> Mission:
    return Mission.model_validate(
        {
            "id": "test-relay",
            "title": "Test Relay",
            "inspired_by": "A test",
            "summary": "A relay for tests.",
            "level": "steady",
            "beats": [
                {"id": f"leg-{n}", "title": f"Leg {n}", "text": "On.", "goal": goal}
                for n, goal in enumerate(goals, start=1)
            ],
            "sources": [{"fact": "None", "source": "This test"}],
            **extra,
        }
    )


def run(member: int | None, km: float, day: float) -> CountedRun:
    """A counted run of `km` by `member`, `day` days after enrolment, an hour long."""
    facts = RunFacts(ENROLLED + timedelta(days=day), km, 3600.0, member=member)
    return CountedRun(f"{member}-{day:g}.gpx", _never, _never, facts)


def _never() -> Any:
    raise AssertionError("a relay reads no points")


RELAY = mission({"kind": "relay", "km": 5}, {"kind": "relay", "km": 3}, team=True)


def test_a_relay_chapter_waits_for_every_current_member() -> None:
    runs = [run(ANN, 8, 1), run(BOB, 4, 2), run(ANN, 6, 3)]
    earned = progress.evaluate(RELAY, runs, ENROLLED, members=[ANN, BOB])
    assert earned.unlocked == ()
    assert earned.beats[0].detail == "1 of 2 legs of 5 km run since the last chapter"
    earned = progress.evaluate(RELAY, [*runs, run(BOB, 1.5, 4)], ENROLLED, members=[ANN, BOB])
    assert earned.unlocked == ("leg-1",)
    assert earned.beats[0].unlocked_by == "2-4.gpx"  # the leg that completed it


def test_the_next_relay_chapter_counts_only_legs_run_after_the_last_one() -> None:
    runs = [run(ANN, 5, 1), run(BOB, 5, 2), run(ANN, 10, 3)]
    earned = progress.evaluate(RELAY, runs, ENROLLED, members=[ANN, BOB])
    assert earned.unlocked == ("leg-1",)  # ann's 10 km after it count, her 5 before do not
    assert earned.beats[1].detail == "1 of 2 legs of 3 km run since the last chapter"
    earned = progress.evaluate(RELAY, [*runs, run(BOB, 3, 4)], ENROLLED, members=[ANN, BOB])
    assert earned.status == "completed"


def test_a_former_member_owes_no_leg_but_their_runs_still_count_for_the_team() -> None:
    journey = mission(
        {"kind": "relay", "km": 2},
        {"kind": "route_km", "km": 10},
        team=True,
        route={
            "waypoints": [
                {"name": "A", "lat": 0, "lon": 0, "km": 0},
                {"name": "B", "lat": 0, "lon": 0.1, "km": 12},
            ]
        },
    )
    runs = [run(ANN, 3, 1), run(CY, 8, 2)]  # cy has left: only ann is a member now
    earned = progress.evaluate(journey, runs, ENROLLED, members=[ANN])
    assert earned.unlocked == ("leg-1", "leg-2")
    assert earned.progress_km == pytest.approx(11)


def test_a_team_with_no_current_member_unlocks_no_relay() -> None:
    earned = progress.evaluate(RELAY, [run(ANN, 9, 1)], ENROLLED, members=[])
    assert earned.unlocked == ()
    assert earned.beats[0].detail == "no current member to run a leg"


def test_judged_outside_a_team_one_runner_runs_every_leg() -> None:
    earned = progress.evaluate(RELAY, [run(None, 3, 1), run(None, 2.5, 2)], ENROLLED)
    assert earned.unlocked == ("leg-1",)
    assert earned.beats[1].detail == "0.0 of 3.0 km run since the last chapter"


def test_only_a_team_mission_may_have_a_relay_or_a_least_number_of_members() -> None:
    with pytest.raises(ValueError, match="only a team can run"):
        mission({"kind": "relay", "km": 5})
    with pytest.raises(ValueError, match="min_members"):
        mission({"kind": "distance", "km": 5}, min_members=2)
    team = mission({"kind": "distance", "km": 5}, team=True, min_members=3)
    assert team.team and team.min_members == 3
    assert team.goal_kinds() == ["distance"]
