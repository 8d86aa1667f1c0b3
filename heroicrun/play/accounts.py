"""Runners, their passwords, API tokens and browser sessions."""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, or_, select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from heroicrun.db.schema import Runner, Token
from heroicrun.play import Conflict, NotFound, PlayError

NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
TOKEN_PREFIX = "hr_"
MIN_PASSWORD_CHARS = 8
MAX_TOKEN_NAME_CHARS = 64
SESSION_IDLE = timedelta(days=30)  # a browser unused this long must sign in again
TOUCH_EVERY = timedelta(minutes=1)  # last_used_at is this precise, so use costs few writes
WRONG_PASSWORD = "wrong name or password"
ADD_RUNNERS_FROM_CLI = "ask the server's owner to add you (heroicrun runner add NAME)"
_hasher = PasswordHasher()


class SignInFailed(PlayError):
    """A name and password that do not match; an unknown name looks exactly the same."""

    status = 401


class Forbidden(PlayError):
    """Something this server does not let a visitor do."""

    status = 403


@dataclass(frozen=True)
class NewToken:
    """A token just made: its row, and its secret, which is kept nowhere."""

    token: Token
    secret: str


def now() -> datetime:
    return datetime.now(UTC)


def utc(moment: datetime) -> datetime:
    """`moment` as an aware UTC datetime (SQLite hands back naive ones)."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def hash_secret(secret: str) -> str:
    """SHA-256 of a token: tokens are 256 random bits, so a slow hash would add nothing."""
    return hashlib.sha256(secret.encode()).hexdigest()


def _new_runner(name: str, password: str | None) -> Runner:
    """A runner row, validated and with its password hashed, not yet in any session."""
    if not NAME.match(name):
        raise PlayError(f"runner name {name!r}: use letters, digits, '.', '_' or '-' (up to 64)")
    if password is not None and len(password) < MIN_PASSWORD_CHARS:
        raise PlayError(f"the password must have at least {MIN_PASSWORD_CHARS} characters")
    return Runner(
        name=name,
        password_hash=None if password is None else _hasher.hash(password),
        created_at=now(),
    )


def _insert(session: Session, runner: Runner) -> Runner:
    session.add(runner)
    try:
        session.flush()
    except IntegrityError:
        session.rollback()
        raise Conflict(f"there is already a runner called {runner.name!r}") from None
    return runner


def add_runner(session: Session, name: str, password: str | None) -> Runner:
    """Create a runner; names are letters, digits and . _ - (up to 64). No password: tokens only."""
    return _insert(session, _new_runner(name, password))


def add_first_runner(session: Session, name: str, password: str) -> Runner:
    """Create a runner only if there is none yet (the server's first visitor), else Forbidden."""
    runner = _new_runner(name, password)  # hashed before any lock is taken
    if session.get_bind().dialect.name == "postgresql":
        # Two first visitors at once must not both see an empty table; SQLite writers already
        # hold the database's write lock from the start of the transaction.
        session.execute(text("LOCK TABLE runners IN SHARE ROW EXCLUSIVE MODE"))
    if session.scalar(select(func.count()).select_from(Runner)):
        raise Forbidden(ADD_RUNNERS_FROM_CLI)
    return _insert(session, runner)


def has_runners(session: Session) -> bool:
    """Whether any runner exists yet."""
    return session.scalar(select(Runner.id).limit(1)) is not None


def all_runners(session: Session) -> Sequence[Runner]:
    """Every runner, by name."""
    return session.scalars(select(Runner).order_by(Runner.name)).all()


def runner_named(session: Session, name: str) -> Runner:
    """The runner with this name, or NotFound."""
    runner = session.scalar(select(Runner).where(Runner.name == name))
    if runner is None:
        raise NotFound(f"there is no runner called {name!r}")
    return runner


def check_password(session: Session, name: str, password: str) -> Runner | None:
    """The runner if the password is theirs, else None (same answer for an unknown name)."""
    runner = session.scalar(select(Runner).where(Runner.name == name))
    if runner is None or runner.password_hash is None:
        _hasher.hash(password)  # the same work either way, so timing does not tell names apart
        return None
    try:
        _hasher.verify(runner.password_hash, password)
    except (VerificationError, InvalidHashError):
        return None
    return runner


def sign_in(session: Session, name: str, password: str) -> Runner:
    """The runner whose name and password these are, or SignInFailed (one message for both)."""
    runner = check_password(session, name, password)
    if runner is None:
        raise SignInFailed(WRONG_PASSWORD)
    return runner


def create_token(session: Session, runner: Runner, name: str, kind: str = "api") -> str:
    """A new secret for `runner`; it is shown once and only its hash is kept."""
    return _create(session, runner, name, kind).secret


def _create(session: Session, runner: Runner, name: str, kind: str) -> NewToken:
    name = name.strip()
    if not name or len(name) > MAX_TOKEN_NAME_CHARS:
        raise PlayError(f"a token's name has 1 to {MAX_TOKEN_NAME_CHARS} characters")
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = Token(
        runner_id=runner.id,
        kind=kind,
        name=name,
        secret_hash=hash_secret(secret),
        created_at=now(),
    )
    session.add(token)
    session.flush()
    return NewToken(token, secret)


def create_api_token(session: Session, runner: Runner, name: str) -> NewToken:
    """A new named API token for `runner`, with the secret to show once."""
    return _create(session, runner, name, "api")


def start_session(session: Session, runner: Runner) -> str:
    """A new browser session for `runner`; returns the secret for its cookie."""
    return _create(session, runner, "browser", "session").secret


def live_token(session: Session, secret: str) -> Token | None:
    """The live token or session this secret belongs to, or None (revoked, idle, unknown)."""
    if not secret.startswith(TOKEN_PREFIX):
        return None
    token = session.scalar(
        select(Token).where(Token.secret_hash == hash_secret(secret), Token.revoked_at.is_(None))
    )
    if token is None:
        return None
    if token.kind == "session" and now() - utc(token.last_used_at or token.created_at) > (
        SESSION_IDLE
    ):
        return None
    return token


def runner_for_secret(session: Session, secret: str, kind: str | None = None) -> Runner | None:
    """The runner a live token or session belongs to, or None."""
    token = live_token(session, secret)
    if token is None or (kind is not None and token.kind != kind):
        return None
    return session.get(Runner, token.runner_id)


def needs_touch(token: Token, at: datetime | None = None) -> bool:
    """Whether the token's last_used_at is stale enough to be worth a write."""
    return token.last_used_at is None or (at or now()) - utc(token.last_used_at) >= TOUCH_EVERY


def touch(session: Session, token_id: int, at: datetime | None = None) -> None:
    """Record that a token was used (a no-op if another request just did)."""
    moment = at or now()
    session.execute(
        update(Token)
        .where(
            Token.id == token_id,
            or_(Token.last_used_at.is_(None), Token.last_used_at < moment - TOUCH_EVERY),
        )
        .values(last_used_at=moment)
        .execution_options(synchronize_session=False)
    )


def end_session(session: Session, secret: str) -> bool:
    """Revoke the browser session with this secret; whether there was a live one."""
    token = live_token(session, secret)
    if token is None or token.kind != "session":
        return False
    token.revoked_at = now()
    return True


def api_tokens(session: Session, runner: Runner) -> Sequence[Token]:
    """The runner's live API tokens, oldest first."""
    return session.scalars(
        select(Token)
        .where(Token.runner_id == runner.id, Token.kind == "api", Token.revoked_at.is_(None))
        .order_by(Token.created_at, Token.id)
    ).all()


def revoke_token_id(session: Session, runner: Runner, token_id: int) -> None:
    """Revoke one of the runner's live API tokens by id; another runner's is NotFound."""
    token = session.scalar(
        select(Token).where(
            Token.id == token_id,
            Token.runner_id == runner.id,
            Token.kind == "api",
            Token.revoked_at.is_(None),
        )
    )
    if token is None:
        raise NotFound(f"you have no live token with id {token_id}")
    token.revoked_at = now()


def revoke_token(session: Session, runner: Runner, name: str) -> int:
    """Revoke the runner's live API tokens with this name; how many were revoked."""
    tokens = session.scalars(
        select(Token).where(
            Token.runner_id == runner.id,
            Token.name == name,
            Token.kind == "api",
            Token.revoked_at.is_(None),
        )
    ).all()
    if not tokens:
        raise NotFound(f"{runner.name} has no live token called {name!r}")
    for token in tokens:
        token.revoked_at = now()
    return len(tokens)
