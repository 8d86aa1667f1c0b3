"""Clubs: runners who run missions together, joined by an invite code.

A club is private: to anyone who is not a current member it does not exist (NotFound, the same
answer as for an id no club has). Member rows stay when a runner leaves or is removed (`left_at`
set), so what they gave the club's teams keeps their name; rejoining opens the row again.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import parse_qs, urlsplit

from sqlalchemy import delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, sessionmaker

from heroicrun.db.schema import Club, ClubMember, Runner
from heroicrun.play import NotFound, PlayError, accounts, throttle

# No 0/o, 1/l/i: a code read aloud or copied by hand is the code. 10 of these is ~49 bits.
CODE_ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz"
CODE_CHARS = 10
_CODE = re.compile(f"[{CODE_ALPHABET}]{{1,32}}")  # what a code could be (32: the column)
_SPACES = re.compile(r"[\s-]+")
MAX_NAME_CHARS = 64
NO_SUCH_CODE = "no club has that code"
GUESSES_SCOPE = "club-code"


@dataclass(frozen=True)
class Member:
    """A runner in a club (or who was: `left_at`), by display name."""

    runner_id: int
    name: str
    joined_at: datetime
    left_at: datetime | None
    owner: bool

    @property
    def current(self) -> bool:
        return self.left_at is None


@dataclass(frozen=True)
class ClubInfo:
    """A club as its members see it: every current member may see (and share) the code."""

    id: int
    name: str
    code: str
    owner: str
    members: list[Member]  # current ones first, longest-standing first; then former ones
    version: int

    @property
    def current_members(self) -> list[Member]:
        return [member for member in self.members if member.current]


def new_code() -> str:
    """A fresh invite code: CODE_CHARS random characters of CODE_ALPHABET."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_CHARS))


def normal_code(typed: str) -> str | None:
    """The code in what a runner typed or pasted (any case, spaces around or inside, or a whole
    invite link `…/clubs/join?code=XXXX`), or None when it cannot be a code at all."""
    typed = typed.strip()
    if "code=" in typed:
        found = parse_qs(urlsplit(typed).query).get("code")
        if not found:
            return None
        typed = found[0]
    code = _SPACES.sub("", typed).lower()
    return code if _CODE.fullmatch(code) else None


def check_name(name: str) -> str:
    """The club name as kept (spaces around it trimmed), or PlayError saying what is wrong."""
    name = name.strip()
    if not name or len(name) > MAX_NAME_CHARS:
        raise PlayError(f"a club's name has 1 to {MAX_NAME_CHARS} characters")
    found = accounts.control_character(name)
    if found is not None:
        raise PlayError(f"a club's name must not hold control characters ({found})")
    return name


def _unused_code(session: Session) -> str:
    while True:  # a clash is a one in 10^14 event per club; the unique index is the backstop
        code = new_code()
        if session.scalar(select(Club.id).where(Club.code == code)) is None:
            return code


def create(session: Session, runner: Runner, name: str, now: datetime) -> Club:
    """A new club owned by `runner`, who is its first member."""
    club = Club(
        name=check_name(name), owner_id=runner.id, code=_unused_code(session), created_at=now
    )
    session.add(club)
    session.flush()
    session.add(ClubMember(club_id=club.id, runner_id=runner.id, joined_at=now, left_at=None))
    session.flush()
    return club


def _by_code(session: Session, typed: str) -> Club | None:
    code = normal_code(typed)
    if code is None:  # never sent to the database (PostgreSQL refuses a NUL)
        return None
    return session.scalar(select(Club).where(Club.code == code))


def join(session: Session, runner: Runner, code: str, now: datetime) -> Club:
    """The club whose code this is, with `runner` a current member of it (already one: nothing
    changes; a former one: joined again from `now`); NotFound for a code no club has."""
    club = _by_code(session, code)
    if club is None:
        raise NotFound(NO_SUCH_CODE)
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    # One statement, so two joins at once (a double tap) both succeed: the second finds the row
    # and, the runner being a current member already, leaves it as it is.
    session.execute(
        insert(ClubMember)
        .values(club_id=club.id, runner_id=runner.id, joined_at=now, left_at=None)
        .on_conflict_do_update(
            index_elements=[ClubMember.club_id, ClubMember.runner_id],
            set_={"joined_at": now, "left_at": None},
            where=ClubMember.left_at.is_not(None),
        )
        .execution_options(synchronize_session=False)
    )
    return club


def join_guarded(
    reading: Session,
    writers: sessionmaker[Session],
    runner: Runner,
    code: str,
    client: str | None,
    now: datetime,
) -> ClubInfo:
    """`join`, with a brake on guessing codes: wrong codes are counted per runner and per client
    (as wrong passwords are, apart from them) and, after too many, joins are refused unchecked
    for a while (throttle.Throttled). Reads in `reading`; the join and the counting are each
    committed in a transaction of their own from `writers` before this returns or raises."""
    attempt = throttle.Attempt(runner.name, client, GUESSES_SCOPE, "wrong club codes")
    had_failures = throttle.refuse_if_blocked(reading, attempt)
    found = _by_code(reading, code)
    if found is None:
        throttle.record(writers, attempt, matched=False)
        raise NotFound(NO_SUCH_CODE)
    if had_failures:
        throttle.record(writers, attempt, matched=True)
    with writers() as writing:
        club = join(writing, runner, code, now)
        joined = info(writing, runner, club.id)
        writing.commit()
    return joined


