"""Pages for the runner's account: sign-in, the first runner, sign-out, API tokens, the
browsers signed in and the password.

Every POST form carries the form token of heroicrun.server.csrf.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote, urlsplit

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from heroicrun.db.schema import Runner
from heroicrun.play import PlayError, accounts, throttle
from heroicrun.server import cookies, csrf, errors
from heroicrun.server.deps import (
    MaybeRunner,
    PageRunner,
    ReadSession,
    Writers,
    WriteSession,
    client_address,
    this_session,
)
from heroicrun.server.pages import FORM_EXPIRED, render, sentence
from heroicrun.server.params import SessionId, TokenId
from heroicrun.server.passwords import PasswordWork

router = APIRouter(include_in_schema=False)


# --- sign-in, the first runner, sign-out ----------------------------------------------------


def first_run_redirect(session: ReadSession) -> RedirectResponse | None:
    """Off to /welcome while the server has no runner yet (the dashboard asks first), else None."""
    if accounts.has_runners(session):
        return None
    return RedirectResponse("/welcome", status_code=303)


def local_path(target: str | None) -> str:
    """`target` when it is a path on this site ("/runs?page=2"), else "/": never another host."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    if any(ord(c) < 32 for c in target):
        return "/"
    parts = urlsplit(target)
    return target if not parts.scheme and not parts.netloc else "/"


def _signed_in(request: Request, writing: WriteSession, runner: Runner, target: str) -> Response:
    """Start a session for `runner` in this browser and go to `target`."""
    previous = request.cookies.get(csrf.SESSION_COOKIE)
    if previous:  # signing in again replaces this browser's session rather than adding one
        accounts.end_session(writing, previous)
    secret = accounts.start_session(writing, runner)
    writing.commit()  # before the browser follows the redirect with the new cookie
    response = RedirectResponse(target, status_code=303)
    cookies.set_session(request, response, secret)
    return response


@router.get("/signin", response_model=None)
def signin_page(
    request: Request,
    runner: MaybeRunner,
    reading: ReadSession,
    target: Annotated[str, Query(alias="next", max_length=2000)] = "/",
    shared: int = 0,
) -> Response:
    target = local_path(target)
    if runner is not None:
        return RedirectResponse(target, status_code=303)
    if not accounts.has_runners(reading):  # a fresh server: the visitor becomes its first runner
        return RedirectResponse(f"/welcome?next={quote(target)}", status_code=303)
    return render(request, "signin.html", next=target, shared=bool(shared))


@router.post("/signin", response_model=None)
def signin(
    request: Request,
    hashing: PasswordWork,
    reading: ReadSession,
    writing: WriteSession,
    writers: Writers,
    name: Annotated[str, Form(max_length=200)] = "",
    password: Annotated[str, Form(max_length=1024)] = "",
    target: Annotated[str, Form(alias="next", max_length=2000)] = "/",
    sent_token: csrf.FormToken = "",
) -> Response:
    target = local_path(target)
    if not csrf.form_ok(request, sent_token):
        return render(request, "signin.html", 400, error=FORM_EXPIRED, name=name, next=target)
    try:
        runner = accounts.sign_in(reading, writers, name.strip(), password, client_address(request))
    except (accounts.SignInFailed, throttle.Throttled) as refused:
        throttled = isinstance(refused, throttle.Throttled)
        response = render(
            request,
            "signin.html",
            429 if throttled else 401,
            error=sentence(str(refused)) if throttled else "Wrong name or password.",
            name=name,
            next=target,
            first_run=not accounts.has_runners(reading),
        )
        if isinstance(refused, throttle.Throttled):
            response.headers.update(errors.retry_after(refused.retry_after_s))
        return response
    return _signed_in(request, writing, runner, target)


