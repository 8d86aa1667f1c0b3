"""What route functions ask for: a database session, and the runner making the request."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, HTTPException, Request
from sqlalchemy.orm import Session

from heroicrun.db.schema import Runner
from heroicrun.play import accounts

SESSION_COOKIE = "heroicrun_session"


def reading(request: Request) -> Iterator[Session]:
    """A session for a request that only reads."""
    with request.app.state.readers() as session:
        yield session


def writing(request: Request) -> Iterator[Session]:
    """A session for a request that writes; committed when the route returns normally."""
    with request.app.state.writers() as session:
        yield session
        session.commit()


ReadSession = Annotated[Session, Depends(reading)]
WriteSession = Annotated[Session, Depends(writing)]


def _secret(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    return request.cookies.get(SESSION_COOKIE)


def signed_in(request: Request, session: ReadSession) -> Runner:
    """The runner whose token (Authorization: Bearer …) or session cookie came with the request."""
    secret = _secret(request)
    token = None if secret is None else accounts.live_token(session, secret)
    runner = None if token is None else session.get(Runner, token.runner_id)
    if token is None or runner is None:
        raise HTTPException(
            status_code=401,
            detail="sign in, or send an API token as 'Authorization: Bearer <token>'",
            headers={"WWW-Authenticate": "Bearer"},
        )
    if accounts.needs_touch(token):  # a write at most once a minute per token
        with request.app.state.writers() as writing:
            accounts.touch(writing, token.id)
            writing.commit()
    return runner


CurrentRunner = Annotated[Runner, Depends(signed_in)]


def maybe_signed_in(request: Request, session: ReadSession) -> Runner | None:
    """The runner behind the request's cookie or token, or None (pages then ask to sign in)."""
    try:
        runner = signed_in(request, session)
    except HTTPException:
        return None
    request.state.runner = runner
    return runner


PageRunner = Annotated[Runner | None, Depends(maybe_signed_in)]
