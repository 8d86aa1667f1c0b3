"""The club pages: the runner's clubs with forms to create and join one, the invite link's
"Join this club?" page, and a club's own page (its team missions on the map, leaderboards, what
happened lately, the team's chapters, members, and starting a team mission).

A club is private: to anyone who is not a current member, its page is the page of a club that
does not exist, and an invite link tells a visitor nothing about the club until they join.
Everything a member sees of another is a display name, km, runs and chapters (play/teams.py);
names reach the page through Jinja's autoescaping only.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse, Response

from heroicrun.db.schema import Runner
from heroicrun.missions.loading import Catalog
from heroicrun.play import NotFound, PlayError, clubs, teams, throttle
from heroicrun.server import csrf, errors
from heroicrun.server.deps import (
    MaybeRunner,
    PageRunner,
    ReadSession,
    Writers,
    WriteSession,
    client_address,
)
from heroicrun.server.pages import FORM_EXPIRED, render, sentence, team_views
from heroicrun.server.params import ClubId

router = APIRouter(include_in_schema=False)

NameField = Annotated[str, Form(max_length=clubs.MAX_NAME_CHARS * 4)]
CodeField = Annotated[str, Form(max_length=2000)]  # a code, or a whole pasted invite link
NO_SUCH_CODE = "No club has that code: check it with whoever sent it."


def _now() -> datetime:
    return datetime.now(UTC)


def _catalog(request: Request) -> Catalog:
    found: Catalog = request.app.state.catalog
    return found


# --- the runner's clubs ----------------------------------------------------------------------


@router.get("/clubs")
def clubs_page(request: Request, runner: PageRunner, session: ReadSession) -> Response:
    """The runner's clubs (members, team missions under way), and forms to create or join one."""
    return _clubs_page(request, session, runner)


@router.post("/clubs")
def create_club(
    request: Request,
    runner: PageRunner,
    writing: WriteSession,
    name: NameField = "",
    sent_token: csrf.FormToken = "",
) -> Response:
    """A new club with the runner as its owner; then its page, with the code to share."""
    if not csrf.form_ok(request, sent_token):
        return _clubs_page(request, writing, runner, 400, error=FORM_EXPIRED, name=name)
    try:
        club = clubs.create(writing, runner, name, _now())
    except PlayError as refused:
        writing.rollback()
        return _clubs_page(request, writing, runner, 400, error=sentence(str(refused)), name=name)
    return RedirectResponse(f"/clubs/{club.id}", status_code=303)


@router.get("/clubs/join")
def join_page(
    request: Request,
    runner: MaybeRunner,
    code: Annotated[str, Query(max_length=2000)] = "",
) -> Response:
    """The invite link: "Join a club with code XXXX?" and a button. Nothing about the club is
    shown before joining: whoever has the link may join, and learns the club then."""
    if runner is None:  # signed in first, then back here with the code
        back = f"/clubs/join?code={quote(code)}"
        return RedirectResponse(f"/signin?next={quote(back, safe='')}", status_code=303)
    found = clubs.normal_code(code)
    if found is None:
        return RedirectResponse("/clubs", status_code=303)
    return render(request, "clubs.html", active="clubs", joining=found)


@router.post("/clubs/join")
def join_club(
    request: Request,
    runner: PageRunner,
    session: ReadSession,
    writers: Writers,
    code: CodeField = "",
    sent_token: csrf.FormToken = "",
) -> Response:
    """Join the club with this code (or invite link); then its page."""
    if not csrf.form_ok(request, sent_token):
        return _clubs_page(request, session, runner, 400, join_error=FORM_EXPIRED, code=code)
    try:
        joined = clubs.join_guarded(session, writers, runner, code, client_address(request), _now())
    except NotFound:
        return _clubs_page(request, session, runner, 404, join_error=NO_SUCH_CODE, code=code)
    except throttle.Throttled as refused:
        page = _clubs_page(
            request, session, runner, 429, join_error=sentence(str(refused)), code=code
        )
        page.headers.update(errors.retry_after(refused.retry_after_s))
        return page
    return RedirectResponse(f"/clubs/{joined.id}", status_code=303)


def _clubs_page(
    request: Request, session: ReadSession, runner: Runner, status_code: int = 200, **context: Any
) -> Response:
    mine = clubs.clubs_of(session, runner)
    under_way = teams.missions_of_clubs(session, _catalog(request), runner)
    return render(
        request,
        "clubs.html",
        status_code,
        active="clubs",
        clubs=mine,
        under_way=under_way,
        name_max=clubs.MAX_NAME_CHARS,
        **context,
    )


# --- a club ----------------------------------------------------------------------------------


