"""The ledger of unlocks, stored: what an upload unlocks is written down with its credit, a later
upload never takes it, and deleting or re-marking a run gives its chapters back to be judged
again; each run stored says what it did in every mission."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from heroicrun.db import engine as db_engine
from heroicrun.db.schema import Enrolment, Runner, Unlock
from heroicrun.missions.loading import Catalog
from heroicrun.missions.progress import MissionProgress
from heroicrun.play import PlayError, accounts, dashboard, marks, missions, pool, runs
from heroicrun.play.credits import Credit
from tests.factory import TrackBuilder
from tests.helpers.files import gpx_text
from tests.helpers.missions import a_mission

ENROLLED = datetime(2024, 5, 1, 6, 0, tzinfo=UTC)
ROAD = a_mission(
    {"kind": "route_km", "km": 0},
    {"kind": "distance", "km": 3},
    {"kind": "route_km", "km": 5},
    {"kind": "route_km", "km": 10},
    route_km=[0, 5, 10],
)
PLAN = a_mission({"kind": "runs", "count": 3, "km": 1}, id="plan", title="Plan")
CATALOG = Catalog((PLAN, ROAD), (), Path("."))


@pytest.fixture
def writers(engine: Engine) -> sessionmaker[Session]:
    return db_engine.writers(engine)


@pytest.fixture(scope="module")
def parser() -> Iterator[pool.Parser]:
    parser = pool.Parser(1, 30.0)
    yield parser
    parser.close()


@pytest.fixture
def ann(writers: sessionmaker[Session]) -> int:
    with writers() as session:
        runner = accounts.add_runner(session, "ann", None)
        session.commit()
        return runner.id


def enrol(writers: sessionmaker[Session], runner_id: int, mission_id: str = "test") -> None:
    with writers() as session:
        missions.enrol(session, CATALOG, runner_of(session, runner_id), mission_id, ENROLLED)
        session.commit()


def runner_of(session: Session, runner_id: int) -> Runner:
    runner = session.get(Runner, runner_id)
    assert runner is not None
    return runner


def run_file(km: float, days: float, minutes_per_km: float = 6.0) -> bytes:
    """km due north at an even pace, starting `days` after enrolling."""
    start = ENROLLED + timedelta(days=days)
    duration_s = km * minutes_per_km * 60
    builder = TrackBuilder(start_time_s=start.timestamp())
    return gpx_text(builder.run(km * 1000, duration_s, step_s=10.0).build())


def upload(
    writers: sessionmaker[Session], runner_id: int, name: str, data: bytes, parser: pool.Parser
) -> runs.Recorded:
    with writers() as session:
        [recorded] = runs.record(
            session, runner_of(session, runner_id), name, data, parser, CATALOG
        )
        return recorded


def ledger_of(writers: sessionmaker[Session], mission_id: str = "test") -> dict[str, int | None]:
    """The ledger of the runner's active enrolment in the mission: beat → credited run id."""
    with writers() as session:
        rows = session.execute(
            select(Unlock.beat, Unlock.run_id)
            .join(Enrolment, Enrolment.id == Unlock.enrolment_id)
            .where(Enrolment.mission_id == mission_id, Enrolment.active.is_(True))
        ).all()
        return {beat: run_id for beat, run_id in rows}


def progress(
    writers: sessionmaker[Session], runner_id: int, mission_id: str = "test"
) -> MissionProgress:
    with writers() as session:
        now = ENROLLED + timedelta(days=5)
        return missions.progress(session, CATALOG, runner_of(session, runner_id), mission_id, now)[
            1
        ]


def credit(recorded: runs.Recorded, mission_id: str = "test") -> Credit:
    [found] = [item for item in recorded.progress if item.mission_id == mission_id]
    return found


# --- written down when stored --------------------------------------------------------------------


def test_enrolling_writes_down_a_beat_at_km_0(writers: sessionmaker[Session], ann: int) -> None:
    enrol(writers, ann)
    assert ledger_of(writers) == {"beat-1": None}


