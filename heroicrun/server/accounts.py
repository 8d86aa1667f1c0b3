"""Signing in and out, passwords, browser sessions, API tokens, and the server's first runner."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Request, Response
from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from heroicrun.db.schema import Runner, Token
from heroicrun.play import accounts
from heroicrun.server import cookies
from heroicrun.server.deps import (
    SESSION_COOKIE,
    CurrentRunner,
    ReadSession,
    Writers,
    WriteSession,
    client_address,
    this_session,
)
from heroicrun.server.params import SessionId, TokenId
from heroicrun.server.passwords import PasswordWork
from heroicrun.server.text import PlainText

router = APIRouter(tags=["accounts"])

UTCDatetime = Annotated[datetime, AfterValidator(accounts.utc)]
NOT_SIGNED_IN: dict[int | str, dict[str, Any]] = {
    401: {"description": "No valid token or session came with the request."}
}
THROTTLED: dict[int | str, dict[str, Any]] = {
    429: {
        "description": "Too many wrong passwords for this name or from this address lately: "
        "refused unchecked; the Retry-After header says for how many seconds."
    }
}


class Credentials(BaseModel):
    """A runner's name and password."""

    name: PlainText = Field(min_length=1, max_length=64, examples=["pheidippides"])
    password: PlainText = Field(min_length=1, max_length=1024, examples=["correct horse battery"])


class PasswordChange(BaseModel):
    """The runner's current password, and the new one (at least 8 characters)."""

    current: PlainText = Field(min_length=1, max_length=1024)
    new: PlainText = Field(min_length=1, max_length=1024)


class PasswordChanged(BaseModel):
    """The password is changed; every other browser session was ended (API tokens stay)."""

    sessions_ended: int


class RunnerOut(BaseModel):
    """A runner, as others may see them."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    created_at: UTCDatetime


class SignedIn(BaseModel):
    """Who is now signed in (the session itself travels in the heroicrun_session cookie)."""

    runner: RunnerOut


class TokenRequest(BaseModel):
    """The name of a new API token, to tell it apart later ("phone")."""

    name: PlainText = Field(
        min_length=1, max_length=accounts.MAX_TOKEN_NAME_CHARS, examples=["phone"]
    )


class TokenOut(BaseModel):
    """A live API token; its secret was shown once, when it was created, and never again."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    created_at: UTCDatetime
    last_used_at: UTCDatetime | None = Field(
        description="When it was last used, to the minute; null if never."
    )


class TokenList(BaseModel):
    """The runner's live API tokens, oldest first."""

    tokens: list[TokenOut]


class CreatedToken(BaseModel):
    """A new API token. `token` is shown this once: send it as 'Authorization: Bearer …'."""

    id: int
    name: str
    token: str = Field(examples=["hr_…"])


class SessionOut(BaseModel):
    """A live browser session of the runner (its secret is in that browser's cookie only)."""

    id: int
    created_at: UTCDatetime = Field(description="When that browser signed in.")
    last_used_at: UTCDatetime | None = Field(description="To the minute; null if never since.")
    expires_at: UTCDatetime = Field(description="When it ends unless it is used before.")
    current: bool = Field(description="Whether it is the session this request came with.")


class SessionList(BaseModel):
    """The runner's live browser sessions, the most recently used first."""

    sessions: list[SessionOut]


class EndedSessions(BaseModel):
    """How many browser sessions were ended."""

    ended: int


def _runner(runner: Runner) -> RunnerOut:
    return RunnerOut.model_validate(runner)


@router.post(
    "/api/session",
    responses={
        401: {"description": "Wrong name or password (the same answer for both)."},
        **THROTTLED,
    },
)
def sign_in(
    credentials: Credentials,
    request: Request,
    response: Response,
    hashing: PasswordWork,
    reading: ReadSession,
    writing: WriteSession,
    writers: Writers,
) -> SignedIn:
    """Sign in with name and password: sets the HttpOnly `heroicrun_session` cookie. After a
    few wrong passwords for a name, or many from one address, sign-ins are refused for a while
    (429, growing up to 15 minutes)."""
    runner = accounts.sign_in(
        reading,
        writers,
        credentials.name,
        credentials.password,
        client_address(request),
    )
    previous = request.cookies.get(SESSION_COOKIE)
    if previous:  # signing in again replaces this browser's session rather than adding one
        accounts.end_session(writing, previous)
    secret = accounts.start_session(writing, runner)
    cookies.set_session(request, response, secret)
    return SignedIn(runner=_runner(runner))


