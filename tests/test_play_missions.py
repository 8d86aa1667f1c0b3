"""Enrolments and progress from stored runs: what counts, restarts, deletions, the verdict cache."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from heroicrun.db.schema import Enrolment, Original, Run, Runner, Verdict
from heroicrun.missions.checks import GoalCheck
from heroicrun.missions.model import Mission
from heroicrun.play import NotFound, accounts
from heroicrun.play import dashboard as dashboards
from heroicrun.play import missions as play
from heroicrun.track import Track
from tests.helpers.stored_runs import (
    CATALOG,
    ENROLLED,
    NOW,
    ROAD,
    TRIAL,
    add_run,
    catalog_of,
    distance_goal,
)


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the run files read again from their originals."""
    names: list[str] = []
    real = play._read

    def counting(session: Session, sha256: str, name: str) -> list[Track]:
        names.append(name)
        return real(session, sha256, name)

    monkeypatch.setattr(play, "_read", counting)
    return names


def progress_of(session: Session, runner: Runner, mission_id: str = "test-road") -> Any:
    return play.progress(session, CATALOG, runner, mission_id, NOW)[1]


# --- enrolling -----------------------------------------------------------------------------


def test_enrolling_in_an_unknown_mission_is_not_found(session: Session, ann: Runner) -> None:
    with pytest.raises(NotFound, match="no mission 'atlantis'"):
        play.enrol(session, CATALOG, ann, "atlantis", ENROLLED)


def test_progress_without_enrolment_is_not_found(session: Session, ann: Runner) -> None:
    with pytest.raises(NotFound, match="you are not enrolled in 'Test Road'"):
        progress_of(session, ann)
    with pytest.raises(NotFound, match="no mission"):
        progress_of(session, ann, "atlantis")


def test_enrolling_again_restarts_and_resets_progress(session: Session, ann: Runner) -> None:
    first = play.enrol(session, CATALOG, ann, "test-road", ENROLLED)
    add_run(session, ann, 3.0, days=1)
    assert progress_of(session, ann).progress_km == pytest.approx(3.0, abs=0.01)

    # More than a day after the run: a run recorded within a day before enrolling would count.
    second = play.enrol(session, CATALOG, ann, "test-road", ENROLLED + timedelta(days=3))
    earned = progress_of(session, ann)
    assert earned.progress_km == 0
    assert earned.unlocked == ("set-out",)
    listed = play.enrolments(session, ann)
    assert [(e.id, e.active) for e in listed] == [(second.id, True), (first.id, False)]
    assert play.enrolled_at(listed[0]) == ENROLLED + timedelta(days=3)


# --- progress from stored runs -------------------------------------------------------------


def test_runs_move_the_runner_along_and_unlock_beats(session: Session, ann: Runner) -> None:
    play.enrol(session, CATALOG, ann, "test-road", ENROLLED)
    assert progress_of(session, ann).unlocked == ("set-out",)

    add_run(session, ann, 2.0, days=1)
    earned = progress_of(session, ann)
    assert earned.unlocked == ("set-out",)
    assert earned.beats[1].detail.startswith("2.0 of 3")

    add_run(session, ann, 3.5, days=2, name="long.gpx")
    mission, earned = play.progress(session, CATALOG, ann, "test-road", NOW)
    assert mission is ROAD
    assert earned.unlocked == ("set-out", "first-steps", "megara")
    assert earned.beats[1].unlocked_by == "long.gpx"
    assert earned.progress_km == pytest.approx(5.5, abs=0.01)
    assert earned.position is not None and earned.position.last_place == "Megara"
    assert earned.status == "in_progress"


def test_a_run_counts_if_recorded_within_a_day_before_enrolling_whenever_handed_in(
    session: Session, ann: Runner
) -> None:
    # Enrol in the morning, upload the dawn run: it counts. Older runs do not, whether they
    # were handed in before enrolling or after.
    add_run(session, ann, 2.0, days=-2)
    play.enrol(session, CATALOG, ann, "test-road", ENROLLED)
    add_run(session, ann, 4.0, days=-0.1, uploaded_at=ENROLLED + timedelta(minutes=5))
    add_run(session, ann, 8.0, days=-400, uploaded_at=ENROLLED + timedelta(minutes=6))
    earned = progress_of(session, ann)
    assert earned.progress_km == pytest.approx(4.0, abs=0.01)


