"""Routes for clubs: making one, joining it by its code, its members, leaving and removing.

A club is private: to anyone who is not a current member it does not exist, and every route
answers 404 with the same words as for an id no club has. Members see each other's display
names and when they joined, never anything of each other's runs.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Request, Response, status
from pydantic import BaseModel

from heroicrun.play import clubs
from heroicrun.server.deps import CurrentRunner, ReadSession, Writers, WriteSession, client_address
from heroicrun.server.params import ClubId

router = APIRouter(tags=["clubs"])


NOT_A_MEMBER: dict[int | str, dict[str, Any]] = {
    404: {"description": "No such club, or the runner is not a current member of it"}
}
THROTTLED: dict[int | str, dict[str, Any]] = {
    429: {
        "description": "Too many wrong codes from this runner or this address lately: refused "
        "unchecked; the Retry-After header says for how many seconds."
    }
}


class NewClub(BaseModel):
    name: str  # 1 to 64 characters, spaces around them trimmed


class Code(BaseModel):
    code: str  # the code, in any case, or the whole invite link `…/clubs/join?code=…`


class NewCode(BaseModel):
    code: str


class MemberOut(BaseModel):
    name: str
    joined_at: datetime
    left_at: datetime | None  # a former member: what they gave the club's teams stays theirs
    owner: bool
    current: bool


class ClubOut(BaseModel):
    """A club as its members see it: every member may see and share the invite code."""

    id: int
    name: str
    code: str
    invite: str  # the invite link's path: /clubs/join?code=…
    owner: str
    members: list[MemberOut]  # current members first (longest-standing first), then former


class ClubSummary(BaseModel):
    id: int
    name: str
    code: str
    owner: str
    current_members: int


def _now() -> datetime:
    return datetime.now(UTC)


def _invite(code: str) -> str:
    return f"/clubs/join?code={code}"


def _club(info: clubs.ClubInfo) -> ClubOut:
    return ClubOut(
        id=info.id,
        name=info.name,
        code=info.code,
        invite=_invite(info.code),
        owner=info.owner,
        members=[
            MemberOut(
                name=member.name,
                joined_at=member.joined_at,
                left_at=member.left_at,
                owner=member.owner,
                current=member.current,
            )
            for member in info.members
        ],
    )


@router.post("/api/clubs", status_code=status.HTTP_201_CREATED)
def create_club(body: NewClub, runner: CurrentRunner, writing: WriteSession) -> ClubOut:
    """Make a club; the runner owns it and is its first member. Share `code` (or `invite`)."""
    club = clubs.create(writing, runner, body.name, _now())
    return _club(clubs.info(writing, runner, club.id))


@router.post(
    "/api/clubs/join",
    responses={404: {"description": "No club has that code"}, **THROTTLED},
)
def join_club(
    body: Code, request: Request, runner: CurrentRunner, reading: ReadSession, writers: Writers
) -> ClubOut:
    """Join the club with this code (any case; or paste the invite link). Joining a club one is
    in changes nothing. After a few wrong codes, joins are refused for a while (429)."""
    joined = clubs.join_guarded(
        reading, writers, runner, body.code, client_address(request), _now()
    )
    return _club(joined)


@router.get("/api/clubs")
def list_clubs(runner: CurrentRunner, reading: ReadSession) -> list[ClubSummary]:
    """The clubs the runner is a member of, the one joined first first."""
    return [
        ClubSummary(
            id=info.id,
            name=info.name,
            code=info.code,
            owner=info.owner,
            current_members=len(info.current_members),
        )
        for info in clubs.clubs_of(reading, runner)
    ]


@router.get("/api/clubs/{club_id}", responses=NOT_A_MEMBER)
def show_club(club_id: ClubId, runner: CurrentRunner, reading: ReadSession) -> ClubOut:
    """A club the runner is in: its code and its members, current and former."""
    return _club(clubs.info(reading, runner, club_id))


@router.delete(
    "/api/clubs/{club_id}/members/{runner_name}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses={
        **NOT_A_MEMBER,
        403: {"description": "Only the owner removes others"},
    },
)
def remove_member(
    club_id: ClubId, runner_name: str, runner: CurrentRunner, writing: WriteSession
) -> Response:
    """Remove a member by name (the owner), or leave (anyone, naming themselves). An owner who
    leaves hands the club to the longest-standing member; the last one out ends it."""
    clubs.remove(writing, runner, club_id, runner_name, _now())
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    "/api/clubs/{club_id}/code",
    responses={**NOT_A_MEMBER, 403: {"description": "Only the owner changes the code"}},
)
def rotate_code(club_id: ClubId, runner: CurrentRunner, writing: WriteSession) -> NewCode:
    """A new invite code (the owner): the old one stops working; members stay."""
    return NewCode(code=clubs.rotate_code(writing, runner, club_id))
