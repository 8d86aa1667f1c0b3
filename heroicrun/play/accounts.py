"""Runners, their passwords, API tokens and browser sessions."""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import UTC, datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from heroicrun.db.schema import Runner, Token
from heroicrun.play import Conflict, NotFound, PlayError

NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
TOKEN_PREFIX = "hr_"
MIN_PASSWORD_CHARS = 8
_hasher = PasswordHasher()


def now() -> datetime:
    return datetime.now(UTC)


def hash_secret(secret: str) -> str:
    """SHA-256 of a token: tokens are 256 random bits, so a slow hash would add nothing."""
    return hashlib.sha256(secret.encode()).hexdigest()


def add_runner(session: Session, name: str, password: str | None) -> Runner:
    """Create a runner; names are letters, digits and . _ - (up to 64)."""
    if not NAME.match(name):
        raise PlayError(f"runner name {name!r}: use letters, digits, '.', '_' or '-' (up to 64)")
    if password is not None and len(password) < MIN_PASSWORD_CHARS:
        raise PlayError(f"the password must have at least {MIN_PASSWORD_CHARS} characters")
    runner = Runner(
        name=name,
        password_hash=None if password is None else _hasher.hash(password),
        created_at=now(),
    )
    session.add(runner)
    try:
        session.flush()
    except IntegrityError:
        session.rollback()
        raise Conflict(f"there is already a runner called {name!r}") from None
    return runner


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


def create_token(session: Session, runner: Runner, name: str, kind: str = "api") -> str:
    """A new secret for `runner`; it is shown once and only its hash is kept."""
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    session.add(
        Token(
            runner_id=runner.id,
            kind=kind,
            name=name[:64],
            secret_hash=hash_secret(secret),
            created_at=now(),
        )
    )
    session.flush()
    return secret


def runner_for_secret(session: Session, secret: str, kind: str | None = None) -> Runner | None:
    """The runner a live token or session belongs to, or None."""
    query = select(Token).where(
        Token.secret_hash == hash_secret(secret), Token.revoked_at.is_(None)
    )
    token = session.scalar(query)
    if token is None or (kind is not None and token.kind != kind):
        return None
    return session.get(Runner, token.runner_id)


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