def test_runs_before_enrolment_do_not_count(session: Session, ann: Runner) -> None:
    add_run(session, ann, 4.0, days=-1.5)
    play.enrol(session, CATALOG, ann, "test-road", ENROLLED)
    earned = progress_of(session, ann)
    assert earned.progress_km == 0
    assert earned.unlocked == ("set-out",)
    assert earned.weekly_km == pytest.approx(1.0, abs=0.01)  # but the runner did run


def test_a_deleted_run_no_longer_counts(session: Session, ann: Runner) -> None:
    play.enrol(session, CATALOG, ann, "test-road", ENROLLED)
    add_run(session, ann, 3.2, days=1)
    long_run = add_run(session, ann, 4.0, days=2)
    play.snapshot(session, CATALOG, ann)  # judges and remembers both runs
    assert progress_of(session, ann).unlocked == ("set-out", "first-steps", "megara")

    session.execute(delete(Run).where(Run.id == long_run.id))
    earned = progress_of(session, ann)
    assert earned.progress_km == pytest.approx(3.2, abs=0.01)
    assert earned.unlocked == ("set-out", "first-steps")
    assert session.scalar(select(func.count()).where(Verdict.run_id == long_run.id)) == 0


def test_a_second_recording_of_an_outing_counts_for_nothing(
    session: Session, ann: Runner, reads: list[str]
) -> None:
    play.enrol(session, CATALOG, ann, "test-road", ENROLLED)
    play.enrol(session, CATALOG, ann, "test-trial", ENROLLED)
    watch = add_run(session, ann, 3.2, days=1, name="watch.gpx")
    phone = add_run(session, ann, 3.1, days=1, name="phone.gpx", pace_s_per_km=365.0)
    phone.overlaps_run_id = watch.id
    session.flush()
    road = progress_of(session, ann)
    assert road.progress_km == pytest.approx(3.2, abs=0.01)
    assert road.unlocked == ("set-out", "first-steps")
    assert road.beats[1].unlocked_by == "watch.gpx"
    assert progress_of(session, ann, "test-trial").beats[0].detail.startswith("1 of 2 runs")
    assert sorted(set(reads)) == ["watch.gpx"]  # the phone's file is never judged

    session.delete(watch)
    session.flush()
    session.refresh(phone)
    assert phone.overlaps_run_id is None  # the database lets go of the mark
    assert progress_of(session, ann).progress_km == pytest.approx(3.1, abs=0.01)


def test_routes_and_other_runners_runs_never_count(session: Session, ann: Runner) -> None:
    bob = accounts.add_runner(session, "bob", None)
    play.enrol(session, CATALOG, ann, "test-road", ENROLLED)
    play.enrol(session, CATALOG, bob, "test-road", ENROLLED)
    add_run(session, bob, 6.0, days=1)
    assert progress_of(session, ann).progress_km == 0
    assert progress_of(session, bob).progress_km == pytest.approx(6.0, abs=0.01)


def test_one_runner_cannot_see_anothers_enrolments(session: Session, ann: Runner) -> None:
    bob = accounts.add_runner(session, "bob", None)
    play.enrol(session, CATALOG, bob, "test-trial", ENROLLED)
    assert play.enrolments(session, ann) == []
    with pytest.raises(NotFound, match="not enrolled"):
        progress_of(session, ann, "test-trial")


# --- the verdict cache ---------------------------------------------------------------------


def test_remembered_verdicts_spare_reading_the_files(
    session: Session, ann: Runner, reads: list[str]
) -> None:
    play.enrol(session, CATALOG, ann, "test-road", ENROLLED)
    add_run(session, ann, 2.0, days=1, name="a.gpx")
    add_run(session, ann, 2.5, days=2, name="b.gpx")

    learned: play.Learned = {}
    first = play.progress(session, CATALOG, ann, "test-road", NOW, learned)[1]
    assert sorted(reads) == ["a.gpx", "b.gpx"]
    assert len(learned) == 2  # each run against "distance 3 km"
    assert play.remember(session, learned) == 2

    reads.clear()
    learned = {}
    again = play.progress(session, CATALOG, ann, "test-road", NOW, learned)[1]
    assert reads == [] and learned == {}
    assert again == first

    # A verdict on a run deleted meanwhile is skipped, not an error.
    assert play.remember(session, {(1_000_000, "x" * 64): GoalCheck(False, "gone", 0.0)}) == 0
    assert play.progress(session, CATALOG, ann, "test-road", NOW)[1] == first


