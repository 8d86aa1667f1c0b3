"""A runner's runs_version (migration 0009): the database changes it whenever one of the
runner's runs, or a run's kept efforts or profile, is stored, changed or deleted, and leaves
other runners' alone; what pages keep about the runs hangs on it (heroicrun.play.snapshots)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm import Session

from heroicrun.db.schema import Enrolment, Run, RunEffort, Runner, RunProfile
from heroicrun.play import accounts, runs, snapshots
from tests.helpers.stored_runs import ENROLLED, add_run


def versions(session: Session) -> dict[str, int]:
    session.expire_all()
    return dict(session.execute(select(Runner.name, Runner.runs_version)).all())  # type: ignore[arg-type]


def changes_only_anns(session: Session, change: Callable[[], object]) -> None:
    before = versions(session)
    change()
    after = versions(session)
    assert after["ann"] != before["ann"]
    assert after["bob"] == before["bob"]


def test_every_write_of_a_run_or_what_is_kept_of_it_changes_its_runners_version(
    session: Session, ann: Runner
) -> None:
    bob = accounts.add_runner(session, "bob", None)
    add_run(session, bob, 3.0, days=1)
    start = versions(session)
    assert start["ann"] != start["bob"]  # new runners start apart too
    run = add_run(session, ann, 5.0, days=2)
    changes_only_anns(
        session, lambda: session.execute(update(Run).where(Run.id == run.id).values(title="Hill"))
    )
    changes_only_anns(
        session,
        lambda: session.execute(
            insert(RunEffort).values(run_id=run.id, distance_m=123.0, name="odd", elapsed_s=30.0)
        ),
    )
    changes_only_anns(
        session,
        lambda: session.execute(
            update(RunEffort)
            .where(RunEffort.run_id == run.id)
            .values(elapsed_s=RunEffort.elapsed_s - 1)
        ),
    )
    changes_only_anns(
        session, lambda: session.execute(delete(RunEffort).where(RunEffort.distance_m == 123.0))
    )
    changes_only_anns(
        session,
        lambda: session.execute(
            insert(RunProfile).values(run_id=run.id, made_with="test", sketch=None, content=b"")
        ),
    )
    changes_only_anns(
        session,
        lambda: session.execute(
            update(RunProfile).where(RunProfile.run_id == run.id).values(made_with="again")
        ),
    )
    changes_only_anns(session, lambda: session.execute(delete(Run).where(Run.id == run.id)))
    assert snapshots.runs_key(session, ann.id) == str(versions(session)["ann"])


def test_a_runner_with_runs_can_still_be_deleted(session: Session, ann: Runner) -> None:
    add_run(session, ann, 5.0, days=2)
    session.execute(delete(Runner).where(Runner.id == ann.id))
    session.flush()
    assert session.scalar(select(Run.id)) is None


def test_an_enrolment_changes_its_runners_version_too(session: Session, ann: Runner) -> None:
    accounts.add_runner(session, "bob", None)
    at = datetime(2026, 1, 1, tzinfo=UTC)
    changes_only_anns(
        session,
        lambda: session.execute(
            insert(Enrolment).values(runner_id=ann.id, mission_id="m", enrolled_at=at, active=True)
        ),
    )
    changes_only_anns(session, lambda: session.execute(update(Enrolment).values(active=False)))
    changes_only_anns(session, lambda: session.execute(delete(Enrolment)))


def test_a_run_page_follows_an_enrolment(session: Session, ann: Runner) -> None:
    run = add_run(session, ann, 5.0, days=2)
    later = ENROLLED + timedelta(days=30)
    session.execute(
        insert(Enrolment).values(runner_id=ann.id, mission_id="m", enrolled_at=later, active=True)
    )
    assert "before you enrolled" in (runs.kept_run(session, ann, run.id).not_counted or "")
    session.execute(update(Enrolment).values(enrolled_at=ENROLLED))
    assert runs.kept_run(session, ann, run.id).not_counted is None
