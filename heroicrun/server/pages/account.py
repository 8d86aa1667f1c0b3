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
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, RedirectResponse, Response
from markupsafe import Markup
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException

from heroicrun.db.schema import Runner
from heroicrun.missions.loading import Catalog
from heroicrun.play import PlayError, accounts, missions
from heroicrun.server import accounts as api_accounts
from heroicrun.server import pages, run_models
from heroicrun.server import runs as api_runs
from heroicrun.server.deps import SESSION_COOKIE, PageRunner, ReadSession, WriteSession

router = APIRouter(include_in_schema=False)

CSRF_COOKIE = "heroicrun_csrf"  # keys the form token before there is a session
CSRF_FIELD = "csrf"
FORM_EXPIRED = "This form has expired (you signed in or out elsewhere): please try again."
ACCEPT = (".gpx", ".tcx", ".fit", ".gz", ".zip", "application/gpx+xml", "application/octet-stream")
THEME = "#7a1f12"
PAPER = "#faf7f2"


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


def _page(request: Request, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
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
    api_accounts._set_session_cookie(request, response, secret)
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
    return _page(request, "signin.html", next=target, shared=bool(shared))


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
        return _page(request, "signin.html", 400, error=FORM_EXPIRED, name=name, next=target)
    runner = accounts.check_password(reading, name.strip(), password)
    if runner is None:
        return _page(
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
        return _page(request, "signout.html")
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
    return _page(request, "welcome.html", next=local_path(target))


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
            error = _sentence(str(refused))
        else:
            return _signed_in(request, writing, runner, target)
    return _page(request, "welcome.html", 400, error=error, name=name, next=target)


def _sentence(message: str) -> str:
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
    return _page(request, "tokens.html", status_code, active="tokens", tokens=tokens, **context)


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
        return _tokens_page(request, runner, writing, 400, error=_sentence(str(refused)))
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


# --- upload and share -----------------------------------------------------------------------


def _enrolled(request: Request, session: Session, runner: Runner) -> bool:
    return bool(missions.enrolled_missions(session, request.app.state.catalog, runner))


@router.get("/upload", response_model=None)
def upload_page(request: Request, runner: PageRunner, reading: ReadSession) -> Response:
    if runner is None:
        return pages.to_sign_in(request)
    return _page(
        request,
        "upload.html",
        active="upload",
        accept=",".join(ACCEPT),
        max_bytes=request.app.state.settings.max_upload_bytes,
        enrolled=_enrolled(request, reading, runner),
    )


@router.post("/upload", response_model=None)
async def upload(
    request: Request, runner: PageRunner, reading: ReadSession, fragment: int = 0
) -> Response:
    """The upload form's target; `?fragment=1` (upload.js) answers with the result alone."""
    if runner is None:
        if fragment:
            return _page(request, "_upload_result.html", 401, signed_out=True)
        return pages.to_sign_in(request)
    return await _store(request, runner, reading, "csrf", fragment=bool(fragment))


@router.post("/share", response_model=None)
async def share(request: Request, runner: PageRunner, reading: ReadSession) -> Response:
    """The manifest's share target: files shared from another app, stored like an upload."""
    if runner is None:  # the shared files cannot survive the trip through the sign-in page
        return RedirectResponse("/signin?next=/upload&shared=1", status_code=303)
    return await _store(request, runner, reading, "fetch-site")


@router.get("/share", response_model=None)
def share_page() -> Response:
    return RedirectResponse("/upload", status_code=303)


async def _store(
    request: Request, runner: Runner, session: Session, guard: str, fragment: bool = False
) -> Response:
    """Read the multipart form, check its guard, store each file as POST /api/runs does, and
    render what happened."""
    enrolled = await run_in_threadpool(_enrolled, request, session, runner)
    await run_in_threadpool(session.close)  # as the API does: no connection held meanwhile
    template = "_upload_result.html" if fragment else "upload_result.html"
    context: dict[str, Any] = {"active": "upload", "enrolled": enrolled}
    try:
        form = await api_runs.read_form(request)
    except HTTPException as refused:  # 413 past the body limit, 400 for a broken form
        problem = _sentence(str(refused.detail))
        return _page(request, template, refused.status_code, problem=problem, **context)
    try:
        if not _guarded(request, form, guard):
            return _page(request, template, 400, problem=FORM_EXPIRED, **context)
        files = api_runs.sent_files(form)
        answer = await api_runs.receive(request.app, runner, files)
    finally:
        await form.close()
    if not files:
        context["problem"] = "No file came with the upload: choose one or more run files."
    elif not answer.runs and not answer.errors:
        context["problem"] = "There was no GPX, TCX or FIT file in the upload."
    view = _result(answer, request.app.state.catalog)
    return _page(request, template, 200 if answer.runs else 422, **view, **context)


def _guarded(request: Request, form: FormData, guard: str) -> bool:
    if guard == "csrf":
        sent = form.get(CSRF_FIELD)
        return csrf_ok(request, sent if isinstance(sent, str) else "")
    # The share sheet's POST is the browser's own navigation ("none"); a page on another site
    # would say "cross-site" or "same-site".
    return request.headers.get("sec-fetch-site", "none") in ("none", "same-origin")


def _result(answer: run_models.Upload, catalog: Catalog) -> dict[str, Any]:
    """The upload for the page: each stored run with the chapters it unlocked, story included."""
    stored = [(run, [_chapter(item, catalog) for item in run.unlocked]) for run in answer.runs]
    return {
        "stored": stored,
        "errors": answer.errors,
        "skipped": answer.skipped,
        "unlocked_count": sum(len(chapters) for _, chapters in stored),
    }


def _chapter(unlocked: dict[str, str], catalog: Catalog) -> dict[str, Any]:
    """An unlocked beat (as runs.record reports it) with its story text, in paragraphs."""
    mission = catalog.get(unlocked.get("mission", ""))
    beats = mission.beats if mission is not None else []
    beat = next((beat for beat in beats if beat.id == unlocked.get("beat")), None)
    text = beat.text if beat is not None else ""
    paragraphs = [" ".join(part.split()) for part in text.strip().split("\n\n") if part.strip()]
    last = beat is not None and beat is beats[-1]
    return {**unlocked, "paragraphs": paragraphs, "complete": last}


# --- the web app manifest -------------------------------------------------------------------


@router.get("/sw.js")
def service_worker() -> FileResponse:
    """The service worker, served from the root so its scope is the whole app."""
    return FileResponse(
        pages.web_directory() / "static" / "sw.js",
        media_type="text/javascript",
        headers={"Service-Worker-Allowed": "/", "Cache-Control": "no-cache"},
    )


@router.get("/manifest.webmanifest")
def manifest() -> JSONResponse:
    """What a phone needs to install heroicrun and list it in its share sheet."""
    icons = [
        {"src": f"/static/icon-{size}.png", "sizes": f"{size}x{size}", "type": "image/png"}
        for size in (192, 512)
    ]
    icons.append({"src": "/static/icon.svg", "sizes": "any", "type": "image/svg+xml"})
    body = {
        "id": "/",
        "name": "heroicrun",
        "short_name": "heroicrun",
        "description": "Your real runs, measured honestly, turned into a story.",
        "start_url": "/",
        "scope": "/",
        "display": "standalone",
        "theme_color": THEME,
        "background_color": PAPER,
        "icons": icons,
        "share_target": {
            "action": "/share",
            "method": "POST",
            "enctype": "multipart/form-data",
            "params": {"files": [{"name": "files", "accept": [*ACCEPT, "*/*"]}]},
        },
    }
    return JSONResponse(body, media_type="application/manifest+json")
