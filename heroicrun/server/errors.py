"""What each failure becomes on the wire: one table of statuses, JSON for the API, a page for
the pages, and one log line (never a traceback) for faults that are the client's or the
database's, not heroicrun's."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from sqlalchemy.exc import OperationalError
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect

from heroicrun.db import engine as db_engine
from heroicrun.play import Conflict, NotFound, PlayError, accounts, runs, throttle
from heroicrun.server import admission, pages
from heroicrun.server.deps import SignInNeeded

log = logging.getLogger("heroicrun.server")

# The play layer says what went wrong; this says what HTTP calls it. Subclasses first.
STATUSES: tuple[tuple[type[Exception], int], ...] = (
    (accounts.SignInFailed, 401),
    (throttle.Throttled, 429),
    (accounts.Forbidden, 403),
    (runs.Unreadable, 422),
    (runs.Damaged, 500),
    (NotFound, 404),
    (Conflict, 409),
    (PlayError, 400),
)
UNAVAILABLE = "the database cannot be written just now; nothing was changed: try again later"
HEADINGS = {
    400: "That did not work",
    401: "Sign in first",
    403: "Not allowed",
    404: "Not found",
    409: "Already there",
    413: "Too large",
    422: "That did not work",
    429: "Too many tries",
    500: "Something broke",
    503: "Busy or unavailable",
}


def status_of(error: Exception) -> int:
    """The HTTP status a play-layer error is answered with."""
    return next((status for kind, status in STATUSES if isinstance(error, kind)), 500)


def is_api(request: Request) -> bool:
    """Whether the request went to the JSON API (else it is a page, answered with a page)."""
    return request.url.path.startswith("/api/") or request.url.path == "/openapi.json"


def answer(
    request: Request, status: int, detail: str, headers: dict[str, str] | None = None
) -> Response:
    """The failure as JSON `{"detail": …}` for the API, or as a page with one sentence."""
    if is_api(request):
        return JSONResponse({"detail": detail}, status_code=status, headers=headers)
    page = pages.render(
        request,
        "error.html",
        status,
        heading=HEADINGS.get(status, "That did not work"),
        message=pages.sentence(detail),
    )
    page.headers.update(headers or {})
    return page


def retry_after(seconds: float) -> dict[str, str]:
    return {"Retry-After": str(max(1, round(seconds)))}


def install(app: FastAPI) -> None:
    """Register the handlers on `app`."""

    @app.exception_handler(PlayError)
    async def _play(request: Request, error: PlayError) -> Response:
        headers = None
        if isinstance(error, throttle.Throttled):
            headers = retry_after(error.retry_after_s)
        return answer(request, status_of(error), str(error), headers)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, error: RequestValidationError) -> Response:
        problems = [_problem(item) for item in error.errors()]
        if not is_api(request) and any(item["loc"][:1] == ("path",) for item in error.errors()):
            return _no_such(request)  # /runs/abc looks just like a missing run
        return answer(request, 422 if is_api(request) else 400, "; ".join(problems))

    @app.exception_handler(HTTPException)
    async def _http(request: Request, error: HTTPException) -> Response:
        return answer(request, error.status_code, str(error.detail), dict(error.headers or {}))

    @app.exception_handler(SignInNeeded)
    async def _sign_in(request: Request, _error: SignInNeeded) -> Response:
        return pages.to_sign_in(request)

    @app.exception_handler(admission.Busy)
    async def _busy(request: Request, error: admission.Busy) -> Response:
        message = "the server is busy reading other files: try again in a moment"
        return answer(request, 503, message, retry_after(error.retry_after_s))

    @app.exception_handler(db_engine.Unavailable)
    async def _gone(request: Request, error: db_engine.Unavailable) -> Response:
        log.error("%s %s: %s", request.method, request.url.path, error)
        return answer(request, 503, UNAVAILABLE, retry_after(30))

    @app.exception_handler(OperationalError)
    async def _database(request: Request, error: OperationalError) -> Response:
        log.error("%s %s: database: %s", request.method, request.url.path, error.orig)
        return answer(request, 503, UNAVAILABLE, retry_after(30))

    @app.exception_handler(ClientDisconnect)
    async def _left(request: Request, _error: ClientDisconnect) -> Response:
        log.info(
            "%s %s: the client went away before sending it all", request.method, request.url.path
        )
        return Response(status_code=400)


NOUNS = {"runs": "run", "missions": "mission", "tokens": "token", "account": "session"}


def _no_such(request: Request) -> Response:
    """A page for an id that cannot exist: the same as for one that does not."""
    route = getattr(request.scope.get("route"), "path", request.url.path)
    noun = NOUNS.get(route.strip("/").split("/")[0], "page")
    return pages.render(
        request, "error.html", 404, heading=f"No such {noun}", message=f"There is no such {noun}."
    )


def _problem(item: Any) -> str:
    where = ".".join(str(part) for part in item["loc"])
    return f"{where}: {item['msg']}"
