"""Progress snapshots: kept where a store judges the missions, read by the pages while their key
holds, worked out again after anything progress depends on changes."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from heroicrun.db.schema import ProgressSnapshot, Run, Runner
from heroicrun.missions.model import Mission
from heroicrun.play import accounts, credits, marks, pool, runs, snapshots
from heroicrun.play import dashboard as dashboards
from heroicrun.play import missions as play
from tests.helpers.stored_runs import (
    CATALOG,
    ENROLLED,
    NOW,
    ROAD,
    TRIAL,
    a_track,
    add_run,
    catalog_of,
    gpx_of,
)


@pytest.fixture(scope="module")
def parser() -> Iterator[pool.Parser]:
    parser = pool.Parser(1, 60.0)
    yield parser
    parser.close()


@pytest.fixture
def judged(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The missions judged over the stored runs for a view (not read from a snapshot)."""
    found: list[str] = []
    real = play.Judging

    class Counting(real):  # type: ignore[misc, valid-type]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            found.extend(mission.id for mission, _ in self.pairs)

    monkeypatch.setattr(play, "Judging", Counting)
    return found


def viewed(session: Session, runner: Runner, catalog: Any = CATALOG) -> Any:
    """The road's progress as a page reads it (keeping a snapshot when it had to judge)."""
    return play.progress(session, catalog, runner, "test-road", NOW, writing=session)[1]


def kept(session: Session) -> dict[int, str]:
    return dict(session.execute(select(ProgressSnapshot.enrolment_id, ProgressSnapshot.key)).all())


def test_enrolling_keeps_a_snapshot_that_views_then_read(
    session: Session, ann: Runner, judged: list[str]
) -> None:
    add_run(session, ann, 3.0, days=-0.5)  # this morning's run, stored before enrolling
    enrolment = play.enrol(session, CATALOG, ann, "test-road", ENROLLED)
    assert list(kept(session)) == [enrolment.id]
    judged.clear()
    soon = ENROLLED + timedelta(minutes=30)  # the enrolment's snapshot holds for the hour
    first = play.progress(session, CATALOG, ann, "test-road", soon)[1]
    assert judged == []
    assert first.progress_km == pytest.approx(3.0, abs=0.01)


def test_a_view_keeps_what_it_judged_and_the_next_reads_it(
    session: Session, ann: Runner, judged: list[str]
) -> None:
    play.enrol(session, CATALOG, ann, "test-road", ENROLLED)
    add_run(session, ann, 2.0, days=1)  # stored behind the play layer's back
    judged.clear()
    first = viewed(session, ann)
    assert judged == ["test-road"]
    assert first.progress_km == pytest.approx(2.0, abs=0.01)
    assert viewed(session, ann) == first
    assert judged == ["test-road"]  # the second view read the snapshot


def test_a_snapshot_is_read_only_within_the_time_it_holds(
    session: Session, ann: Runner, judged: list[str]
) -> None:
    play.enrol(session, CATALOG, ann, "test-trial", ENROLLED)
    add_run(session, ann, 2.0, days=1)
    judged.clear()
    early = ENROLLED + timedelta(days=2, minutes=10)
    play.progress(session, CATALOG, ann, "test-trial", early, writing=session)
    play.progress(session, CATALOG, ann, "test-trial", early + timedelta(minutes=20))
    assert judged == ["test-trial"]
    # The trial's 7 days run out: the clock alone changes its progress.
    late = play.progress(session, CATALOG, ann, "test-trial", ENROLLED + timedelta(days=8))[1]
    assert judged == ["test-trial", "test-trial"]
    assert late.status == "failed"
    # "4 days left" holds for the hour; "47 h left" until a whole hour less is left; the last
    # two hours, to the minute, until the deadline.
    assert snapshots.until(TRIAL, ENROLLED, early) == early.replace(minute=0) + timedelta(hours=1)
    # Enrolled at 06:20: at 06:10 on day 5, "2 days left" reads so until 06:20, then "47 h".
    began = ENROLLED + timedelta(minutes=20)
    two_days_before = ENROLLED + timedelta(days=5, minutes=10, seconds=30)
    assert snapshots.until(TRIAL, began, two_days_before) == began + timedelta(days=5)
    on_the_eve = ENROLLED + timedelta(days=6, hours=23, minutes=30, seconds=20)
    assert snapshots.until(TRIAL, ENROLLED, on_the_eve) == ENROLLED + timedelta(
        days=6, hours=23, minutes=31
    )
    last_minute = ENROLLED + timedelta(days=6, hours=23, minutes=59, seconds=30)
    assert snapshots.until(TRIAL, ENROLLED, last_minute) == ENROLLED + timedelta(days=7)


def test_an_upload_refreshes_the_snapshot(
    session: Session, ann: Runner, parser: pool.Parser, judged: list[str]
) -> None:
    play.enrol(session, CATALOG, ann, "test-road", ENROLLED)
    session.commit()
    before = viewed(session, ann)
    assert before.progress_km == 0
    data = gpx_of(a_track(4.0, datetime.now(UTC) - timedelta(hours=2)))
    runs.record(session, ann, "dawn.gpx", data, parser, CATALOG)
    judged.clear()
    after = play.progress(session, CATALOG, ann, "test-road", datetime.now(UTC))[1]
    assert judged == []  # the upload kept what it judged
    assert after.progress_km == pytest.approx(4.0, abs=0.01)
    assert "first-steps" in after.unlocked