@router.get("/clubs/{club_id}")
def club_page(
    request: Request,
    club_id: ClubId,
    runner: PageRunner,
    session: ReadSession,
    writing: WriteSession,
) -> Response:
    """A club, for its members: the invite, team missions on the map with their leaderboards,
    this week's board, what happened lately, the team's chapters, members, starting a mission.
    What had to be judged afresh (a deadline passed, a run re-marked) is kept for the next view."""
    return _club_page(request, session, writing, runner, club_id)


@router.post("/clubs/{club_id}/code")
def rotate_code(
    request: Request,
    club_id: ClubId,
    runner: PageRunner,
    writing: WriteSession,
    sent_token: csrf.FormToken = "",
) -> Response:
    """A new invite code (the owner's): the old code and link stop working."""
    return _act(
        request,
        writing,
        runner,
        club_id,
        sent_token,
        lambda: clubs.rotate_code(writing, runner, club_id),
    )


@router.post("/clubs/{club_id}/leave")
def leave_club(
    request: Request,
    club_id: ClubId,
    runner: PageRunner,
    writing: WriteSession,
    sent_token: csrf.FormToken = "",
) -> Response:
    """Leave the club (what the runner gave its teams stays, with their name); to the clubs."""
    if not csrf.form_ok(request, sent_token):
        return _club_page(request, writing, writing, runner, club_id, 400, error=FORM_EXPIRED)
    try:
        clubs.leave(writing, runner, club_id, _now())
    except NotFound:
        return _no_club(request)
    return RedirectResponse("/clubs", status_code=303)


@router.post("/clubs/{club_id}/remove")
def remove_member(
    request: Request,
    club_id: ClubId,
    runner: PageRunner,
    writing: WriteSession,
    member: Annotated[str, Form(max_length=200)] = "",
    sent_token: csrf.FormToken = "",
) -> Response:
    """The owner removes a member (what they gave the teams stays, with their name)."""
    return _act(
        request,
        writing,
        runner,
        club_id,
        sent_token,
        lambda: clubs.remove(writing, runner, club_id, member, _now()),
    )


@router.post("/clubs/{club_id}/missions")
def start_mission(
    request: Request,
    club_id: ClubId,
    runner: PageRunner,
    writing: WriteSession,
    mission: Annotated[str, Form(max_length=200)] = "",
    sent_token: csrf.FormToken = "",
) -> Response:
    """Start a team mission (or a journey, as a team) for the club."""
    catalog = _catalog(request)
    return _act(
        request,
        writing,
        runner,
        club_id,
        sent_token,
        lambda: teams.enrol(writing, catalog, runner, club_id, mission, _now()),
        f"#team-{mission}" if catalog.get(mission) is not None else "",
    )


def _act(
    request: Request,
    writing: WriteSession,
    runner: Runner,
    club_id: int,
    sent_token: str,
    action: Callable[[], object],
    fragment: str = "",
) -> Response:
    """A club page's form: checked, done, and back to the page; a refusal shown on it."""
    if not csrf.form_ok(request, sent_token):
        return _club_page(request, writing, writing, runner, club_id, 400, error=FORM_EXPIRED)
    try:
        action()
    except NotFound as missing:
        writing.rollback()
        try:  # the club itself (404 page), or something in it (said on its page)
            clubs.member_club(writing, runner, club_id)
        except NotFound:
            return _no_club(request)
        return _club_page(
            request, writing, writing, runner, club_id, 404, error=sentence(str(missing))
        )
    except PlayError as refused:
        writing.rollback()
        status = errors.status_of(refused)
        return _club_page(
            request, writing, writing, runner, club_id, status, error=sentence(str(refused))
        )
    return RedirectResponse(f"/clubs/{club_id}{fragment}", status_code=303)


def _club_page(
    request: Request,
    session: ReadSession,
    writing: WriteSession,
    runner: Runner,
    club_id: int,
    status_code: int = 200,
    **context: Any,
) -> Response:
    """The club's page, read in `session`; standings judged afresh kept in `writing` (the same
    session for a form's answer)."""
    catalog = _catalog(request)
    try:
        club = team_views.club_info(session, runner, club_id)
    except NotFound:
        return _no_club(request)
    shown = team_views.shown(session, writing, catalog, runner, club, _now())
    current = len(club.current_members)
    return render(
        request,
        "club.html",
        status_code,
        active="clubs",
        club=club,
        owner=club.owner == runner.name,
        me=runner.name,
        invite=f"{request.base_url}clubs/join?code={club.code}",
        shown=shown,
        startable=team_views.startable(catalog, current, shown.under_way),
        current=current,
        many=team_views.BOARD_ROWS,  # more members than this: their list folds away
        **context,
    )


def _no_club(request: Request) -> Response:
    return render(request, "club.html", 404, active="clubs", club=None)
