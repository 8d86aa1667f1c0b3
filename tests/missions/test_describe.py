"""Missions as JSON-ready data: briefings, teasers, goals in words, legends and lengths."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from heroicrun.missions import catalog, describe, progress
from heroicrun.missions.runs import CountedRun, RunFacts
from tests.helpers.missions import a_mission

BUNDLED = catalog.bundled()
ENROLLED = datetime(2026, 5, 1, 6, 0, tzinfo=UTC)
ROAD = a_mission(
    {"kind": "route_km", "km": 2},
    {"kind": "route_km", "km": 12, "within_days": 3},
    {"kind": "route_km", "km": 20, "within_running_hours": 2.5},
    {"kind": "route_km", "km": 40},
    route_km=[0, 2, 12, 40],
    failure={"title": "Lost", "text": "Gone."},
)


def test_goals_on_the_route_name_their_place_and_what_is_left() -> None:
    goals = [beat.goal for beat in ROAD.beats]
    assert [describe.goal_words(goal, ROAD.route) for goal in goals] == [
        "Reach B (km 2)",
        "Reach C (km 12) within 3 days of enrolling",
        "Reach km 20 (8.0 km past C) within 2 h 30 min of running",
        "Reach D (km 40)",
    ]
    assert [describe.goal_words(goal, ROAD.route, 8.9) for goal in goals] == [
        "Reach B (km 2)",  # passed: no distance left to tell
        "Reach C within 3 days of enrolling: 3.1 km to go",
        "Reach km 20 (8.0 km past C) within 2 h 30 min of running: 11.1 km to go",
        "Reach D: 31.1 km to go",
    ]
    # Without the route there is no place to name.
    assert describe.goal_words(goals[1]) == "Reach km 12 of the route within 3 days of enrolling"


def test_the_next_goal_of_reach_sparta_in_words() -> None:
    sparta = BUNDLED.get("reach-sparta")
    assert sparta is not None
    nemea = next(beat for beat in sparta.beats if beat.id == "nemea")
    assert describe.goal_words(nemea.goal, sparta.route, 91.6) == "Reach Nemea: 31.1 km to go"
    assert describe.goal_words(nemea.goal, sparta.route) == "Reach Nemea (km 122.7)"


def test_details_give_the_briefing_every_teaser_and_the_text_only_with_spoilers() -> None:
    for found in BUNDLED.missions:
        shown = describe.details(found)
        assert shown["briefing"] == found.briefing and shown["briefing"]
        assert [beat["teaser"] for beat in shown["beats"]] == [b.teaser for b in found.beats]
        assert all("text" not in beat for beat in shown["beats"])
        spoiled = describe.details(found, spoilers=True)
        assert [beat["text"] for beat in spoiled["beats"]] == [b.text for b in found.beats]
        assert shown["level_means"] and shown["length"]["words"].startswith("about ")


def test_a_legend_is_described_with_its_marks_and_places() -> None:
    sparta = BUNDLED.get("reach-sparta")
    assert sparta is not None
    assert describe.details(sparta)["legend"] == {
        "name": "Pheidippides",
        "sets_out": None,
        "marks": [
            {
                "km": 246.0,
                "time_s": 129600.0,
                "time": "36:00:00",
                "place": "Sparta, statue of Leonidas",
            }
        ],
        "words": "Pheidippides reached Sparta (km 246) in 36 hours",
    }
    kouros = BUNDLED.get("spartathlon")
    assert kouros is not None
    assert describe.details(kouros)["legend"]["words"] == (
        "Yiannis Kouros reached Sparta (km 246) in 20 h 25 min"
    )
    marathon = BUNDLED.get("original-marathon")
    assert marathon is not None
    assert describe.details(marathon)["legend"]["words"] == (
        "Spyridon Louis reached Panathenaic Stadium (km 42.195) in 2 h 58 min 50 s"
    )
    assert describe.details(ROAD)["legend"] is None


def test_a_legend_race_gives_the_second_marker_and_the_words() -> None:
    sparta = BUNDLED.get("reach-sparta")
    assert sparta is not None
    race = describe.legend_race(sparta, 130.0, 21 * 86_400, 30 * 86_400)
    assert race == {
        "name": "Pheidippides",
        "legend_km": 246.0,
        "place": "Nemea",
        "gap_s": pytest.approx(21 * 86_400 - 130 / 246 * 36 * 3600, abs=1),
        "words": "Pheidippides reached Nemea after 18 hours; you are 3 weeks behind",
    }
    assert describe.legend_race(sparta, 5.0, 3600, 3600)["legend_km"] == pytest.approx(6.833)
    assert describe.legend_race(ROAD, 5.0, 3600, 3600) is None


def test_progress_names_the_next_goal_in_words() -> None:
    run = CountedRun("morning.gpx", lambda: None, lambda: None, RunFacts(ENROLLED, 8.9, 3600.0))  # type: ignore[arg-type,return-value]
    earned = progress.evaluate(ROAD, [run], ENROLLED, now=ENROLLED)
    shown = describe.progress(ROAD, earned)
    assert [goal["goal"] for goal in shown["goals"]][:2] == [
        "Reach B (km 2)",
        "Reach C within 3 days of enrolling: 3.1 km to go",
    ]
