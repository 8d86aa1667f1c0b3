"""The live companion's plan for one run: what it can earn from where the runner stands, the
places and chapters ahead counted from this run's start, scripted chases and surges."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from heroicrun.missions import companion, progress
from heroicrun.missions.runs import CountedRun, RunFacts
from tests.factory import START
from tests.helpers.stored_runs import ENROLLED, story_mission

ROUTE = {
    "waypoints": [
        {"name": "Athens", "lat": START[0], "lon": START[1], "km": 0},
        {"name": "Megara", "lat": START[0] + 0.3, "lon": START[1], "km": 40},
        {"name": "Corinth", "lat": START[0] + 0.7, "lon": START[1], "km": 80},
        {"name": "Sparta", "lat": START[0] + 2.2, "lon": START[1], "km": 246},
    ]
}


def ran(*kms: float) -> list[CountedRun]:
    return [
        CountedRun(
            f"run {n}",
            _never,
            _never,
            RunFacts(ENROLLED + timedelta(days=n + 1), km, km * 360, sport="running"),
            ref=n,
        )
        for n, km in enumerate(kms)
    ]


def _never() -> Any:
    raise AssertionError("judged from facts only")


def test_a_journey_plans_the_places_and_chapters_ahead_from_this_runs_start() -> None:
    mission = story_mission(
        "road",
        {"kind": "route_km", "km": 40, "title": "Megara"},
        {"kind": "route_km", "km": 80, "title": "Corinth"},
        {"kind": "runs", "count": 3, "km": 10, "title": "Three More"},
        {"kind": "distance", "km": 30, "title": "Long"},
        route=ROUTE,
    )
    standing = progress.evaluate(mission, ran(25, 20), ENROLLED, now=ENROLLED + timedelta(days=5))
    plan = companion.plan(mission, standing)
    assert plan.progress_km == 45
    assert [(place.name, place.km) for place in plan.places] == [("Corinth", 35), ("Sparta", 201)]
    assert [(chapter.title, chapter.km) for chapter in plan.chapters] == [("Corinth", 35)]
    assert plan.chapters[0].text.startswith("The story of beat")
    # Corinth, then a plan of several runs: this run is its first step; the rest waits.
    assert [line.split(":")[0] for line in plan.earn] == ["Corinth", "Three More"]
    assert "Reach Corinth" in plan.earn[0] and "35.0 km to go" in plan.earn[0]
    assert plan.chases == () and plan.surges is None


def test_one_run_can_earn_the_next_single_run_beats_with_their_chases_and_surges() -> None:
    mission = story_mission(
        "horde",
        {"kind": "distance", "km": 3, "title": "Errand"},
        {"kind": "surges", "count": 2, "title": "Two"},
        {"kind": "chase", "at_minute": 12, "metres": 400, "within": "2:00", "title": "Twelve"},
        {"kind": "best_of", "attempts": 3, "goal": {"kind": "surges", "count": 4}, "title": "Four"},
        failure={"title": "Lost", "text": "Caught."},
    )
    fresh = progress.evaluate(mission, [], ENROLLED, now=ENROLLED)
    plan = companion.plan(mission, fresh)
    assert plan.briefing is None and plan.places == () and plan.route_km is None
    assert len(plan.earn) == 4
    assert plan.chases == (companion.Chase(720.0, 400.0, 120.0, "Twelve"),)
    assert plan.surges == companion.Surges(4, 0.2, 30.0, 100.0, "Four")


def test_a_finished_mission_has_nothing_left_to_earn() -> None:
    mission = story_mission("short", {"kind": "route_km", "km": 40}, route=ROUTE)
    done = progress.evaluate(mission, ran(45), ENROLLED, now=ENROLLED + timedelta(days=3))
    assert done.status == "completed"
    plan = companion.plan(mission, done)
    assert plan.earn == () and plan.chapters == ()
    assert [place.name for place in plan.places] == ["Corinth", "Sparta"]


def test_marks_beyond_one_runs_reach_are_left_for_later_runs_but_the_next_is_told() -> None:
    mission = story_mission(
        "long-road",
        {"kind": "route_km", "km": 40, "title": "Megara"},
        {"kind": "route_km", "km": 80, "title": "Corinth"},
        {"kind": "route_km", "km": 246, "title": "Sparta"},
        route=ROUTE,
    )
    fresh = companion.plan(mission, progress.evaluate(mission, [], ENROLLED, now=ENROLLED))
    assert [line.split(":")[0] for line in fresh.earn] == ["Megara"]  # Corinth is 80 km off
    far = companion.plan(
        mission, progress.evaluate(mission, ran(45), ENROLLED, now=ENROLLED + timedelta(days=2))
    )
    assert [line.split(":")[0] for line in far.earn] == ["Corinth"]
    later = companion.plan(
        mission,
        progress.evaluate(mission, ran(45, 40), ENROLLED, now=ENROLLED + timedelta(days=3)),
    )
    assert [line.split(":")[0] for line in later.earn] == ["Sparta"]  # 161 km on: still told