def test_snapshot_judges_a_new_run_once_in_the_storing_session(
    session: Session, ann: Runner, reads: list[str]
) -> None:
    play.enrol(session, CATALOG, ann, "test-road", ENROLLED)
    before = play.snapshot(session, CATALOG, ann)
    add_run(session, ann, 3.2, days=1, name="new.gpx")
    after = play.snapshot(session, CATALOG, ann)
    assert reads == ["new.gpx"]
    assert after["test-road"] == ("set-out", "first-steps")
    assert before == {"test-road": ("set-out",)}

    reads.clear()
    play.progress(session, CATALOG, ann, "test-road", NOW)
    assert reads == []
    keys = session.scalars(select(Verdict.goal_key)).all()
    assert keys == [play.goal_key(distance_goal(ROAD))]


def test_a_snapshot_can_leave_its_verdicts_to_the_caller(
    session: Session, ann: Runner, reads: list[str]
) -> None:
    play.enrol(session, CATALOG, ann, "test-road", ENROLLED)
    add_run(session, ann, 3.2, days=1, name="run.gpx")
    learned: play.Learned = {}
    first = play.snapshot(session, CATALOG, ann, learned)
    assert reads == ["run.gpx"] and len(learned) == 1
    assert session.scalar(select(func.count()).select_from(Verdict)) == 0
    assert play.snapshot(session, CATALOG, ann, learned) == first
    assert reads == ["run.gpx"]  # what it judged before is taken as judged
    assert play.remember(session, learned) == 1
    assert session.scalar(select(func.count()).select_from(Verdict)) == 1


def test_an_edited_goal_is_judged_again(session: Session, ann: Runner, reads: list[str]) -> None:
    play.enrol(session, CATALOG, ann, "test-road", ENROLLED)
    add_run(session, ann, 3.2, days=1, name="run.gpx")
    play.snapshot(session, CATALOG, ann)
    assert reads == ["run.gpx"]

    document = ROAD.model_dump(mode="json")
    document["beats"][1]["goal"]["km"] = 4.0
    edited = Mission.model_validate(document)
    assert play.goal_key(distance_goal(edited)) != play.goal_key(distance_goal(ROAD))
    learned: play.Learned = {}
    earned = play.progress(session, catalog_of(edited, TRIAL), ann, "test-road", NOW, learned)[1]
    assert reads == ["run.gpx", "run.gpx"]
    assert earned.unlocked == ("set-out",)
    assert earned.beats[1].detail.startswith("3.2 of 4")
    assert len(learned) == 1


def test_the_key_changes_with_the_version(monkeypatch: pytest.MonkeyPatch) -> None:
    goal = distance_goal(ROAD)
    before = play.goal_key(goal)
    play._goal_key.cache_clear()
    monkeypatch.setattr(play, "__version__", "9.9.9")
    assert play.goal_key(goal) != before
    play._goal_key.cache_clear()


def test_a_damaged_original_fails_the_goal_without_being_remembered(
    session: Session, ann: Runner
) -> None:
    play.enrol(session, CATALOG, ann, "test-road", ENROLLED)
    run = add_run(session, ann, 3.2, days=1, name="run.gpx")
    original = session.get(Original, run.sha256)
    assert original is not None
    original.content_gz = b"not gzip"
    learned: play.Learned = {}
    earned = play.progress(session, CATALOG, ann, "test-road", NOW, learned)[1]
    assert earned.unlocked == ("set-out",)
    assert "run.gpx could not be read again" in earned.beats[1].detail
    assert learned == {}
    assert earned.progress_km == pytest.approx(3.2, abs=0.01)  # journeys need no file


# --- what an upload unlocked ---------------------------------------------------------------


def newly_unlocked(session: Session, runner: Runner) -> list[dict[str, str]]:
    """What the runner's missions unlock now that the ledger lacks, written down, as messages."""
    pairs = play.enrolled_missions(session, CATALOG, runner)
    found = play.standings(session, CATALOG, runner, pairs, NOW, {})
    play.settle(session, found)
    return [item for each in found for item in play.messages(each.mission, each.fresh)]


