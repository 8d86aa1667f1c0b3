"""Clubs: making one, joining by code, leaving, the owner's powers, and privacy."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, sessionmaker

from heroicrun.db import engine as db_engine
from heroicrun.db.schema import Club, ClubMember, Runner
from heroicrun.play import NotFound, PlayError, accounts, clubs, throttle

NOW = datetime(2026, 5, 1, 8, 0, tzinfo=UTC)


def later(minutes: int) -> datetime:
    return NOW + timedelta(minutes=minutes)


@pytest.fixture
def bea(session: Session) -> Runner:
    return accounts.add_runner(session, "bea", None)


@pytest.fixture
def cal(session: Session) -> Runner:
    return accounts.add_runner(session, "cal", None)


def version(session: Session, club_id: int) -> int:
    found = session.scalar(select(Club.version).where(Club.id == club_id))
    assert found is not None
    return found


def names(info: clubs.ClubInfo) -> list[str]:
    return [member.name for member in info.current_members]


def test_the_creator_owns_the_club_and_is_its_member(session: Session, ann: Runner) -> None:
    club = clubs.create(session, ann, "  Runners of Megara ", NOW)
    info = clubs.info(session, ann, club.id)
    assert info.name == "Runners of Megara"
    assert info.owner == "ann"
    assert names(info) == ["ann"]
    assert info.members[0].owner and info.members[0].joined_at == NOW
    assert len(info.code) == clubs.CODE_CHARS
    assert set(info.code) <= set(clubs.CODE_ALPHABET)
    assert [found.id for found in clubs.clubs_of(session, ann)] == [club.id]


@pytest.mark.parametrize("name", ["", "   ", "x" * 65, "bell\x07", "zero\u200bwidth"])
def test_a_club_name_is_1_to_64_printable_characters(
    session: Session, ann: Runner, name: str
) -> None:
    with pytest.raises(PlayError, match="club's name"):
        clubs.create(session, ann, name, NOW)


def test_codes_differ_from_club_to_club(session: Session, ann: Runner) -> None:
    codes = {clubs.create(session, ann, f"club {n}", NOW).code for n in range(20)}
    assert len(codes) == 20


def test_joining_by_code_in_any_case_with_spaces_or_as_a_pasted_link(
    session: Session, ann: Runner, bea: Runner, cal: Runner
) -> None:
    club = clubs.create(session, ann, "Megara", NOW)
    assert clubs.join(session, bea, f"  {club.code.upper()} \n", later(1)).id == club.id
    link = f"https://run.example/clubs/join?code={club.code.upper()}"
    assert clubs.join(session, cal, link, later(2)).id == club.id
    assert names(clubs.info(session, ann, club.id)) == ["ann", "bea", "cal"]
    # Every member sees the code, to share it.
    assert clubs.info(session, cal, club.id).code == club.code


@pytest.mark.parametrize(
    "code", ["", "nosuchcode", "abc\x00def", "https://x/clubs/join?nothing=1", "é" * 10]
)
def test_a_wrong_code_is_not_found(session: Session, ann: Runner, bea: Runner, code: str) -> None:
    clubs.create(session, ann, "Megara", NOW)
    with pytest.raises(NotFound, match="no club has that code"):
        clubs.join(session, bea, code, NOW)


def test_joining_twice_changes_nothing(session: Session, ann: Runner, bea: Runner) -> None:
    club = clubs.create(session, ann, "Megara", NOW)
    clubs.join(session, bea, club.code, later(1))
    clubs.join(session, bea, club.code, later(2))
    clubs.join(session, ann, club.code, later(3))  # the owner, with their own code
    info = clubs.info(session, bea, club.id)
    assert [(m.name, m.joined_at) for m in info.members] == [("ann", NOW), ("bea", later(1))]
    assert info.owner == "ann"


def test_two_joins_at_once_both_succeed_once(db: sessionmaker[Session]) -> None:
    with db() as session:
        ann = accounts.add_runner(session, "ann", None)
        bea = accounts.add_runner(session, "bea", None)
        club = clubs.create(session, ann, "Megara", NOW)
        session.commit()
        code, club_id, bea_id = club.code, club.id, bea.id
    failures: list[BaseException] = []

    def join_in_a_session_of_its_own() -> None:
        try:
            with db() as other:
                runner = other.get(Runner, bea_id)
                assert runner is not None
                clubs.join(other, runner, code, later(2))
                other.commit()
        except BaseException as error:
            failures.append(error)

    with db() as first:
        runner = first.get(Runner, bea_id)
        assert runner is not None
        clubs.join(first, runner, code, later(1))
        # The second join starts while the first is uncommitted: it waits on the first's row
        # (PostgreSQL) or its write lock (SQLite), then finds the runner already a member.
        second = threading.Thread(target=join_in_a_session_of_its_own)
        second.start()
        second.join(timeout=0.2)
        first.commit()
    second.join()
    assert failures == []
    with db() as session:
        rows = session.scalars(select(ClubMember).where(ClubMember.club_id == club_id)).all()
        assert sorted(row.runner_id for row in rows) == sorted([bea_id, rows[0].runner_id])
        assert len(rows) == 2
        joined = next(row for row in rows if row.runner_id == bea_id)
        assert accounts.utc(joined.joined_at) == later(1) and joined.left_at is None


def test_a_member_leaves_and_keeps_the_row(session: Session, ann: Runner, bea: Runner) -> None:
    club = clubs.create(session, ann, "Megara", NOW)
    clubs.join(session, bea, club.code, later(1))
    clubs.leave(session, bea, club.id, later(2))
    info = clubs.info(session, ann, club.id)
    assert names(info) == ["ann"]
    former = info.members[-1]
    assert (former.name, former.left_at, former.current) == ("bea", later(2), False)
    assert clubs.clubs_of(session, bea) == []
    # Joining again opens the row anew.
    clubs.join(session, bea, club.code, later(3))
    again = clubs.info(session, bea, club.id).members[-1]
    assert (again.name, again.joined_at, again.left_at) == ("bea", later(3), None)


def test_the_owner_leaving_hands_the_club_to_the_longest_standing_member(
    session: Session, ann: Runner, bea: Runner, cal: Runner
) -> None:
    club = clubs.create(session, ann, "Megara", NOW)
    clubs.join(session, bea, club.code, later(1))
    clubs.join(session, cal, club.code, later(2))
    clubs.leave(session, ann, club.id, later(3))
    info = clubs.info(session, cal, club.id)
    assert info.owner == "bea"
    assert names(info) == ["bea", "cal"]
    # The new owner has the owner's powers.
    clubs.remove(session, bea, club.id, "cal", later(4))
    assert names(clubs.info(session, bea, club.id)) == ["bea"]


def test_the_last_member_leaving_ends_the_club(session: Session, ann: Runner, bea: Runner) -> None:
    club = clubs.create(session, ann, "Megara", NOW)
    club_id, code = club.id, club.code
    clubs.join(session, bea, code, later(1))
    clubs.leave(session, ann, club_id, later(2))
    clubs.leave(session, bea, club_id, later(3))
    assert session.scalar(select(func.count()).select_from(Club)) == 0
    assert session.scalar(select(func.count()).select_from(ClubMember)) == 0
    with pytest.raises(NotFound):
        clubs.join(session, ann, code, later(4))


def test_the_owner_removes_a_member(session: Session, ann: Runner, bea: Runner) -> None:
    club = clubs.create(session, ann, "Megara", NOW)
    clubs.join(session, bea, club.code, later(1))
    clubs.remove(session, ann, club.id, "bea", later(2))
    assert names(clubs.info(session, ann, club.id)) == ["ann"]
    with pytest.raises(NotFound):
        clubs.info(session, bea, club.id)
    with pytest.raises(NotFound, match="not a member"):
        clubs.remove(session, ann, club.id, "bea", later(3))
    with pytest.raises(NotFound, match="not a member"):
        clubs.remove(session, ann, club.id, "nobody\x00", later(3))


def test_only_the_owner_removes_others_but_anyone_removes_themselves(
    session: Session, ann: Runner, bea: Runner, cal: Runner
) -> None:
    club = clubs.create(session, ann, "Megara", NOW)
    clubs.join(session, bea, club.code, later(1))
    clubs.join(session, cal, club.code, later(2))
    with pytest.raises(accounts.Forbidden, match="owner"):
        clubs.remove(session, bea, club.id, "cal", later(3))
    with pytest.raises(accounts.Forbidden, match="owner"):
        clubs.remove(session, bea, club.id, "ann", later(3))
    clubs.remove(session, bea, club.id, "bea", later(3))
    assert names(clubs.info(session, ann, club.id)) == ["ann", "cal"]


def test_a_new_code_shuts_out_the_old_one(
    session: Session, ann: Runner, bea: Runner, cal: Runner
) -> None:
    club = clubs.create(session, ann, "Megara", NOW)
    old = club.code
    clubs.join(session, bea, old, later(1))
    with pytest.raises(accounts.Forbidden):
        clubs.rotate_code(session, bea, club.id)
    new = clubs.rotate_code(session, ann, club.id)
    assert new != old and clubs.info(session, bea, club.id).code == new
    with pytest.raises(NotFound):
        clubs.join(session, cal, old, later(2))
    assert clubs.join(session, cal, new, later(2)).id == club.id
    # Members already in stay in.
    assert names(clubs.info(session, ann, club.id)) == ["ann", "bea", "cal"]


def test_an_outsider_finds_no_club(session: Session, ann: Runner, bea: Runner) -> None:
    club = clubs.create(session, ann, "Megara", NOW)
    absent = club.id + 1000
    calls: list[Callable[[int], object]] = [
        lambda club_id: clubs.info(session, bea, club_id),
        lambda club_id: clubs.member_club(session, bea, club_id),
        lambda club_id: clubs.leave(session, bea, club_id, later(1)),
        lambda club_id: clubs.remove(session, bea, club_id, "ann", later(1)),
        lambda club_id: clubs.remove(session, bea, club_id, "bea", later(1)),
        lambda club_id: clubs.rotate_code(session, bea, club_id),
    ]
    for club_id in (club.id, absent):
        for call in calls:
            with pytest.raises(NotFound) as refused:
                call(club_id)
            # The same words as for a club that does not exist.
            assert str(refused.value) == f"there is no club with id {club_id}"
    assert clubs.clubs_of(session, bea) == []
    assert names(clubs.info(session, ann, club.id)) == ["ann"]


def test_a_former_member_finds_no_club(session: Session, ann: Runner, bea: Runner) -> None:
    club = clubs.create(session, ann, "Megara", NOW)
    clubs.join(session, bea, club.code, later(1))
    clubs.leave(session, bea, club.id, later(2))
    with pytest.raises(NotFound):
        clubs.info(session, bea, club.id)
    with pytest.raises(NotFound):
        clubs.leave(session, bea, club.id, later(3))


def test_current_members_are_the_rows_without_left_at(
    session: Session, ann: Runner, bea: Runner, cal: Runner
) -> None:
    club = clubs.create(session, ann, "Megara", NOW)
    clubs.join(session, bea, club.code, later(1))
    clubs.join(session, cal, club.code, later(2))
    clubs.leave(session, bea, club.id, later(3))
    assert [row.runner_id for row in clubs.current_members(session, club.id)] == [ann.id, cal.id]


def test_a_club_s_version_changes_when_its_members_do(
    session: Session, ann: Runner, bea: Runner
) -> None:
    club = clubs.create(session, ann, "Megara", NOW)
    seen = [version(session, club.id)]
    clubs.join(session, bea, club.code, later(1))
    seen.append(version(session, club.id))
    assert clubs.info(session, ann, club.id).version == seen[-1]
    clubs.join(session, bea, club.code, later(2))  # already a member: nothing changed
    clubs.leave(session, bea, club.id, later(3))
    seen.append(version(session, club.id))
    clubs.join(session, bea, club.code, later(4))
    seen.append(version(session, club.id))
    clubs.remove(session, ann, club.id, "bea", later(5))
    seen.append(version(session, club.id))
    assert len(set(seen)) == len(seen)


def test_wrong_codes_are_throttled_per_runner(
    engine: Engine, db: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    moment = [accounts.now()]
    monkeypatch.setattr(throttle, "now", lambda: moment[0])
    with db() as session:
        ann = accounts.add_runner(session, "ann", None)
        bea = accounts.add_runner(session, "bea", None)
        club = clubs.create(session, ann, "Megara", NOW)
        session.commit()
    readers = db_engine.readers(engine)

    def join(code: str) -> clubs.ClubInfo:
        with readers() as reading:  # one per request, as a server reads
            return clubs.join_guarded(reading, db, bea, code, "192.0.2.7", NOW)

    for _ in range(throttle.NAME_FAILURES):
        with pytest.raises(NotFound):
            join("wrongcode2")
    # Now even the right code is refused, unchecked, for a while...
    with pytest.raises(throttle.Throttled, match="too many wrong club codes"):
        join(club.code)
    # ...and signing in is not: its counters are its own.
    with readers() as reading:
        assert throttle.refuse_if_blocked(reading, throttle.Attempt("bea", "192.0.2.7")) is False
    moment[0] += throttle.FIRST_BLOCK + timedelta(seconds=1)
    assert names(join(club.code)) == ["ann", "bea"]