def test_a_delete_refreshes_the_snapshot(session: Session, ann: Runner, judged: list[str]) -> None:
    play.enrol(session, CATALOG, ann, "test-road", ENROLLED)
    run = add_run(session, ann, 6.0, days=1)
    assert viewed(session, ann).progress_km == pytest.approx(6.0, abs=0.01)
    runs.delete_run(session, ann, run.id)  # without a catalog: nothing judged at the delete
    judged.clear()
    after = viewed(session, ann)
    assert judged == ["test-road"]
    assert after.progress_km == 0


def test_a_re_mark_refreshes_the_snapshot(session: Session, ann: Runner, judged: list[str]) -> None:
    play.enrol(session, CATALOG, ann, "test-road", ENROLLED)
    run = add_run(session, ann, 6.0, days=1)
    first = viewed(session, ann)
    judged.clear()
    assert viewed(session, ann) == first
    assert judged == []
    marks.mark(session, None, ann, run.id, marks.Marks(sport="cycling"))
    ridden = viewed(session, ann)
    assert judged == ["test-road"]
    assert ridden.progress_km == 0


def test_measuring_again_refreshes_the_snapshot(
    session: Session, ann: Runner, judged: list[str]
) -> None:
    play.enrol(session, CATALOG, ann, "test-road", ENROLLED)
    run = add_run(session, ann, 6.0, days=1)
    assert viewed(session, ann).progress_km == pytest.approx(6.0, abs=0.01)
    # As `runs recompute` writes a run that now measures differently (a stretch found ridden).
    session.execute(update(Run).where(Run.id == run.id).values(counted_distance_m=4_500.0))
    judged.clear()
    assert viewed(session, ann).progress_km == pytest.approx(4.5, abs=0.01)
    assert judged == ["test-road"]
    # A start moved by a second alone (a reader's fix of time zones) is a change too.
    assert run.start_time is not None
    moved = run.start_time + timedelta(seconds=1)
    session.execute(update(Run).where(Run.id == run.id).values(start_time=moved))
    viewed(session, ann)
    assert judged == ["test-road", "test-road"]


def test_a_mission_edit_refreshes_the_snapshot(
    session: Session, ann: Runner, judged: list[str]
) -> None:
    play.enrol(session, CATALOG, ann, "test-road", ENROLLED)
    add_run(session, ann, 4.0, days=1)
    assert "first-steps" in viewed(session, ann).unlocked
    edited = _edited(ROAD, km=10.0)
    judged.clear()
    after = viewed(session, ann, catalog_of(edited, TRIAL))
    assert judged == ["test-road"]
    assert after.beats[1].title == "First Steps, edited"


def test_the_dashboard_reads_the_snapshots_and_a_runs_credits_the_ledger(
    session: Session, ann: Runner, judged: list[str]
) -> None:
    play.enrol(session, CATALOG, ann, "test-road", ENROLLED)
    play.enrol(session, CATALOG, ann, "test-trial", ENROLLED)
    run = add_run(session, ann, 4.0, days=1)
    runs.rejudge(session, ann, CATALOG)  # as a store does: first steps written down
    judged.clear()
    board = dashboards.dashboard(session, CATALOG, ann, NOW, {}, session)
    assert sorted(judged) == ["test-road", "test-trial"]
    judged.clear()
    assert dashboards.dashboard(session, CATALOG, ann, NOW, {}, session) == board
    stored = runs.get_run(session, ann, run.id)
    said = credits.credits_of(session, CATALOG, ann, stored, NOW, {})
    assert judged == []
    road = next(credit for credit in said if credit.mission_id == "test-road")
    assert road.km == pytest.approx(4.0, abs=0.01)
    assert [chapter.beat for chapter in road.unlocked] == ["first-steps"]


def test_the_runs_key_is_one_runners(session: Session, ann: Runner) -> None:
    bob = accounts.add_runner(session, "bob", None)
    before = snapshots.runs_key(session, ann.id)
    add_run(session, bob, 5.0, days=1)
    assert snapshots.runs_key(session, ann.id) == before
    add_run(session, ann, 5.0, days=1)
    assert snapshots.runs_key(session, ann.id) != before


def _edited(mission: Mission, km: float) -> Mission:
    """The mission with its second beat's distance and title changed, as an author edits it."""
    document = mission.model_dump(mode="json")
    document["beats"][1]["goal"]["km"] = km
    document["beats"][1]["title"] += ", edited"
    return Mission.model_validate(document)


def test_the_dashboards_totals_and_latest_runs_follow_the_runs(
    session: Session, ann: Runner
) -> None:
    add_run(session, ann, 4.0, days=1)
    first = dashboards.dashboard(session, CATALOG, ann, NOW)
    assert first.totals.runs == 1
    run = add_run(session, ann, 6.0, days=2)
    second = dashboards.dashboard(session, CATALOG, ann, NOW)
    assert second.totals.runs == 2
    assert second.totals.counted_distance_m == pytest.approx(10_000, abs=20)
    assert second.latest_runs[0].id == run.id
    session.execute(update(Run).where(Run.id == run.id).values(marked_sport="cycling"))
    assert dashboards.dashboard(session, CATALOG, ann, NOW).totals.runs == 1