@router.delete("/api/session", status_code=204)
def sign_out(request: Request, writing: WriteSession) -> Response:
    """Sign out: the session in the cookie is revoked and the cookie cleared (204 either way)."""
    secret = request.cookies.get(SESSION_COOKIE)
    if secret:
        accounts.end_session(writing, secret)
    response = Response(status_code=204)
    cookies.clear_session(response)
    return response


@router.get("/api/me", responses=NOT_SIGNED_IN)
def me(runner: CurrentRunner) -> RunnerOut:
    """The signed-in runner."""
    return _runner(runner)


@router.put(
    "/api/me/password",
    responses={
        **NOT_SIGNED_IN,
        403: {"description": "The current password is not right."},
        **THROTTLED,
    },
)
def change_password(
    body: PasswordChange,
    request: Request,
    runner: CurrentRunner,
    hashing: PasswordWork,
    reading: ReadSession,
    writers: Writers,
) -> PasswordChanged:
    """Change the signed-in runner's password; every other browser session ends, this one and
    the API tokens stay. A wrong current password counts as a failed sign-in."""
    ended = accounts.change_password(
        reading,
        writers,
        runner,
        body.current,
        body.new,
        client_address(request),
        keep_session=this_session(request),
    )
    return PasswordChanged(sessions_ended=ended)


@router.get("/api/sessions", responses=NOT_SIGNED_IN)
def list_sessions(request: Request, runner: CurrentRunner, reading: ReadSession) -> SessionList:
    """The signed-in runner's live browser sessions, and which one this is (never secrets)."""
    current = this_session(request)
    return SessionList(
        sessions=[
            SessionOut(
                id=token.id,
                created_at=token.created_at,
                last_used_at=token.last_used_at,
                expires_at=accounts.expires_at(token) or token.created_at,
                current=token.id == current,
            )
            for token in accounts.live_sessions(reading, runner)
        ]
    )


@router.delete("/api/sessions", responses=NOT_SIGNED_IN)
def end_other_sessions(
    request: Request, runner: CurrentRunner, writing: WriteSession
) -> EndedSessions:
    """Sign out every other browser: all the runner's sessions but this one end."""
    return EndedSessions(ended=accounts.end_other_sessions(writing, runner, this_session(request)))


@router.delete(
    "/api/sessions/{session_id}",
    status_code=204,
    responses={**NOT_SIGNED_IN, 404: {"description": "No such live session of yours."}},
)
def end_session(
    session_id: SessionId, request: Request, runner: CurrentRunner, writing: WriteSession
) -> Response:
    """End one of the signed-in runner's browser sessions (this one too: that signs out)."""
    accounts.end_session_id(writing, runner, session_id)
    response = Response(status_code=204)
    if session_id == this_session(request):
        cookies.clear_session(response)
    return response


@router.get("/api/tokens", responses=NOT_SIGNED_IN)
def list_tokens(runner: CurrentRunner, reading: ReadSession) -> TokenList:
    """The signed-in runner's live API tokens (never their secrets)."""
    tokens: list[Token] = list(accounts.api_tokens(reading, runner))
    return TokenList(tokens=[TokenOut.model_validate(token) for token in tokens])


@router.post("/api/tokens", status_code=201, responses=NOT_SIGNED_IN)
def create_token(body: TokenRequest, runner: CurrentRunner, writing: WriteSession) -> CreatedToken:
    """A new named API token for the signed-in runner; the secret is in this answer only."""
    made = accounts.create_api_token(writing, runner, body.name)
    return CreatedToken(id=made.token.id, name=made.token.name, token=made.secret)


@router.delete(
    "/api/tokens/{token_id}",
    status_code=204,
    responses={**NOT_SIGNED_IN, 404: {"description": "No such live token of yours."}},
)
def revoke_token(token_id: TokenId, runner: CurrentRunner, writing: WriteSession) -> Response:
    """Revoke one of the signed-in runner's API tokens; anyone else's is a 404."""
    accounts.revoke_token_id(writing, runner, token_id)
    return Response(status_code=204)


@router.post(
    "/api/runners",
    status_code=201,
    responses={403: {"description": "The server has runners already: ask its owner."}},
)
def add_first_runner(
    credentials: Credentials,
    request: Request,
    response: Response,
    hashing: PasswordWork,
    writing: WriteSession,
) -> SignedIn:
    """Become the server's first runner, signed in at once; once anyone exists, a 403."""
    runner = accounts.add_first_runner(writing, credentials.name, credentials.password)
    secret = accounts.start_session(writing, runner)
    cookies.set_session(request, response, secret)
    return SignedIn(runner=_runner(runner))
