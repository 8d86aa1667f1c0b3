"""Pages for the runner's account and their uploads: sign-in, the first runner, sign-out, API
tokens, the upload page, and the web app manifest whose share target posts files to `/share`.

Every POST page route checks a CSRF field (see `csrf_token`), except `/share`: a phone's share
sheet cannot add a field, so it is judged by the browser's Sec-Fetch-Site header instead, and its
SameSite=Lax session cookie does not travel with another site's POST in the first place.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import Annotated, Any
from urllib.parse import quote, urlsplit

from fastapi import APIRouter, Form, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from markupsafe import Markup
from sqlalchemy.orm import Session

from heroicrun.db.schema import Runner
from heroicrun.play import PlayError, accounts
from heroicrun.server import accounts as api_accounts
from heroicrun.server import pages
from heroicrun.server.deps import SESSION_COOKIE, PageRunner, ReadSession, WriteSession

router = APIRouter(include_in_schema=False)

CSRF_COOKIE = "heroicrun_csrf"  # keys the form token before there is a session
CSRF_FIELD = "csrf"
FORM_EXPIRED = "This form has expired (you signed in or out elsewhere): please try again."


# --- CSRF -----------------------------------------------------------------------------------


def csrf_token(request: Request) -> str:
    """The hidden field every POST page route wants: HMAC-SHA256 of a fixed label, keyed by this
    browser's secret cookie (the session's secret, or before sign-in a random `heroicrun_csrf`
    cookie). Nothing is stored; another site can read neither the cookie nor the page."""
    key = request.cookies.get(SESSION_COOKIE) or request.cookies.get(CSRF_COOKIE)
    if key is None:  # a first visit: the page that shows the form sets the cookie
        key = getattr(request.state, "csrf_nonce", None)
        if key is None:
            key = request.state.csrf_nonce = secrets.token_urlsafe(32)
    return hmac.new(key.encode(), b"heroicrun form", hashlib.sha256).hexdigest()


def csrf_field(request: Request) -> Markup:
    """The hidden input a POST form needs; pages pass it to templates as `csrf_field`."""
    return Markup('<input type="hidden" name="{}" value="{}">').format(
        CSRF_FIELD, csrf_token(request)
    )


def csrf_ok(request: Request, sent: str) -> bool:
    """Whether a POSTed form carried this browser's token (requests with an API token need none:
    a browser never adds an Authorization header by itself)."""
    if request.headers.get("authorization", "").lower().startswith("bearer "):
        return True
    has_key = SESSION_COOKIE in request.cookies or CSRF_COOKIE in request.cookies
    return has_key and hmac.compare_digest(sent.encode(), csrf_token(request).encode())


def page(request: Request, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    """`pages.render`, setting the pre-sign-in CSRF cookie when the page minted one."""
    context.setdefault("csrf_field", csrf_field(request))
    response = pages.render(request, template, status_code, **context)
    nonce = getattr(request.state, "csrf_nonce", None)
    if nonce is not None:
        secure = request.url.scheme == "https"
        response.set_cookie(CSRF_COOKIE, nonce, httponly=True, samesite="lax", secure=secure)
    return response


# --- sign-in, the first runner, sign-out ----------------------------------------------------


def first_run_redirect(request: Request, session: Session) -> RedirectResponse | None:
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


def _signed_in(request: Request, writing: Session, runner: Runner, target: str) -> Response:
    """Start a session for `runner` in this browser and go to `target`."""
    previous = request.cookies.get(SESSION_COOKIE)
    if previous:  # signing in again replaces this browser's session rather than adding one
        accounts.end_session(writing, previous)
    secret = accounts.start_session(writing, runner)
    writing.commit()  # before the browser follows the redirect with the new cookie
    response = RedirectResponse(target, status_code=303)
    api_accounts.set_session_cookie(request, response, secret)
    response.delete_cookie(CSRF_COOKIE, path="/")
    return response


@router.get("/signin", response_model=None)
def signin_page(
    request: Request,
    runner: PageRunner,
    reading: ReadSession,
    target: Annotated[str, Query(alias="next", max_length=2000)] = "/",
    shared: int = 0,
) -> Response:
    target = local_path(target)
    if runner is not None:
        return RedirectResponse(target, status_code=303)
    if not accounts.has_runners(reading):  # a fresh server: the visitor becomes its first runner
        return RedirectResponse(f"/welcome?next={quote(target)}", status_code=303)
    return page(request, "signin.html", next=target, shared=bool(shared))


@router.post("/signin", response_model=None)
def signin(
    request: Request,
    reading: ReadSession,
    writing: WriteSession,
    name: Annotated[str, Form(max_length=200)] = "",
    password: Annotated[str, Form(max_length=1024)] = "",
    target: Annotated[str, Form(alias="next", max_length=2000)] = "/",
    csrf: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    target = local_path(target)
    if not csrf_ok(request, csrf):
        return page(request, "signin.html", 400, error=FORM_EXPIRED, name=name, next=target)
    runner = accounts.check_password(reading, name.strip(), password)
    if runner is None:
        return page(
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
    runner: PageRunner,
    writing: WriteSession,
    csrf: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    # The nav's sign-out button has no token field: a browser that vouches the form is this
    # site's own (Sec-Fetch-Site, which no page can forge) signs out at once; others are asked.
    same_origin = request.headers.get("sec-fetch-site") == "same-origin"
    if runner is not None and not same_origin and not csrf_ok(request, csrf):
        return page(request, "signout.html")
    secret = request.cookies.get(SESSION_COOKIE)
    if secret:
        accounts.end_session(writing, secret)
        writing.commit()
    response = RedirectResponse("/signin", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="lax")
    return response


@router.get("/welcome", response_model=None)
def welcome_page(
    request: Request,
    reading: ReadSession,
    target: Annotated[str, Query(alias="next", max_length=2000)] = "/",
) -> Response:
    if accounts.has_runners(reading):
        return RedirectResponse("/signin", status_code=303)
    return page(request, "welcome.html", next=local_path(target))


@router.post("/welcome", response_model=None)
def welcome(
    request: Request,
    writing: WriteSession,
    name: Annotated[str, Form(max_length=200)] = "",
    password: Annotated[str, Form(max_length=1024)] = "",
    again: Annotated[str, Form(max_length=1024)] = "",
    target: Annotated[str, Form(alias="next", max_length=2000)] = "/",
    csrf: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    target = local_path(target)
    error = None
    if not csrf_ok(request, csrf):
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
    return page(request, "welcome.html", 400, error=error, name=name, next=target)


def sentence(message: str) -> str:
    """A play-layer message ("the password must …") as a sentence for a page."""
    return message[:1].upper() + message[1:] + ("" if message.endswith(".") else ".")


# --- API tokens -----------------------------------------------------------------------------


def _tokens_page(
    request: Request, runner: Runner, session: Session, status_code: int = 200, **context: Any
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
    return page(request, "tokens.html", status_code, active="tokens", tokens=tokens, **context)


@router.get("/tokens", response_model=None)
def tokens_page(
    request: Request, runner: PageRunner, reading: ReadSession, revoked: str = ""
) -> Response:
    if runner is None:
        return pages.to_sign_in(request)
    return _tokens_page(request, runner, reading, revoked=revoked[:64])


@router.post("/tokens", response_model=None)
def create_token(
    request: Request,
    runner: PageRunner,
    writing: WriteSession,
    name: Annotated[str, Form(max_length=200)] = "",
    csrf: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    if runner is None:
        return pages.to_sign_in(request)
    if not csrf_ok(request, csrf):
        return _tokens_page(request, runner, writing, 400, error=FORM_EXPIRED)
    try:
        made = accounts.create_api_token(writing, runner, name)
    except PlayError as refused:
        return _tokens_page(request, runner, writing, 400, error=sentence(str(refused)))
    writing.commit()
    curl = (
        f'curl -H "Authorization: Bearer {made.secret}" '
        f"-F files=@run.gpx {request.base_url}api/runs"
    )
    created = {"name": made.token.name, "secret": made.secret, "curl": curl}
    response = _tokens_page(request, runner, writing, 201, created=created)
    response.headers["Cache-Control"] = "no-store"  # the secret is on this page, once
    return response


@router.post("/tokens/{token_id}/revoke", response_model=None)
def revoke_token(
    request: Request,
    runner: PageRunner,
    writing: WriteSession,
    token_id: Annotated[int, Path(ge=1, le=2**31 - 1)],
    csrf: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    if runner is None:
        return pages.to_sign_in(request)
    if not csrf_ok(request, csrf):
        return _tokens_page(request, runner, writing, 400, error=FORM_EXPIRED)
    names = {token.id: token.name for token in accounts.api_tokens(writing, runner)}
    try:
        accounts.revoke_token_id(writing, runner, token_id)
    except PlayError:
        return _tokens_page(request, runner, writing, 404, error="That token is already gone.")
    writing.commit()
    return RedirectResponse(f"/tokens?revoked={quote(names[token_id])}", status_code=303)
