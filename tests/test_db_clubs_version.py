"""clubs.version changes whenever anything a club's page reads changes (migration 0010's
triggers): its members, its team enrolments, the runs credited to its teams, those runs
themselves, and its teams' chapters; and it stays put when nothing of the club changed."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from heroicrun.db.schema import (
    Club,
    ClubMember,
    Run,
    Runner,
    TeamEnrolment,
    TeamFold,
    TeamRun,
    TeamSnapshot,
    TeamUnlock,
)
from heroicrun.play import accounts
from tests.helpers.stored_runs import add_run

NOW = datetime(2024, 5, 1, 6, 0, tzinfo=UTC)


def version(session: Session, club_id: int) -> int:
    found = session.scalar(select(Club.version).where(Club.id == club_id))
    assert found is not None
    return found


def club_of(session: Session, owner: Runner, code: str) -> Club:
    club = Club(name=f"club {code}", owner_id=owner.id, code=code, created_at=NOW)
    session.add(club)
    session.flush()
    return club


def changes(session: Session, club_id: int, step: Callable[[], object]) -> bool:
    """Whether the club's version changed when `step` was flushed."""
    before = version(session, club_id)
    step()
    session.flush()
    return version(session, club_id) != before


def test_every_write_a_club_page_reads_changes_the_clubs_version(
    session: Session, ann: Runner
) -> None:
    bob = accounts.add_runner(session, "bob", None)
    club = club_of(session, ann, "ours")
    other = club_of(session, ann, "theirs")
    run = add_run(session, bob, 5, 1)
    other_run = add_run(session, bob, 6, 2)
    team = TeamEnrolment(club_id=club.id, mission_id="m", enrolled_at=NOW, active=True)

    def joins() -> None:
        session.add(ClubMember(club_id=club.id, runner_id=bob.id, joined_at=NOW))

    def enrols() -> None:
        session.add(team)

    def credits() -> None:
        session.add(
            TeamRun(team_enrolment_id=team.id, run_id=run.id, runner_id=bob.id, credited_at=NOW)
        )

    def unlocks() -> None:
        session.add(
            TeamUnlock(
                team_enrolment_id=team.id,
                beat="b",
                run_id=run.id,
                runner_id=bob.id,
                unlocked_at=NOW,
                detail="d",
                recorded_at=NOW,
            )
        )

    steps: list[tuple[str, Callable[[], object], bool]] = [
        ("a member joins", joins, True),
        ("the team enrols", enrols, True),
        ("a run is credited", credits, True),
        ("a chapter unlocks", unlocks, True),
        (
            "a credited run is re-marked",
            lambda: session.execute(
                update(Run).where(Run.id == run.id).values(marked_sport="cycling")
            ),
            True,
        ),
        (
            "a run credited to no team of the club changes",
            lambda: session.execute(
                update(Run).where(Run.id == other_run.id).values(title="Elsewhere")
            ),
            False,
        ),
        (
            "what the club page keeps is written",
            lambda: session.add(
                TeamSnapshot(team_enrolment_id=team.id, key="k", content="{}", made_at=NOW)
            ),
            False,
        ),
        (
            "a chapter is taken out",
            lambda: session.execute(
                delete(TeamUnlock).where(TeamUnlock.team_enrolment_id == team.id)
            ),
            True,
        ),
        (
            "the team stops",
            lambda: session.execute(
                update(TeamEnrolment).where(TeamEnrolment.id == team.id).values(active=False)
            ),
            True,
        ),
        (
            "a member leaves",
            lambda: session.execute(
                update(ClubMember)
                .where(ClubMember.club_id == club.id, ClubMember.runner_id == bob.id)
                .values(left_at=NOW)
            ),
            True,
        ),
        (
            "a credited run is deleted",
            lambda: session.execute(delete(Run).where(Run.id == run.id)),
            True,
        ),
        (
            "a former member's row goes",
            lambda: session.execute(delete(ClubMember).where(ClubMember.club_id == club.id)),
            True,
        ),
    ]
    for what, step, expected in steps:
        theirs = version(session, other.id)
        assert changes(session, club.id, step) is expected, what
        assert version(session, other.id) == theirs, f"{what}: another club's version changed"


