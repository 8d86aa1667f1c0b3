"""Runners, their passwords, API tokens and browser sessions (the brake on guessing: throttle).

Signing in, and changing a password, hash with argon2 (a quarter of a second of one core). So
that no write lock is held meanwhile (a SQLite writer holds the whole database), they take a
session to read in and a sessionmaker to write with: the throttle and the runner are read
first, the password is hashed, and the outcome is recorded in a short transaction of its own,
committed before the function returns or raises (a wrong password must count although the
request fails).
"""

from __future__ import annotations

import hashlib
import logging
import re
import secrets
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, or_, select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from heroicrun.db.schema import Runner, Token
from heroicrun.play import Conflict, NotFound, PlayError, throttle

log = logging.getLogger("heroicrun.accounts")

NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")  # the whole name: use fullmatch
TOKEN_PREFIX = "hr_"
API = "api"
SESSION = "session"
MIN_PASSWORD_CHARS = 8
MAX_TOKEN_NAME_CHARS = 64
SESSION_IDLE = timedelta(days=30)  # a browser unused this long must sign in again
SESSION_LIFETIME = timedelta(days=90)  # and one in daily use, this long after it signed in
TOUCH_EVERY = timedelta(minutes=1)  # last_used_at is this precise, so use costs few writes
WRONG_PASSWORD = "wrong name or password"
ADD_RUNNERS_FROM_CLI = "ask the server's owner to add you (heroicrun runner add NAME)"
_hasher = PasswordHasher()


class SignInFailed(PlayError):
    """A name and password that do not match; an unknown name looks exactly the same."""


class Forbidden(PlayError):
    """Something this server does not let a visitor do."""


class WrongPassword(Forbidden):
    """The current password given to change it was not the runner's."""


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


def control_character(value: str) -> str | None:
    """The first control or format character (Unicode Cc, Cf) or lone surrogate in `value`, as
    "U+0000", or None."""
    for char in value:
        if unicodedata.category(char) in ("Cc", "Cf", "Cs"):
            return f"U+{ord(char):04X}"
    return None


def _check_new_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_CHARS:
        raise PlayError(f"the password must have at least {MIN_PASSWORD_CHARS} characters")
    found = control_character(password)
    if found is not None:
        raise PlayError(f"the password must not hold control characters ({found})")


def _new_runner(name: str, password: str | None) -> Runner:
    """A runner row, validated and with its password hashed, not yet in any session."""
    if not NAME.fullmatch(name):
        raise PlayError(f"runner name {name!r}: use letters, digits, '.', '_' or '-' (up to 64)")
    if password is not None:
        _check_new_password(password)
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


def _called(session: Session, name: str) -> Runner | None:
    # A name no runner can have is never sent to the database (PostgreSQL refuses a NUL).
    if not NAME.fullmatch(name):
        return None
    return session.scalar(select(Runner).where(Runner.name == name))


def runner_named(session: Session, name: str) -> Runner:
    """The runner with this name, or NotFound."""
    runner = _called(session, name)
    if runner is None:
        raise NotFound(f"there is no runner called {name!r}")
    return runner


