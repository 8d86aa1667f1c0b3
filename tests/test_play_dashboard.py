"""The dashboard's order and words: how close the next chapter is at the runner's habits, the
suggested first mission, the missions to start by level; and the legend raced."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.orm import Session

from heroicrun.db.schema import Runner
from heroicrun.missions import catalog, lengths
from heroicrun.missions.model import Mission
from heroicrun.missions.progress import BeatProgress, MissionStatus
from heroicrun.play import dashboard as dashboards
from heroicrun.play import habits, races
from heroicrun.play import missions as play
from tests.helpers.stored_runs import ENROLLED, add_run

BUNDLED = catalog.bundled()
STEADY = lengths.Runner(run_km=10.0, runs_per_week=4.0, pace_s_per_km=330.0)


def mission(mission_id: str) -> Mission:
    found = BUNDLED.get(mission_id)
    assert found is not None
    return found


def next_up(detail: str = "") -> BeatProgress:
    return BeatProgress("beat", "Beat", "next", False, detail, None, None)


def test_a_chapter_on_the_road_is_told_in_km_and_runs_at_the_runners_pace() -> None:
    sparta = mission("reach-sparta")
    nemea = next(beat for beat in sparta.beats if "Nemea" in describe_goal(sparta, beat.id))
    found = dashboards.ahead(sparta, nemea, next_up(), 91.6, STEADY)
    assert (found.runs, found.words) == (4, "Nemea: 31 km ≈ 4 runs at your pace")
    assert found.km == pytest.approx(31.1)
    new = dashboards.ahead(sparta, nemea, next_up(), 118.0, lengths.NEW_RUNNER)
    assert new.words == "Nemea: 4.7 km ≈ 1 run of 5 km"


def describe_goal(found: Mission, beat_id: str) -> str:
    from heroicrun.missions import describe

    beat = next(beat for beat in found.beats if beat.id == beat_id)
    return describe.goal_words(beat.goal, found.route)


def test_a_plan_counts_the_runs_or_days_left_and_a_challenge_is_one_run_away() -> None:
    run = mission("run")
    plans = [beat for beat in run.beats if beat.goal.kind in ("runs", "streak")]
    assert plans
    beat = plans[-1]
    total = beat.goal.count if beat.goal.kind == "runs" else beat.goal.days  # type: ignore[union-attr]
    detail = f"streak 2 of {total} days" if beat.goal.kind == "streak" else f"2 of {total} runs"
    found = dashboards.ahead(run, beat, next_up(detail), None, STEADY)
    assert found.runs == total - 2 and found.km is None
    noun = "runs" if beat.goal.kind == "runs" else "days in a row"
    assert found.words == f"{beat.title}: {total - 2} more {noun}"
    lola = mission("twenty-minutes")
    once = dashboards.ahead(lola, lola.beats[0], next_up(), None, STEADY)
    assert once == dashboards.Ahead(1, None, f"{lola.beats[0].title}: one run away")


def test_the_closest_chapter_leads_then_the_missions_won_then_lost() -> None:
    def active(
        title: str, status: MissionStatus, runs: int | None, km: float | None = None
    ) -> dashboards.ActiveMission:
        ahead = None if runs is None else dashboards.Ahead(runs, km, "")
        return dashboards.ActiveMission(
            title,
            title,
            "journey",
            status,
            ENROLLED,
            5,
            (),
            None,
            None,
            None,
            None,
            None,
            None,
            ahead,
        )

    shelf = [
        active("lost", "failed", None),
        active("far", "in_progress", 9, 40.0),
        active("won", "completed", None),
        active("near", "in_progress", 2, 8.0),
        active("near on the road", "in_progress", 2, 6.0),
    ]
    ordered = sorted(shelf, key=dashboards._closest_first)
    assert [m.title for m in ordered] == ["near on the road", "near", "far", "won", "lost"]


def test_a_new_runner_is_suggested_the_easiest_journey_and_sees_the_rest_by_level(
    session: Session, ann: Runner
) -> None:
    board = dashboards.dashboard(session, BUNDLED, ann, ENROLLED)
    assert board.suggested == "original-marathon"
    assert not board.habits_known
    groups = board.levels()
    assert [group.level for group in groups] == ["first steps", "steady", "hard", "epic"]
    listed = [m.id for group in groups for m in group.missions]
    solo = [mission for mission in BUNDLED.missions if not mission.team]  # teams: a club's
    assert "original-marathon" not in listed and len(listed) == len(solo) - 1
    sparta = next(m for m in board.not_started if m.id == "reach-sparta")
    assert sparta.length == "about 99 runs: 33 weeks at 3 runs a week"
    assert sparta.level_means == lengths.LEVELS["epic"]
    for group in groups:
        runs = [m.runs for m in group.missions]
        assert runs == sorted(runs)

    play.enrol(session, BUNDLED, ann, "fetch-the-doctor", ENROLLED)
    assert dashboards.dashboard(session, BUNDLED, ann, ENROLLED).suggested is None


def test_habits_come_from_the_runs_on_foot_of_the_last_eight_weeks(
    session: Session, ann: Runner
) -> None:
    for day, km in ((0, 8.0), (2, 10.0), (4, 12.0)):
        add_run(session, ann, km, day)
    now = ENROLLED + timedelta(days=7)
    usual = habits.habits(session, ann, now)
    assert usual.run_km == pytest.approx(10.0) and habits.known(usual)
    assert usual.pace_s_per_km == pytest.approx(360.0, abs=1)
    assert habits.habits(session, ann, now + timedelta(weeks=9)) == lengths.NEW_RUNNER


def test_the_legend_is_raced_from_enrolling_to_the_end_of_the_last_counted_run(
    session: Session, ann: Runner
) -> None:
    sparta = mission("reach-sparta")
    enrolment = play.enrol(session, BUNDLED, ann, "reach-sparta", ENROLLED)
    at_start = races.race(session, sparta, enrolment, 0.0, ENROLLED)
    assert at_start is not None and at_start.legend_km == 0.0
    assert at_start.words.startswith("Pheidippides set out when you enrolled")

    add_run(session, ann, 20.0, 2)  # ends 2 days and 2 hours after enrolling
    twelve_hours = races.race(session, sparta, enrolment, 20.0, ENROLLED + timedelta(hours=12))
    three_weeks = races.race(session, sparta, enrolment, 20.0, ENROLLED + timedelta(weeks=3))
    assert twelve_hours is not None and three_weeks is not None
    assert 0 < twelve_hours.legend_km < 246.0 and three_weeks.legend_km == 246.0
    # The runner is compared where their last run left them, whenever the page is read.
    assert twelve_hours.words == three_weeks.words
    assert twelve_hours.words.endswith("; you are 2 days behind")
    assert races.race(session, mission("fetch-the-doctor"), enrolment, 20.0, ENROLLED) is None