def test_unlocks_name_the_mission_the_place_and_the_beat(session: Session, ann: Runner) -> None:
    play.enrol(session, CATALOG, ann, "test-road", ENROLLED)
    play.enrol(session, CATALOG, ann, "test-trial", ENROLLED)
    assert newly_unlocked(session, ann) == []  # "set-out", at km 0, on enrolling
    add_run(session, ann, 5.5, days=1)
    messages = [item["message"] for item in newly_unlocked(session, ann)]
    assert messages == [
        "Test Road: 'First Steps' unlocked",
        "Test Road: Megara reached — 'The Dust of the Sacred Way' unlocked",
    ]
    add_run(session, ann, 5.0, days=2)
    found = newly_unlocked(session, ann)
    assert [item["message"] for item in found] == [
        "Test Road: Corinth reached — 'The Neck of Land' unlocked; mission complete",
        "Test Trial: 'Two Runs' unlocked",
        "Test Trial: 'Five' unlocked; mission complete",
    ]
    assert found[0] == {
        "mission": "test-road",
        "mission_title": "Test Road",
        "beat": "corinth",
        "title": "The Neck of Land",
        "chapter": "4",
        "place": "Corinth",
        "message": found[0]["message"],
    }
    assert newly_unlocked(session, ann) == []


def test_a_snapshot_covers_active_enrolments_only(session: Session, ann: Runner) -> None:
    assert play.snapshot(session, CATALOG, ann) == {}
    play.enrol(session, CATALOG, ann, "test-trial", ENROLLED)
    assert play.snapshot(session, CATALOG, ann) == {"test-trial": ()}
    session.add(
        Enrolment(runner_id=ann.id, mission_id="retired", enrolled_at=ENROLLED, active=True)
    )
    assert play.snapshot(session, CATALOG, ann) == {"test-trial": ()}  # a mission since removed


# --- the dashboard -------------------------------------------------------------------------


def test_the_dashboard(session: Session, ann: Runner) -> None:
    play.enrol(session, CATALOG, ann, "test-trial", ENROLLED)
    add_run(session, ann, 2.0, days=-3, name="before.gpx")
    for day in range(6):
        add_run(session, ann, 1.5, days=day + 0.5, name=f"day{day}.gpx")
    board = dashboards.dashboard(session, CATALOG, ann, ENROLLED + timedelta(days=3))
    assert board.runner == "ann"
    [trial] = board.missions
    assert trial.id == "test-trial" and trial.kind == "challenge"
    assert trial.unlocked == ("beat-1",) and trial.beats == 2
    assert trial.next_beat == "Five" and trial.next_detail is not None
    assert trial.deadline_at is None and trial.days_left is None  # "Five" has no deadline
    assert board.totals.runs == 7
    assert board.totals.counted_distance_m == pytest.approx(11_000, rel=1e-3)
    assert board.totals.moving_s == pytest.approx(11 * 360, rel=0.01)
    assert [run.file for run in board.latest_runs] == [f"day{d}.gpx" for d in (5, 4, 3, 2, 1)]
    assert board.latest_runs[0].pace_s_per_km == pytest.approx(360, abs=2)
    assert [m.id for m in board.not_started] == ["test-road"]
    assert board.not_started[0].summary == "A mission for tests."


def test_the_dashboard_counts_down_a_deadline(session: Session, ann: Runner) -> None:
    play.enrol(session, CATALOG, ann, "test-trial", ENROLLED)
    [trial] = dashboards.dashboard(session, CATALOG, ann, ENROLLED + timedelta(days=2.5)).missions
    assert trial.next_beat == "Two Runs"
    assert trial.deadline_at == ENROLLED + timedelta(days=7)
    assert trial.days_left == 4.5
    assert trial.next_detail == "0 of 2 runs of 1 km or more, 4 days left"

    [late] = dashboards.dashboard(session, CATALOG, ann, ENROLLED + timedelta(days=8)).missions
    assert late.status == "failed" and late.days_left == 0


def test_an_empty_dashboard(session: Session, ann: Runner) -> None:
    board = dashboards.dashboard(session, CATALOG, ann, NOW)
    assert board.missions == () and board.latest_runs == ()
    assert board.totals == dashboards.Totals(0, 0.0, 0.0)
    assert [m.id for m in board.not_started] == ["test-road", "test-trial"]


def test_first_sentence() -> None:
    assert dashboards.first_sentence("Run. Far.") == "Run."
    assert dashboards.first_sentence("Dr.Who runs! Always.") == "Dr.Who runs!"
    assert dashboards.first_sentence("No full stop") == "No full stop"