def _matches(runner: Runner | None, password: str) -> bool:
    if runner is None or runner.password_hash is None:
        _hasher.hash(password)  # the same work either way, so timing does not tell names apart
        return False
    try:
        return _hasher.verify(runner.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def check_password(session: Session, name: str, password: str) -> Runner | None:
    """The runner if the password is theirs, else None (same answer for an unknown name).

    No brake on guessing: a sign-in goes through `sign_in`."""
    runner = _called(session, name)
    return runner if _matches(runner, password) else None


def _checked(
    reading: Session, writers: sessionmaker[Session], name: str, password: str, client: str | None
) -> Runner | None:
    """The runner if the password is theirs, else None, throttled and recorded."""
    attempt = throttle.Attempt(name, client)
    name_has_failures = throttle.refuse_if_blocked(reading, attempt)
    runner = _called(reading, name)
    matched = _matches(runner, password)  # the slow part: no write lock is held
    if not matched or name_has_failures:  # a success with nothing to forget writes nothing
        throttle.record(writers, attempt, matched)
    return runner if matched else None


def sign_in(
    reading: Session,
    writers: sessionmaker[Session],
    name: str,
    password: str,
    client: str | None,
) -> Runner:
    """The runner whose name and password these are; else SignInFailed (the same for an unknown
    name), or Throttled when the name or the client (an IP address) failed too often lately.

    Reads in `reading`, hashes with no write lock held, and records the outcome in a transaction
    of its own from `writers`, committed before this returns or raises. Each call takes a core
    for a quarter of a second: callers bound how many run at once.
    """
    runner = _checked(reading, writers, name, password, client)
    if runner is None:
        raise SignInFailed(WRONG_PASSWORD)
    return runner


def change_password(
    reading: Session,
    writers: sessionmaker[Session],
    runner: Runner,
    current: str,
    new: str,
    client: str | None,
    keep_session: int | None = None,
) -> int:
    """Give `runner` the password `new` if `current` is theirs, ending all their browser sessions
    but `keep_session` (the one asking); how many were ended. API tokens stay.

    A wrong `current` is WrongPassword and counts as a failed sign-in (Throttled after too many);
    sessions are as in `sign_in`, and the change is committed before this returns.
    """
    _check_new_password(new)
    if _checked(reading, writers, runner.name, current, client) is None:
        raise WrongPassword("the current password is not right")
    new_hash = _hasher.hash(new)  # before the write lock is taken
    with writers() as writing:
        writing.execute(
            update(Runner)
            .where(Runner.id == runner.id)
            .values(password_hash=new_hash)
            .execution_options(synchronize_session=False)
        )
        ended = end_other_sessions(writing, runner, keep_session)
        writing.commit()
    return ended


# --- API tokens and browser sessions ----------------------------------------------------------


def create_token(session: Session, runner: Runner, name: str, kind: str = API) -> str:
    """A new secret for `runner`; it is shown once and only its hash is kept."""
    return _create(session, runner, name, kind).secret


def _create(session: Session, runner: Runner, name: str, kind: str) -> NewToken:
    name = name.strip()
    if not name or len(name) > MAX_TOKEN_NAME_CHARS:
        raise PlayError(f"a token's name has 1 to {MAX_TOKEN_NAME_CHARS} characters")
    found = control_character(name)
    if found is not None:
        raise PlayError(f"a token's name must not hold control characters ({found})")
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
    return _create(session, runner, name, API)


def start_session(session: Session, runner: Runner) -> str:
    """A new browser session for `runner`; returns the secret for its cookie."""
    return _create(session, runner, "browser", SESSION).secret


def expires_at(token: Token) -> datetime | None:
    """When a browser session dies unless used before (idle, or at the end of its lifetime);
    None for an API token, which lives until revoked."""
    if token.kind != SESSION:
        return None
    created = utc(token.created_at)
    return min(
        utc(token.last_used_at or token.created_at) + SESSION_IDLE, created + SESSION_LIFETIME
    )


def _alive(token: Token, at: datetime) -> bool:
    ends = expires_at(token)
    return token.revoked_at is None and (ends is None or at <= ends)


def live_token(session: Session, secret: str, kind: str) -> Token | None:
    """The live token of this kind ("api" or "session") with this secret, or None (revoked,
    expired, unknown, or of the other kind: a session is no API token, and the reverse)."""
    found = live_token_and_runner(session, secret, kind)
    return None if found is None else found[0]


def live_token_and_runner(session: Session, secret: str, kind: str) -> tuple[Token, Runner] | None:
    """`live_token` and its runner, read together: a request asks for both."""
    if kind not in (API, SESSION):
        raise ValueError(f"no such kind of token: {kind!r}")
    if not secret.startswith(TOKEN_PREFIX):
        return None
    found = session.execute(
        select(Token, Runner)
        .join(Runner, Runner.id == Token.runner_id)
        .where(
            Token.secret_hash == hash_secret(secret),
            Token.kind == kind,
            Token.revoked_at.is_(None),
        )
    ).first()
    if found is None or not _alive(found[0], now()):
        return None
    return found[0], found[1]


def runner_for_secret(session: Session, secret: str, kind: str) -> Runner | None:
    """The runner a live token or session of this kind belongs to, or None."""
    found = live_token_and_runner(session, secret, kind)
    return None if found is None else found[1]


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
    token = live_token(session, secret, SESSION)
    if token is None:
        return False
    token.revoked_at = now()
    return True


def live_sessions(session: Session, runner: Runner) -> list[Token]:
    """The runner's live browser sessions, the most recently used first."""
    at = now()
    found = session.scalars(
        select(Token).where(
            Token.runner_id == runner.id,
            Token.kind == SESSION,
            Token.revoked_at.is_(None),
            Token.created_at >= at - SESSION_LIFETIME,
        )
    ).all()
    live = [token for token in found if _alive(token, at)]
    return sorted(live, key=lambda t: (utc(t.last_used_at or t.created_at), t.id), reverse=True)


def end_session_id(session: Session, runner: Runner, session_id: int) -> None:
    """End one of the runner's live browser sessions by id; anyone else's is NotFound."""
    token = next((t for t in live_sessions(session, runner) if t.id == session_id), None)
    if token is None:
        raise NotFound(f"you have no live session with id {session_id}")
    token.revoked_at = now()


def end_other_sessions(session: Session, runner: Runner, keep: int | None) -> int:
    """End every live browser session of the runner but the one with id `keep`; how many."""
    ended = [token for token in live_sessions(session, runner) if token.id != keep]
    for token in ended:
        token.revoked_at = now()
    session.flush()
    return len(ended)


def api_tokens(session: Session, runner: Runner) -> Sequence[Token]:
    """The runner's live API tokens, oldest first."""
    return session.scalars(
        select(Token)
        .where(Token.runner_id == runner.id, Token.kind == API, Token.revoked_at.is_(None))
        .order_by(Token.created_at, Token.id)
    ).all()


def revoke_token_id(session: Session, runner: Runner, token_id: int) -> None:
    """Revoke one of the runner's live API tokens by id; another runner's is NotFound."""
    token = session.scalar(
        select(Token).where(
            Token.id == token_id,
            Token.runner_id == runner.id,
            Token.kind == API,
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
            Token.kind == API,
            Token.revoked_at.is_(None),
        )
    ).all()
    if not tokens:
        raise NotFound(f"{runner.name} has no live token called {name!r}")
    for token in tokens:
        token.revoked_at = now()
    return len(tokens)