@router.post("/signout", response_model=None)
def signout(
    request: Request,
    runner: MaybeRunner,
    writing: WriteSession,
    sent_token: csrf.FormToken = "",
) -> Response:
    # The nav's sign-out button has no token field: a browser that vouches the form is this
    # site's own (Sec-Fetch-Site, which no page can forge) signs out at once; others are asked.
    same_origin = request.headers.get("sec-fetch-site") == "same-origin"
    if runner is not None and not same_origin and not csrf.form_ok(request, sent_token):
        return render(request, "signout.html")
    secret = request.cookies.get(csrf.SESSION_COOKIE)
    if secret:
        accounts.end_session(writing, secret)
    response = RedirectResponse("/signin", status_code=303)
    cookies.clear_session(response)
    return response


@router.get("/welcome", response_model=None)
def welcome_page(
    request: Request,
    reading: ReadSession,
    target: Annotated[str, Query(alias="next", max_length=2000)] = "/",
) -> Response:
    if accounts.has_runners(reading):
        return RedirectResponse("/signin", status_code=303)
    return render(request, "welcome.html", next=local_path(target))


@router.post("/welcome", response_model=None)
def welcome(
    request: Request,
    hashing: PasswordWork,
    writing: WriteSession,
    name: Annotated[str, Form(max_length=200)] = "",
    password: Annotated[str, Form(max_length=1024)] = "",
    again: Annotated[str, Form(max_length=1024)] = "",
    target: Annotated[str, Form(alias="next", max_length=2000)] = "/",
    sent_token: csrf.FormToken = "",
) -> Response:
    target = local_path(target)
    error = None
    if not csrf.form_ok(request, sent_token):
        error = FORM_EXPIRED
    elif password != again:
        error = "The two passwords are not the same: type them again."
    else:
        try:
            runner = accounts.add_first_runner(writing, name.strip(), password)
        except accounts.Forbidden:
            writing.rollback()
            return RedirectResponse("/signin", status_code=303)
        except PlayError as refused:
            writing.rollback()
            error = sentence(str(refused))
        else:
            return _signed_in(request, writing, runner, target)
    return render(request, "welcome.html", 400, error=error, name=name, next=target)


# --- API tokens -----------------------------------------------------------------------------


def _tokens_page(
    request: Request,
    runner: Runner,
    session: ReadSession,
    status_code: int = 200,
    **context: object,
) -> HTMLResponse:
    tokens = [
        {
            "id": token.id,
            "name": token.name,
            "created": accounts.utc(token.created_at),
            "used": accounts.utc(token.last_used_at) if token.last_used_at else None,
        }
        for token in accounts.api_tokens(session, runner)
    ]
    return render(request, "tokens.html", status_code, active="tokens", tokens=tokens, **context)


@router.get("/tokens", response_model=None)
def tokens_page(
    request: Request, runner: PageRunner, reading: ReadSession, revoked: str = ""
) -> Response:
    return _tokens_page(request, runner, reading, revoked=revoked[:64])


@router.post("/tokens", response_model=None)
def create_token(
    request: Request,
    runner: PageRunner,
    writing: WriteSession,
    name: Annotated[str, Form(max_length=200)] = "",
    sent_token: csrf.FormToken = "",
) -> Response:
    if not csrf.form_ok(request, sent_token):
        return _tokens_page(request, runner, writing, 400, error=FORM_EXPIRED)
    try:
        made = accounts.create_api_token(writing, runner, name)
    except PlayError as refused:
        writing.rollback()
        return _tokens_page(request, runner, writing, 400, error=sentence(str(refused)))
    writing.commit()
    curl = (
        f'curl -H "Authorization: Bearer {made.secret}" '
        f"-F files=@run.gpx {request.base_url}api/runs"
    )
    created = {"name": made.token.name, "secret": made.secret, "curl": curl}
    return _tokens_page(request, runner, writing, 201, created=created)