def test_an_upload_writes_down_what_it_unlocked_and_says_how_far_it_went(
    writers: sessionmaker[Session], ann: int, parser: pool.Parser
) -> None:
    enrol(writers, ann)
    enrol(writers, ann, "plan")
    recorded = upload(writers, ann, "tuesday.gpx", run_file(6.0, days=1), parser)

    road = credit(recorded)
    assert road.counts and road.reason is None
    assert road.km_before == 0.0
    assert road.km_after == pytest.approx(6.0, abs=0.01)
    assert road.km == pytest.approx(6.0, abs=0.01)
    assert road.next_place == "C" and road.to_next_km == pytest.approx(4.0, abs=0.01)
    assert [(chapter.beat, chapter.title) for chapter in road.unlocked] == [
        ("beat-2", "Beat 2"),
        ("beat-3", "Beat 3"),
    ]
    plan = credit(recorded, "plan")
    assert plan.counts and plan.km is None and plan.km_before is None and plan.unlocked == ()
    assert [item["message"] for item in recorded.unlocked] == [
        "Test: 'Beat 2' unlocked",
        "Test: B reached — 'Beat 3' unlocked",
    ]
    run_id = recorded.run.id
    assert ledger_of(writers) == {"beat-1": None, "beat-2": run_id, "beat-3": run_id}


def test_a_run_handed_in_later_never_takes_a_chapter_already_earned(
    writers: sessionmaker[Session], ann: int, parser: pool.Parser
) -> None:
    enrol(writers, ann)
    tuesday = upload(writers, ann, "tuesday.gpx", run_file(4.0, days=2), parser).run
    assert ledger_of(writers)["beat-2"] == tuesday.id
    # Monday's longer run, uploaded afterwards, would have earned beat 2 first.
    monday = upload(writers, ann, "monday.gpx", run_file(7.0, days=1), parser)

    assert ledger_of(writers)["beat-2"] == tuesday.id
    road = credit(monday)
    assert road.km_before == pytest.approx(4.0, abs=0.01)
    assert road.km_after == pytest.approx(10.0)  # at the end of the route
    assert road.km == pytest.approx(6.0, abs=0.01)  # its share: the route ends at km 10
    assert [chapter.beat for chapter in road.unlocked] == ["beat-3", "beat-4"]
    shown = progress(writers, ann)
    assert shown.beats[1].unlocked_by == "tuesday.gpx"
    assert shown.status == "completed"


def test_deleting_a_run_takes_its_chapters_and_judges_the_missions_again(
    writers: sessionmaker[Session], ann: int, parser: pool.Parser
) -> None:
    enrol(writers, ann)
    tuesday = upload(writers, ann, "tuesday.gpx", run_file(4.0, days=2), parser).run
    monday = upload(writers, ann, "monday.gpx", run_file(3.5, days=1), parser).run
    assert ledger_of(writers) == {"beat-1": None, "beat-2": tuesday.id, "beat-3": tuesday.id}

    with writers() as session:
        runs.delete_run(session, runner_of(session, ann), tuesday.id, CATALOG)
        session.commit()

    assert ledger_of(writers) == {"beat-1": None, "beat-2": monday.id}


def test_marking_a_run_a_ride_takes_its_chapters_and_marking_it_back_gives_them_back(
    writers: sessionmaker[Session], ann: int, parser: pool.Parser
) -> None:
    enrol(writers, ann)
    run = upload(writers, ann, "run.gpx", run_file(6.0, days=1), parser).run

    with writers() as session:
        ride = marks.mark(session, CATALOG, runner_of(session, ann), run.id, marks.Marks("Ride"))
        session.commit()
    assert ride.marked_sport == "cycling" and ride.sport is None
    assert ride.not_counted == "a ride (you marked it so): only runs, walks and hikes count"
    assert ledger_of(writers) == {"beat-1": None}
    assert progress(writers, ann).progress_km == 0.0
    with writers() as session:
        board = dashboard.dashboard(session, CATALOG, runner_of(session, ann), ENROLLED)
    assert board.totals.runs == 0  # a ride adds to no total either

    with writers() as session:
        again = marks.mark(session, CATALOG, runner_of(session, ann), run.id, marks.Marks(None))
        session.commit()
    assert again.marked_sport is None and again.not_counted is None
    assert ledger_of(writers) == {"beat-1": None, "beat-2": run.id, "beat-3": run.id}


