"""The brake on password guessing: wrong passwords counted per name and per client, and sign-ins
refused, unchecked, for a growing while once there were too many.

The counts live in the database (table sign_in_throttle), so every worker process of a server
shares them. A name no runner could have is kept only as a digest; so is an odd client string.
"""

from __future__ import annotations

import hashlib
import ipaddress
import logging
import math
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, sessionmaker

from heroicrun.db.schema import SignInThrottle
from heroicrun.play import PlayError

log = logging.getLogger("heroicrun.accounts")

NAME_FAILURES = 5  # wrong passwords for one name before its sign-ins are refused for a while
CLIENT_FAILURES = 20  # and from one client (IPv4 address, IPv6 /64), whatever the names
FIRST_BLOCK = timedelta(seconds=30)  # doubled by each further wrong password, up to
LONGEST_BLOCK = timedelta(minutes=15)
# Longer than LONGEST_BLOCK, so that a guesser who waits out each block keeps the longest one.
FORGET_AFTER = timedelta(hours=1)
_PLAIN = re.compile(r"[A-Za-z0-9.:_-]{1,64}")


class Throttled(PlayError):
    """Too many wrong passwords for this name or from this client: refused, unchecked, for now."""

    def __init__(self, retry_after_s: int, what: str = "wrong passwords") -> None:
        self.retry_after_s = retry_after_s
        wait = (
            f"{retry_after_s} seconds"
            if retry_after_s < 120
            else f"{-(-retry_after_s // 60)} minutes"
        )
        super().__init__(f"too many {what}: try again in {wait}")


@dataclass(frozen=True)
class Attempt:
    """Who is trying to sign in: the name typed, and the client's address when known.

    Another kind of guessing (a club's invite code) names its `scope`: its counters are its own,
    so wrong codes never lock anyone out of signing in."""

    name: str
    client: str | None
    scope: str = ""
    guesses: str = "wrong passwords"  # what too many of are called in the refusal

    @property
    def keys(self) -> list[tuple[str, int]]:
        """The counters this attempt is judged by, each with its limit; the name's first."""
        prefix = f"{self.scope}/" if self.scope else ""
        keys = [(prefix + name_key(self.name), NAME_FAILURES)]
        client_key = _client_key(self.client)
        if client_key is not None:
            keys.append((prefix + client_key, CLIENT_FAILURES))
        return keys


def now() -> datetime:
    return datetime.now(UTC)


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:40]


def name_key(name: str) -> str:
    """The counter of a name."""
    return f"name:{name}" if _PLAIN.fullmatch(name) else f"name#{_digest(name)}"


def _client_key(client: str | None) -> str | None:
    if not client:
        return None
    try:
        address = ipaddress.ip_address(client)
    except ValueError:
        return f"client:{client}" if _PLAIN.fullmatch(client) else f"client#{_digest(client)}"
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return f"client:{address.ipv4_mapped}"
        # One subscriber holds a whole /64: counting single addresses would let them rotate.
        prefix = ipaddress.IPv6Address(int(address) >> 64 << 64)
        return f"client:{prefix}/64"
    return f"client:{address}"


def _shown(client: str | None) -> str:
    """The client for a log line: an address as it is, anything odder quoted (no forged lines)."""
    return client if client and _PLAIN.fullmatch(client) else repr(client)


def refuse_if_blocked(reading: Session, attempt: Attempt) -> bool:
    """Throttled if the name or the client is blocked; else whether the name has failures."""
    keys = attempt.keys
    at = now()
    rows = reading.scalars(
        select(SignInThrottle).where(SignInThrottle.key.in_([key for key, _ in keys]))
    ).all()
    blocked = [row for row in rows if row.blocked_until and _utc(row.blocked_until) > at]
    if blocked:
        until = max(_utc(row.blocked_until) for row in blocked if row.blocked_until)
        failures = max(row.failures for row in blocked)
        log.warning(
            "sign-in refused: name %r, client %s, %d failures, blocked until %s",
            attempt.name,
            _shown(attempt.client),
            failures,
            until.isoformat(timespec="seconds"),
        )
        raise Throttled(math.ceil((until - at).total_seconds()), attempt.guesses)
    return any(row.key == keys[0][0] for row in rows)


def record(writers: sessionmaker[Session], attempt: Attempt, matched: bool) -> None:
    """Count a wrong password against the name and the client, or forget the name's failures
    after a right one; committed in a transaction of its own."""
    keys = attempt.keys
    with writers() as writing:
        if matched:
            writing.execute(
                delete(SignInThrottle)
                .where(SignInThrottle.key == keys[0][0])
                .execution_options(synchronize_session=False)
            )
        else:
            # Forgetting old failures here keeps the table as small as the last hour's guessing;
            # rows another worker holds are left for later rather than waited for (PostgreSQL).
            stale = (
                select(SignInThrottle.key)
                .where(SignInThrottle.last_failure_at < now() - FORGET_AFTER)
                .with_for_update(skip_locked=True)
            )
            writing.execute(
                delete(SignInThrottle)
                .where(SignInThrottle.key.in_(stale.scalar_subquery()))
                .execution_options(synchronize_session=False)
            )
            for key, limit in keys:
                _count_failure(writing, key, limit, attempt)
        writing.commit()


def _count_failure(writing: Session, key: str, limit: int, attempt: Attempt) -> None:
    at = now()
    dialect = writing.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    # Two workers may count the first failure of a key at once: make sure the row exists, then
    # lock it (SQLite writers hold the database's lock already) and count.
    writing.execute(
        insert(SignInThrottle)
        .values(key=key, failures=0, last_failure_at=at)
        .on_conflict_do_nothing(index_elements=["key"])
    )
    row = writing.scalars(
        select(SignInThrottle).where(SignInThrottle.key == key).with_for_update()
    ).one()
    if at - _utc(row.last_failure_at) > FORGET_AFTER:
        row.failures, row.blocked_until = 0, None
    row.failures += 1
    row.last_failure_at = at
    if row.failures >= limit:
        doublings = min(row.failures - limit, 32)
        row.blocked_until = at + min(FIRST_BLOCK * 2**doublings, LONGEST_BLOCK)
        log.warning(
            "sign-in locked: %s, name %r, client %s, %d failures, until %s",
            key,
            attempt.name,
            _shown(attempt.client),
            row.failures,
            row.blocked_until.isoformat(timespec="seconds"),
        )


def unlock(session: Session, name: str) -> int:
    """Forget a name's recent wrong passwords, so it may sign in at once; how many there were."""
    row = session.get(SignInThrottle, name_key(name))
    if row is None:
        return 0
    session.delete(row)
    return row.failures