@router.post("/tokens/{token_id}/revoke", response_model=None)
def revoke_token(
    request: Request,
    runner: PageRunner,
    writing: WriteSession,
    token_id: TokenId,
    sent_token: csrf.FormToken = "",
) -> Response:
    if not csrf.form_ok(request, sent_token):
        return _tokens_page(request, runner, writing, 400, error=FORM_EXPIRED)
    names = {token.id: token.name for token in accounts.api_tokens(writing, runner)}
    try:
        accounts.revoke_token_id(writing, runner, token_id)
    except PlayError:
        return _tokens_page(request, runner, writing, 404, error="That token is already gone.")
    return RedirectResponse(f"/tokens?revoked={quote(names[token_id])}", status_code=303)


# --- the account: sessions and password -----------------------------------------------------


def _account_page(
    request: Request,
    runner: Runner,
    session: ReadSession,
    status_code: int = 200,
    **context: object,
) -> HTMLResponse:
    current = this_session(request)
    sessions = [
        {
            "id": token.id,
            "created": accounts.utc(token.created_at),
            "used": accounts.utc(token.last_used_at) if token.last_used_at else None,
            "current": token.id == current,
        }
        for token in accounts.live_sessions(session, runner)
    ]
    return render(
        request,
        "account.html",
        status_code,
        active="account",
        sessions=sessions,
        idle_days=accounts.SESSION_IDLE.days,
        lifetime_days=accounts.SESSION_LIFETIME.days,
        **context,
    )


@router.get("/account", response_model=None)
def account_page(request: Request, runner: PageRunner, reading: ReadSession) -> Response:
    return _account_page(request, runner, reading)


@router.post("/account/password", response_model=None)
def change_password(
    request: Request,
    runner: PageRunner,
    hashing: PasswordWork,
    reading: ReadSession,
    writers: Writers,
    current: Annotated[str, Form(max_length=1024)] = "",
    new: Annotated[str, Form(max_length=1024)] = "",
    again: Annotated[str, Form(max_length=1024)] = "",
    sent_token: csrf.FormToken = "",
) -> Response:
    if not csrf.form_ok(request, sent_token):
        return _account_page(request, runner, reading, 400, error=FORM_EXPIRED)
    if new != again:
        error = "The two new passwords are not the same: type them again."
        return _account_page(request, runner, reading, 400, error=error)
    try:
        ended = accounts.change_password(
            reading,
            writers,
            runner,
            current,
            new,
            client_address(request),
            keep_session=this_session(request),
        )
    except PlayError as refused:
        status = errors.status_of(refused)
        page = _account_page(request, runner, reading, status, error=sentence(str(refused)))
        if isinstance(refused, throttle.Throttled):
            page.headers.update(errors.retry_after(refused.retry_after_s))
        return page
    others = f"; {ended} other browser{'s' if ended != 1 else ''} signed out" if ended else ""
    return _account_page(request, runner, reading, said=f"Password changed{others}.")


@router.post("/account/sessions/{session_id}/end", response_model=None)
def end_session(
    request: Request,
    runner: PageRunner,
    writing: WriteSession,
    session_id: SessionId,
    sent_token: csrf.FormToken = "",
) -> Response:
    if not csrf.form_ok(request, sent_token):
        return _account_page(request, runner, writing, 400, error=FORM_EXPIRED)
    try:
        accounts.end_session_id(writing, runner, session_id)
    except PlayError:
        writing.rollback()
        return _account_page(request, runner, writing, 404, error="That browser is signed out.")
    return RedirectResponse("/account", status_code=303)


@router.post("/account/sessions/end-others", response_model=None)
def end_other_sessions(
    request: Request, runner: PageRunner, writing: WriteSession, sent_token: csrf.FormToken = ""
) -> Response:
    if not csrf.form_ok(request, sent_token):
        return _account_page(request, runner, writing, 400, error=FORM_EXPIRED)
    accounts.end_other_sessions(writing, runner, this_session(request))
    return RedirectResponse("/account", status_code=303)