def test_marking_leaves_what_is_not_asked_alone_and_refuses_an_unknown_sport(
    writers: sessionmaker[Session], ann: int, parser: pool.Parser
) -> None:
    enrol(writers, ann)
    run = upload(writers, ann, "run.gpx", run_file(6.0, days=1), parser).run
    with writers() as session:
        runner = runner_of(session, ann)
        same = marks.mark(session, CATALOG, runner, run.id, marks.Marks())
        assert same.marked_sport is None
        walked = marks.mark(session, CATALOG, runner, run.id, marks.Marks("walk"))
        assert walked.marked_sport == "walking" and walked.not_counted is None
        with pytest.raises(PlayError, match="'juggling' is not a sport heroicrun knows"):
            marks.mark(session, CATALOG, runner, run.id, marks.Marks("juggling"))
        session.commit()
    # Walking counts as running does: the chapters stay where they were.
    assert ledger_of(writers) == {"beat-1": None, "beat-2": run.id, "beat-3": run.id}


def test_a_plan_counts_one_run_a_day(
    writers: sessionmaker[Session], ann: int, parser: pool.Parser
) -> None:
    enrol(writers, ann, "plan")
    for hour in range(3):  # three files of one morning
        upload(writers, ann, f"morning-{hour}.gpx", run_file(2.0, days=1 + hour / 24), parser)
    shown = progress(writers, ann, "plan")
    assert shown.beats[0].detail == "1 of 3 runs of 1 km or more"
    upload(writers, ann, "next-day.gpx", run_file(2.0, days=2), parser)
    last = upload(writers, ann, "day-after.gpx", run_file(2.0, days=3), parser)
    assert [chapter.beat for chapter in credit(last, "plan").unlocked] == ["beat-1"]


# --- why a run does not count --------------------------------------------------------------------


def test_a_run_recorded_long_before_enrolling_says_so_in_the_list_and_the_answer(
    writers: sessionmaker[Session], ann: int, parser: pool.Parser
) -> None:
    enrol(writers, ann)
    old = upload(writers, ann, "2022.gpx", run_file(10.0, days=-900), parser)
    this_morning = upload(writers, ann, "dawn.gpx", run_file(2.0, days=-0.5), parser)

    said = "recorded 2 years before you enrolled"
    assert old.run.not_counted == said
    assert credit(old).reason == said and credit(old).km == 0.0 and not credit(old).counts
    assert this_morning.run.not_counted is None and credit(this_morning).counts
    with writers() as session:
        listed = runs.list_runs(session, runner_of(session, ann)).runs
    assert {run.file_name: run.not_counted for run in listed} == {
        "2022.gpx": said,
        "dawn.gpx": None,
    }


def test_a_run_too_early_for_one_mission_only_counts_for_the_other(
    writers: sessionmaker[Session], ann: int, parser: pool.Parser
) -> None:
    enrol(writers, ann)
    with writers() as session:
        late = ENROLLED + timedelta(days=30)
        missions.enrol(session, CATALOG, runner_of(session, ann), "plan", late)
        session.commit()
    recorded = upload(writers, ann, "run.gpx", run_file(2.0, days=1), parser)
    assert recorded.run.not_counted is None  # it counts for the road
    assert credit(recorded).counts
    assert credit(recorded, "plan").reason == "recorded 4 weeks before you enrolled"


def test_a_duplicate_says_so_and_earns_nothing_again(
    writers: sessionmaker[Session], ann: int, parser: pool.Parser
) -> None:
    enrol(writers, ann)
    data = run_file(6.0, days=1)
    first = upload(writers, ann, "run.gpx", data, parser)
    again = upload(writers, ann, "run.gpx", data, parser)
    assert again.duplicate and again.unlocked == []
    road = credit(again)
    assert not road.counts and road.reason == f"already uploaded, as run {first.run.id}"
    assert road.km == 0.0 and road.unlocked == ()
    assert road.km_before == road.km_after == pytest.approx(6.0, abs=0.01)
