"""Pages for the runner's account: sign-in, the first runner, sign-out and API tokens.

Every POST form carries the form token of heroicrun.server.csrf.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote, urlsplit

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from heroicrun.db.schema import Runner
from heroicrun.play import PlayError, accounts
from heroicrun.server import cookies, csrf
from heroicrun.server.deps import MaybeRunner, PageRunner, ReadSession, WriteSession
from heroicrun.server.pages import FORM_EXPIRED, render, sentence
from heroicrun.server.params import TokenId

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
    reading: ReadSession,
    writing: WriteSession,
    name: Annotated[str, Form(max_length=200)] = "",
    password: Annotated[str, Form(max_length=1024)] = "",
    target: Annotated[str, Form(alias="next", max_length=2000)] = "/",
    sent_token: csrf.FormToken = "",
) -> Response:
    target = local_path(target)
    if not csrf.form_ok(request, sent_token):
        return render(request, "signin.html", 400, error=FORM_EXPIRED, name=name, next=target)
    runner = accounts.check_password(reading, name.strip(), password)
    if runner is None:
        return render(
            request,
            "signin.html",
            401,
            error="Wrong name or password.",
            name=name,
            next=target,
            first_run=not accounts.has_runners(reading),
        )
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