@pytest.mark.parametrize("table", ["team_runs", "team_unlocks"])
def test_a_teams_rows_deleted_with_the_team_change_the_version(
    session: Session, ann: Runner, table: str
) -> None:
    club = club_of(session, ann, "ours")
    team = TeamEnrolment(club_id=club.id, mission_id="m", enrolled_at=NOW, active=True)
    session.add(team)
    session.flush()
    run = add_run(session, ann, 5, 1)
    if table == "team_runs":
        session.add(
            TeamRun(team_enrolment_id=team.id, run_id=run.id, runner_id=ann.id, credited_at=NOW)
        )
    else:
        session.add(
            TeamUnlock(
                team_enrolment_id=team.id,
                beat="b",
                run_id=None,
                runner_id=None,
                unlocked_at=NOW,
                detail="d",
                recorded_at=NOW,
            )
        )
    session.flush()
    model = TeamRun if table == "team_runs" else TeamUnlock
    assert changes(
        session,
        club.id,
        lambda: session.execute(delete(model).where(model.team_enrolment_id == team.id)),
    )


def settled(session: Session, club_id: int) -> int:
    found = session.scalar(select(Club.settled).where(Club.id == club_id))
    assert found is not None
    return found


def test_clubs_settled_changes_when_what_a_fold_sums_changes_rather_than_grows(
    session: Session, ann: Runner
) -> None:
    """Migration 0012: a fold holds while `settled` stays put."""
    club = club_of(session, ann, "ours")
    other = club_of(session, ann, "theirs")
    team = TeamEnrolment(club_id=club.id, mission_id="m", enrolled_at=NOW, active=True)
    session.add(team)
    session.flush()
    early, middle, late, later = (add_run(session, ann, 5, days) for days in (1, 2, 3, 4))

    def credit(run: Run) -> Callable[[], object]:
        return lambda: session.add(
            TeamRun(team_enrolment_id=team.id, run_id=run.id, runner_id=ann.id, credited_at=NOW)
        )

    def fold_through(run: Run) -> Callable[[], object]:
        assert run.start_time is not None
        return lambda: session.merge(
            TeamFold(
                team_enrolment_id=team.id,
                key="k",
                through_start=run.start_time,
                through_run_id=run.id,
                content="{}",
                made_at=NOW,
            )
        )

    steps: list[tuple[str, Callable[[], object], bool]] = [
        ("a run is credited, no fold yet", credit(middle), False),
        ("the fold is written, through that run", fold_through(middle), False),
        ("a later run is credited", credit(late), False),
        ("an earlier run is credited late", credit(early), True),
        (
            "a credited run's title changes",
            lambda: session.execute(update(Run).where(Run.id == late.id).values(title="Fine")),
            False,
        ),
        (
            "a chapter unlocks",
            lambda: session.add(
                TeamUnlock(
                    team_enrolment_id=team.id,
                    beat="b",
                    run_id=late.id,
                    runner_id=ann.id,
                    unlocked_at=NOW,
                    detail="d",
                    recorded_at=NOW,
                )
            ),
            False,
        ),
        (
            "a credited run is re-marked",
            lambda: session.execute(
                update(Run).where(Run.id == late.id).values(marked_sport="cycling")
            ),
            True,
        ),
        (
            "a credited run's start moves",
            lambda: session.execute(
                update(Run).where(Run.id == late.id).values(start_time=datetime(2024, 6, 1, 7))
            ),
            True,
        ),
        (
            "a run credited to no team changes",
            lambda: session.execute(
                update(Run).where(Run.id == later.id).values(marked_sport="cycling")
            ),
            False,
        ),
        (
            "a chapter is taken out",
            lambda: session.execute(
                delete(TeamUnlock).where(TeamUnlock.team_enrolment_id == team.id)
            ),
            True,
        ),
        ("a credited run is deleted", lambda: session.delete(early), True),
    ]
    for what, step, expected in steps:
        before, theirs = settled(session, club.id), settled(session, other.id)
        step()
        session.flush()
        assert (settled(session, club.id) != before) is expected, what
        assert settled(session, other.id) == theirs, f"{what}: another club's changed"
    # Each credit holds its run's start, copied in and following the run's.
    copied = dict(
        session.execute(
            select(TeamRun.run_id, TeamRun.start_time).where(TeamRun.team_enrolment_id == team.id)
        ).all()
    )
    assert set(copied) == {middle.id, late.id}
    session.refresh(middle)
    assert middle.start_time is not None and copied[middle.id] is not None
    assert copied[middle.id].replace(tzinfo=None) == middle.start_time.replace(tzinfo=None)
    assert copied[late.id] is not None
    assert copied[late.id].replace(tzinfo=None) == datetime(2024, 6, 1, 7)