def member_club(session: Session, runner: Runner, club_id: int) -> Club:
    """The club with this id if `runner` is a current member of it, else NotFound."""
    club = session.scalar(
        select(Club)
        .join(ClubMember, ClubMember.club_id == Club.id)
        .where(
            Club.id == club_id,
            ClubMember.runner_id == runner.id,
            ClubMember.left_at.is_(None),
        )
        .execution_options(populate_existing=True)
    )
    if club is None:
        raise NotFound(f"there is no club with id {club_id}")
    return club


def current_members(session: Session, club_id: int) -> list[ClubMember]:
    """The club's current members' rows, longest-standing first."""
    return list(
        session.scalars(
            select(ClubMember)
            .where(ClubMember.club_id == club_id, ClubMember.left_at.is_(None))
            .order_by(ClubMember.joined_at, ClubMember.runner_id)
            .execution_options(populate_existing=True)
        )
    )


def _member_row(session: Session, club_id: int, runner_id: int) -> ClubMember | None:
    return session.scalar(
        select(ClubMember)
        .where(
            ClubMember.club_id == club_id,
            ClubMember.runner_id == runner_id,
            ClubMember.left_at.is_(None),
        )
        .execution_options(populate_existing=True)
    )


def _leave(session: Session, club: Club, runner_id: int, now: datetime) -> None:
    row = _member_row(session, club.id, runner_id)
    if row is None:
        return
    row.left_at = now
    session.flush()
    if club.owner_id != runner_id:
        return
    remaining = current_members(session, club.id)
    if remaining:
        club.owner_id = remaining[0].runner_id  # the longest-standing member
        session.flush()
    else:
        session.execute(
            delete(Club).where(Club.id == club.id).execution_options(synchronize_session=False)
        )
        session.expunge(club)


def leave(session: Session, runner: Runner, club_id: int, now: datetime) -> None:
    """`runner` leaves the club: an owner hands it to the longest-standing remaining member, and
    the last member to leave ends the club. NotFound unless a current member."""
    _leave(session, member_club(session, runner, club_id), runner.id, now)


def _refuse_unless_owner(club: Club, runner: Runner, what: str) -> None:
    if club.owner_id != runner.id:
        raise accounts.Forbidden(f"only the club's owner can {what}")


def remove(session: Session, owner: Runner, club_id: int, runner_name: str, now: datetime) -> None:
    """The owner removes a member by name (anyone removing themselves leaves). NotFound unless
    `owner` is a current member; Forbidden unless the owner; NotFound for a name not a member."""
    club = member_club(session, owner, club_id)
    if runner_name == owner.name:
        _leave(session, club, owner.id, now)
        return
    _refuse_unless_owner(club, owner, "remove members")
    runner_id = (
        None
        if not accounts.NAME.fullmatch(runner_name)
        else session.scalar(
            select(Runner.id)
            .join(ClubMember, ClubMember.runner_id == Runner.id)
            .where(
                ClubMember.club_id == club.id,
                ClubMember.left_at.is_(None),
                Runner.name == runner_name,
            )
        )
    )
    if runner_id is None:
        raise NotFound(f"{runner_name!r} is not a member of this club")
    _leave(session, club, runner_id, now)


def rotate_code(session: Session, owner: Runner, club_id: int) -> str:
    """A new invite code for the club (the old one stops working); the owner's only."""
    club = member_club(session, owner, club_id)
    _refuse_unless_owner(club, owner, "change the code")
    club.code = _unused_code(session)
    session.flush()
    return club.code


def _info(session: Session, club: Club) -> ClubInfo:
    # Plain columns, not member objects: a club of 200 costs a fifth of the time to read.
    rows = session.execute(
        select(ClubMember.runner_id, Runner.name, ClubMember.joined_at, ClubMember.left_at)
        .join(Runner, Runner.id == ClubMember.runner_id)
        .where(ClubMember.club_id == club.id)
    ).all()
    members = [
        Member(
            runner_id=runner_id,
            name=name,
            joined_at=accounts.utc(joined_at),
            left_at=None if left_at is None else accounts.utc(left_at),
            owner=runner_id == club.owner_id,
        )
        for runner_id, name, joined_at, left_at in rows
    ]
    current = sorted((m for m in members if m.current), key=lambda m: (m.joined_at, m.runner_id))
    former = sorted(
        (m for m in members if not m.current),
        key=lambda m: (m.left_at or m.joined_at, m.runner_id),
        reverse=True,
    )
    owner = next(m.name for m in current if m.owner)
    return ClubInfo(club.id, club.name, club.code, owner, current + former, club.version)


def info(session: Session, runner: Runner, club_id: int) -> ClubInfo:
    """The club, its code and its members (current and former), for a current member; else
    NotFound."""
    return _info(session, member_club(session, runner, club_id))


def clubs_of(session: Session, runner: Runner) -> list[ClubInfo]:
    """The clubs `runner` is a current member of, the one joined first first."""
    clubs = session.scalars(
        select(Club)
        .join(ClubMember, ClubMember.club_id == Club.id)
        .where(ClubMember.runner_id == runner.id, ClubMember.left_at.is_(None))
        .order_by(ClubMember.joined_at, Club.id)
        .execution_options(populate_existing=True)
    ).all()
    return [_info(session, club) for club in clubs]
