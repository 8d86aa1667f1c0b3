"""The browser's session cookie: set at sign-in, cleared at sign-out, by the API and pages alike."""

from __future__ import annotations

from fastapi import Request, Response

from heroicrun.play import accounts
from heroicrun.server.csrf import CSRF_COOKIE, SESSION_COOKIE


def set_session(request: Request, response: Response, secret: str) -> None:
    """Give the browser its session; the pre-sign-in form cookie has done its job."""
    response.set_cookie(
        SESSION_COOKIE,
        secret,
        max_age=int(accounts.SESSION_LIFETIME.total_seconds()),  # the server ends idle ones
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",  # a phone on the home network speaks plain HTTP
        path="/",
    )
    response.delete_cookie(CSRF_COOKIE, path="/")


def clear_session(response: Response) -> None:
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="lax")
