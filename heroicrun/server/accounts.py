"""Signing in and out, the signed-in runner, API tokens, and the server's first runner."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Request, Response
from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from heroicrun.db.schema import Runner, Token
from heroicrun.play import accounts
from heroicrun.server.deps import SESSION_COOKIE, CurrentRunner, ReadSession, WriteSession

router = APIRouter(tags=["accounts"])

UTCDatetime = Annotated[datetime, AfterValidator(accounts.utc)]
NOT_SIGNED_IN: dict[int | str, dict[str, Any]] = {
    401: {"description": "No valid token or session came with the request."}
}


class Credentials(BaseModel):
    """A runner's name and password."""

    name: str = Field(min_length=1, max_length=64, examples=["pheidippides"])
    password: str = Field(min_length=1, max_length=1024, examples=["correct horse battery"])


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

    name: str = Field(min_length=1, max_length=accounts.MAX_TOKEN_NAME_CHARS, examples=["phone"])


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


def _runner(runner: Runner) -> RunnerOut:
    return RunnerOut.model_validate(runner)


def set_session_cookie(request: Request, response: Response, secret: str) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        secret,
        max_age=int(accounts.SESSION_IDLE.total_seconds()),
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",  # a phone on the home network speaks plain HTTP
        path="/",
    )


@router.post(
    "/api/session",
    responses={401: {"description": "Wrong name or password (the same answer for both)."}},
)
def sign_in(
    credentials: Credentials,
    request: Request,
    response: Response,
    reading: ReadSession,
    writing: WriteSession,
) -> SignedIn:
    """Sign in with name and password: sets the HttpOnly `heroicrun_session` cookie."""
    # The slow password check reads; only the new session writes, so the write lock (SQLite)
    # is not held while argon2 works.
    runner = accounts.sign_in(reading, credentials.name, credentials.password)
    previous = request.cookies.get(SESSION_COOKIE)
    if previous:  # signing in again replaces this browser's session rather than adding one
        accounts.end_session(writing, previous)
    secret = accounts.start_session(writing, runner)
    set_session_cookie(request, response, secret)
    return SignedIn(runner=_runner(runner))


@router.delete("/api/session", status_code=204)
def sign_out(request: Request, writing: WriteSession) -> Response:
    """Sign out: the session in the cookie is revoked and the cookie cleared (204 either way)."""
    secret = request.cookies.get(SESSION_COOKIE)
    if secret:
        accounts.end_session(writing, secret)
    response = Response(status_code=204)
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="lax")
    return response


@router.get("/api/me", responses=NOT_SIGNED_IN)
def me(runner: CurrentRunner) -> RunnerOut:
    """The signed-in runner."""
    return _runner(runner)


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
def revoke_token(token_id: int, runner: CurrentRunner, writing: WriteSession) -> Response:
    """Revoke one of the signed-in runner's API tokens; anyone else's is a 404."""
    accounts.revoke_token_id(writing, runner, token_id)
    return Response(status_code=204)


@router.post(
    "/api/runners",
    status_code=201,
    responses={403: {"description": "The server has runners already: ask its owner."}},
)
def add_first_runner(
    credentials: Credentials, request: Request, response: Response, writing: WriteSession
) -> SignedIn:
    """Become the server's first runner, signed in at once; once anyone exists, a 403."""
    runner = accounts.add_first_runner(writing, credentials.name, credentials.password)
    secret = accounts.start_session(writing, runner)
    set_session_cookie(request, response, secret)
    return SignedIn(runner=_runner(runner))
