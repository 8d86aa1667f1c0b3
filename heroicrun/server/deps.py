"""What route functions ask for: a database session, and the runner making the request.

Writes are committed when the route function returns and before the answer leaves (FastAPI's
`scope="function"`): a 204 for a revoked token means the token is revoked for every worker,
and a commit that fails is the request's error, never a success already sent.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, HTTPException, Request
from sqlalchemy.orm import Session, sessionmaker

from heroicrun.db.schema import Runner, Token
from heroicrun.play import accounts
from heroicrun.server import csrf
from heroicrun.server.csrf import SESSION_COOKIE

__all__ = [
    "SESSION_COOKIE",
    "CurrentRunner",
    "MaybeRunner",
    "PageRunner",
    "ReadSession",
    "WriteSession",
    "Writers",
]


def reading(request: Request) -> Iterator[Session]:
    """A session for a request that only reads."""
    with request.app.state.readers() as session:
        yield session


def writing(request: Request) -> Iterator[Session]:
    """A session for a request that writes; committed when the route returns normally."""
    with request.app.state.writers() as session:
        yield session
        session.commit()


def writers(request: Request) -> sessionmaker[Session]:
    """Write sessions to open and commit one's own (a slow step must not hold the write lock)."""
    made: sessionmaker[Session] = request.app.state.writers
    return made


ReadSession = Annotated[Session, Depends(reading, scope="function")]
WriteSession = Annotated[Session, Depends(writing, scope="function")]
Writers = Annotated[sessionmaker[Session], Depends(writers)]


class SignInNeeded(Exception):
    """A page that needs a signed-in runner was asked for without one (off to /signin)."""


def signed_in(request: Request, session: ReadSession) -> Runner:
    """The runner whose token (Authorization: Bearer …) or session cookie came with the request.

    A browser's cookie travels with requests other sites make too, so a cookie-authenticated
    request that changes something must come from one of this site's own pages.
    """
    bearer = csrf.bearer_secret(request)
    if bearer is not None:
        found = accounts.live_token_and_runner(session, bearer, "api")
    else:
        cookie = request.cookies.get(SESSION_COOKIE)
        found = (
            None if cookie is None else accounts.live_token_and_runner(session, cookie, "session")
        )
        if found is not None and not csrf.same_origin_or_safe(request):
            raise HTTPException(
                status_code=403,
                detail="this request came from another site's page; heroicrun refused it",
            )
    if found is None:
        raise HTTPException(
            status_code=401,
            detail="sign in, or send an API token as 'Authorization: Bearer <token>'",
            headers={"WWW-Authenticate": "Bearer"},
        )
    token, runner = found
    if accounts.needs_touch(token):  # a write at most once a minute per token
        with request.app.state.writers() as touching:
            accounts.touch(touching, token.id)
            touching.commit()
    request.state.runner = runner
    request.state.token = token  # which session is this one (server.accounts.this_session)
    return runner


def maybe_signed_in(request: Request, session: ReadSession) -> Runner | None:
    """The runner behind the request's cookie or token, or None."""
    try:
        return signed_in(request, session)
    except HTTPException as refused:
        if refused.status_code == 401:
            return None
        raise


def page_runner(runner: Annotated[Runner | None, Depends(maybe_signed_in)]) -> Runner:
    """The signed-in runner of a page; without one, SignInNeeded sends the browser to sign in."""
    if runner is None:
        raise SignInNeeded
    return runner


def client_address(request: Request) -> str | None:
    """The address the request came from (behind a trusted proxy, the one it forwarded)."""
    return request.client.host if request.client else None


def this_session(request: Request) -> int | None:
    """The id of the browser session the request signed in with; None with an API token."""
    token = getattr(request.state, "token", None)
    return token.id if isinstance(token, Token) and token.kind == accounts.SESSION else None


CurrentRunner = Annotated[Runner, Depends(signed_in)]  # the API: 401 without one
PageRunner = Annotated[Runner, Depends(page_runner)]  # pages: a redirect to /signin without one
MaybeRunner = Annotated[Runner | None, Depends(maybe_signed_in)]  # pages open to anyone
