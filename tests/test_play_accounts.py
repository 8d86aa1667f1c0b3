"""Runners, passwords, tokens and sessions, at the layer where the domain meets storage."""

from __future__ import annotations

import logging
import re
import threading
from datetime import datetime, timedelta

import pytest
from argon2 import PasswordHasher
from sqlalchemy import Engine, select, text
from sqlalchemy.orm import Session, sessionmaker

from heroicrun.db import engine as db_engine
from heroicrun.db.schema import Runner, SignInThrottle, Token
from heroicrun.play import Conflict, NotFound, PlayError, accounts, throttle

PASSWORD = "correct horse battery"
HOME = "192.0.2.7"


@pytest.fixture(autouse=True)
def cheap_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """argon2 at its lightest, so a test can make dozens of guesses (the defaults take 0.25 s)."""
    monkeypatch.setattr(accounts, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024))


class Clock:
    """accounts.now(), stopped, moved on only by `advance`."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.moment = accounts.now()
        monkeypatch.setattr(accounts, "now", lambda: self.moment)
        monkeypatch.setattr(throttle, "now", lambda: self.moment)

    def advance(self, **delta: float) -> None:
        self.moment += timedelta(**delta)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    return Clock(monkeypatch)


@pytest.fixture
def sessions(engine: Engine) -> sessionmaker[Session]:
    return db_engine.writers(engine)


@pytest.fixture
def readers(engine: Engine) -> sessionmaker[Session]:
    return db_engine.readers(engine)


def sign_in(
    readers: sessionmaker[Session],
    writers: sessionmaker[Session],
    name: str,
    password: str = PASSWORD,
    client: str | None = HOME,
) -> Runner:
    with readers() as reading:
        return accounts.sign_in(reading, writers, name, password, client)


def wrong(
    readers: sessionmaker[Session],
    writers: sessionmaker[Session],
    name: str,
    client: str | None = HOME,
    times: int = 1,
) -> None:
    for _ in range(times):
        with pytest.raises(accounts.SignInFailed):
            sign_in(readers, writers, name, "not the password", client)


def throttled(
    readers: sessionmaker[Session],
    writers: sessionmaker[Session],
    name: str,
    password: str = PASSWORD,
    client: str | None = HOME,
) -> int:
    with pytest.raises(throttle.Throttled) as refused:
        sign_in(readers, writers, name, password, client)
    return refused.value.retry_after_s


def throttle_rows(engine: Engine) -> dict[str, tuple[int, datetime | None]]:
    with db_engine.readers(engine)() as session:
        rows = session.scalars(select(SignInThrottle)).all()
        return {
            row.key: (row.failures, row.blocked_until and accounts.utc(row.blocked_until))
            for row in rows
        }


def add(sessions: sessionmaker[Session], name: str, password: str | None = PASSWORD) -> Runner:
    with sessions() as session:
        runner = accounts.add_runner(session, name, password)
        session.commit()
    return runner


def test_passwords_are_kept_as_argon2_hashes_only(
    sessions: sessionmaker[Session], engine: Engine
) -> None:
    add(sessions, "pheidippides")
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT name, password_hash FROM runners")).all()
    assert [row.name for row in rows] == ["pheidippides"]
    assert rows[0].password_hash.startswith("$argon2id$")
    assert PASSWORD not in rows[0].password_hash


def test_tokens_are_kept_as_sha256_hashes_only(
    sessions: sessionmaker[Session], engine: Engine
) -> None:
    runner = add(sessions, "pheidippides")
    with sessions() as session:
        secret = accounts.create_token(session, runner, "phone")
        session.commit()
    assert secret.startswith("hr_") and len(secret) > 40
    with engine.connect() as connection:
        stored = connection.execute(text("SELECT kind, name, secret_hash FROM tokens")).one()
    assert (stored.kind, stored.name) == ("api", "phone")
    assert stored.secret_hash == accounts.hash_secret(secret) != secret
    assert secret not in stored.secret_hash


def test_the_right_password_signs_in_and_anything_else_fails_alike(
    sessions: sessionmaker[Session], readers: sessionmaker[Session]
) -> None:
    add(sessions, "pheidippides")
    add(sessions, "tokens-only", password=None)
    assert sign_in(readers, sessions, "pheidippides").name == "pheidippides"
    messages = set()
    for name, password in [
        ("pheidippides", "wrong password"),
        ("nobody", PASSWORD),
        ("tokens-only", PASSWORD),
        ("p\x00g", PASSWORD),  # PostgreSQL refuses a NUL in a query: it must not get one
        ("x" * 300, PASSWORD),
    ]:
        with pytest.raises(accounts.SignInFailed) as failed:
            sign_in(readers, sessions, name, password)
        messages.add(str(failed.value))
    assert messages == {accounts.WRONG_PASSWORD}


@pytest.mark.parametrize(
    ("name", "password", "message"),
    [
        ("no spaces", PASSWORD, "use letters, digits"),
        ("../etc", PASSWORD, "use letters, digits"),
        ("x" * 65, PASSWORD, "up to 64"),
        ("lola\n", PASSWORD, "use letters, digits"),
        ("lo\x00la", PASSWORD, "use letters, digits"),
        ("lola", "short", "at least 8 characters"),
        ("lola", "run\x00lola run", "control characters"),
    ],
)
def test_bad_names_and_short_passwords_are_refused(
    sessions: sessionmaker[Session], name: str, password: str, message: str
) -> None:
    with sessions() as session, pytest.raises(PlayError, match=message):
        accounts.add_runner(session, name, password)


def test_a_taken_name_is_a_conflict(sessions: sessionmaker[Session]) -> None:
    add(sessions, "lola")
    with sessions() as session, pytest.raises(Conflict, match="already a runner called 'lola'"):
        accounts.add_runner(session, "lola", PASSWORD)


def test_the_first_runner_may_add_themselves_and_nobody_after(
    sessions: sessionmaker[Session],
) -> None:
    with sessions() as session:
        assert not accounts.has_runners(session)
        accounts.add_first_runner(session, "gimli", PASSWORD)
        session.commit()
    with sessions() as session:
        assert accounts.has_runners(session)
        with pytest.raises(accounts.Forbidden, match="heroicrun runner add NAME"):
            accounts.add_first_runner(session, "legolas", PASSWORD)
    with sessions() as session:
        assert [r.name for r in accounts.all_runners(session)] == ["gimli"]


def test_revoked_tokens_and_idle_sessions_are_dead(sessions: sessionmaker[Session]) -> None:
    runner = add(sessions, "shasta")
    with sessions() as session:
        phone = accounts.create_token(session, runner, "phone")
        browser = accounts.start_session(session, runner)
        session.commit()
    with sessions() as session:
        assert accounts.runner_for_secret(session, phone, "api") is not None
        assert accounts.revoke_token(session, runner, "phone") == 1
        idle = accounts.live_token(session, browser, "session")
        assert idle is not None and idle.kind == "session"
        idle.last_used_at = accounts.now() - accounts.SESSION_IDLE - timedelta(minutes=1)
        session.commit()
    with sessions() as session:
        assert accounts.live_token(session, phone, "api") is None
        assert accounts.live_token(session, browser, "session") is None
        assert accounts.live_token(session, "hr_made-up", "api") is None
        assert accounts.live_token(session, "not even a token", "session") is None


def test_a_session_in_daily_use_still_ends_90_days_after_sign_in(
    sessions: sessionmaker[Session], clock: Clock
) -> None:
    runner = add(sessions, "forrest")
    with sessions() as session:
        browser = accounts.start_session(session, runner)
        session.commit()
    for _day in range(89):
        clock.advance(days=1)
        with sessions() as session:
            token = accounts.live_token(session, browser, "session")
            assert token is not None
            accounts.touch(session, token.id)
            session.commit()
    clock.advance(days=1)
    with sessions() as session:
        token = accounts.live_token(session, browser, "session")
        assert token is not None  # 90 days to the minute: still in
        assert accounts.expires_at(token) == clock.moment
        clock.advance(minutes=1)
        assert accounts.live_token(session, browser, "session") is None
        assert accounts.live_sessions(session, runner) == []


def test_a_session_is_no_api_token_and_an_api_token_no_session(
    sessions: sessionmaker[Session],
) -> None:
    runner = add(sessions, "lola")
    with sessions() as session:
        phone = accounts.create_token(session, runner, "phone")
        browser = accounts.start_session(session, runner)
        session.commit()
    with sessions() as session:
        assert accounts.live_token(session, phone, "api") is not None
        assert accounts.live_token(session, browser, "session") is not None
        assert accounts.live_token(session, browser, "api") is None
        assert accounts.live_token(session, phone, "session") is None
        assert accounts.runner_for_secret(session, browser, "api") is None
        with pytest.raises(ValueError, match="no such kind"):
            accounts.live_token(session, phone, "anything")


def test_signing_out_ends_a_session_but_never_an_api_token(
    sessions: sessionmaker[Session],
) -> None:
    runner = add(sessions, "shasta")
    with sessions() as session:
        phone = accounts.create_token(session, runner, "phone")
        browser = accounts.start_session(session, runner)
        session.commit()
    with sessions() as session:
        assert accounts.end_session(session, phone) is False
        assert accounts.end_session(session, browser) is True
        session.commit()
    with sessions() as session:
        assert accounts.live_token(session, phone, "api") is not None
        assert accounts.live_token(session, browser, "session") is None
        assert accounts.end_session(session, browser) is False


def test_a_runner_cannot_see_or_revoke_another_runners_tokens(
    sessions: sessionmaker[Session],
) -> None:
    aragorn, gimli = add(sessions, "aragorn"), add(sessions, "gimli")
    with sessions() as session:
        made = accounts.create_api_token(session, gimli, "watch")
        session.commit()
    with sessions() as session:
        assert accounts.api_tokens(session, aragorn) == []
        with pytest.raises(NotFound) as theirs:
            accounts.revoke_token_id(session, aragorn, made.token.id)
        with pytest.raises(NotFound) as missing:
            accounts.revoke_token_id(session, aragorn, 999_999)
        with pytest.raises(NotFound):
            accounts.revoke_token(session, aragorn, "watch")
    assert str(theirs.value) == str(missing.value).replace("999999", str(made.token.id))
    with sessions() as session:
        assert [t.name for t in accounts.api_tokens(session, gimli)] == ["watch"]


def test_a_session_is_not_an_api_token(sessions: sessionmaker[Session]) -> None:
    runner = add(sessions, "lola")
    with sessions() as session:
        accounts.start_session(session, runner)
        session.commit()
        browser = session.scalars(select(Token)).one()
    with sessions() as session:
        assert accounts.api_tokens(session, runner) == []
        with pytest.raises(NotFound):
            accounts.revoke_token_id(session, runner, browser.id)


def test_token_names_are_needed_and_bounded(sessions: sessionmaker[Session]) -> None:
    runner = add(sessions, "lola")
    with sessions() as session:
        for name in ("", "   ", "x" * 65):
            with pytest.raises(PlayError, match="1 to 64 characters"):
                accounts.create_api_token(session, runner, name)
        for name, code in [
            ("p\x00g", "U+0000"),
            ("evil\u202egnp.exe", "U+202E"),
            ("a\tb", "U+0009"),
        ]:
            with pytest.raises(PlayError, match=re.escape(f"control characters ({code})")):
                accounts.create_api_token(session, runner, name)
        assert accounts.create_api_token(session, runner, "  phone ").token.name == "phone"


def test_use_is_recorded_at_most_once_a_minute(sessions: sessionmaker[Session]) -> None:
    runner = add(sessions, "forrest")
    with sessions() as session:
        made = accounts.create_api_token(session, runner, "watch")
        session.commit()
    assert accounts.needs_touch(made.token)
    first = accounts.now()
    with sessions() as session:
        accounts.touch(session, made.token.id, at=first)
        accounts.touch(session, made.token.id, at=first + timedelta(seconds=30))
        session.commit()
        token = session.get(Token, made.token.id)
        assert token is not None
        session.refresh(token)
        assert token.last_used_at is not None
        assert accounts.utc(token.last_used_at) == first
        assert not accounts.needs_touch(token, at=first + timedelta(seconds=59))
        assert accounts.needs_touch(token, at=first + timedelta(seconds=61))
        accounts.touch(session, made.token.id, at=first + timedelta(seconds=61))
        session.commit()
        session.refresh(token)
        assert accounts.utc(token.last_used_at) == first + timedelta(seconds=61)


# --- the brake on password guessing -----------------------------------------------------------


def test_five_wrong_passwords_lock_a_name_and_the_right_one_then_waits(
    sessions: sessionmaker[Session],
    readers: sessionmaker[Session],
    engine: Engine,
    clock: Clock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    add(sessions, "lola")
    wrong(readers, sessions, "lola", times=throttle.NAME_FAILURES)
    checked: list[str] = []
    with monkeypatch.context() as patched:
        patched.setattr(accounts, "_matches", lambda _runner, password: checked.append(password))
        assert throttled(readers, sessions, "lola") == 30  # refused without a look at it
    assert checked == []
    clock.advance(seconds=29)
    assert throttled(readers, sessions, "lola") == 1
    clock.advance(seconds=1)
    assert sign_in(readers, sessions, "lola").name == "lola"
    assert "name:lola" not in throttle_rows(engine)  # a success forgets them


def test_each_further_wrong_password_doubles_the_wait_up_to_15_minutes(
    sessions: sessionmaker[Session], readers: sessionmaker[Session], clock: Clock
) -> None:
    add(sessions, "gimli")
    wrong(readers, sessions, "gimli", times=throttle.NAME_FAILURES - 1)
    waits = []
    for _ in range(8):
        wrong(readers, sessions, "gimli")
        wait = throttled(readers, sessions, "gimli")
        waits.append(wait)
        clock.advance(seconds=wait)
    assert waits == [30, 60, 120, 240, 480, 900, 900, 900]


def test_unknown_names_are_locked_alike_and_old_failures_are_forgotten(
    sessions: sessionmaker[Session], readers: sessionmaker[Session], engine: Engine, clock: Clock
) -> None:
    wrong(readers, sessions, "nobody", times=4)
    clock.advance(hours=1, seconds=1)  # quiet for longer than FORGET_AFTER: they start again
    wrong(readers, sessions, "nobody", times=4)
    wrong(readers, sessions, "nobody")
    assert throttled(readers, sessions, "nobody") == 30
    wrong(readers, sessions, "p\x00g", times=throttle.NAME_FAILURES)
    assert throttled(readers, sessions, "p\x00g") == 30
    keys = set(throttle_rows(engine))
    assert "name:nobody" in keys and not any("\x00" in key for key in keys)


def test_twenty_wrong_passwords_from_one_client_lock_it_for_every_name(
    sessions: sessionmaker[Session], readers: sessionmaker[Session], clock: Clock
) -> None:
    add(sessions, "aragorn")
    for number in range(throttle.CLIENT_FAILURES):
        wrong(readers, sessions, f"orc{number}", client="2001:db8:1:2::1")
    assert throttled(readers, sessions, "aragorn", client="2001:db8:1:2::1") == 30
    # The whole /64 is one subscriber; the next one over is not.
    assert throttled(readers, sessions, "aragorn", client="2001:db8:1:2:ffff::9") == 30
    assert sign_in(readers, sessions, "aragorn", client="2001:db8:1:3::1").name == "aragorn"
    assert sign_in(readers, sessions, "aragorn", client=HOME).name == "aragorn"
    # Signing in to one's own account does not wipe the client's record of guessing.
    clock.advance(seconds=30)
    assert sign_in(readers, sessions, "aragorn", client="2001:db8:1:2::1").name == "aragorn"
    wrong(readers, sessions, "orc", client="2001:db8:1:2::1")
    assert throttled(readers, sessions, "aragorn", client="2001:db8:1:2::1") == 60


def test_workers_with_engines_of_their_own_count_together(
    database_url: str, engine: Engine
) -> None:
    other = db_engine.connect(database_url)  # as a second `serve --workers 2` process would
    try:
        add(db_engine.writers(engine), "shasta")
        for number in range(throttle.NAME_FAILURES):
            chosen = engine if number % 2 else other
            wrong(db_engine.readers(chosen), db_engine.writers(chosen), "shasta")
        assert throttled(db_engine.readers(engine), db_engine.writers(engine), "shasta") == 30
        assert throttled(db_engine.readers(other), db_engine.writers(other), "shasta") == 30
    finally:
        other.dispose()


def test_wrong_passwords_at_the_same_moment_are_all_counted(
    sessions: sessionmaker[Session], readers: sessionmaker[Session], engine: Engine
) -> None:
    add(sessions, "legolas")
    start = threading.Barrier(8)
    outcomes: list[str] = []

    def guess() -> None:
        start.wait()
        try:
            sign_in(readers, sessions, "legolas", "not the password")
        except accounts.SignInFailed:
            outcomes.append("failed")
        except throttle.Throttled:
            outcomes.append("throttled")

    threads = [threading.Thread(target=guess) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(outcomes) == 8  # no database error from two first failures of one key at once
    failures, blocked_until = throttle_rows(engine)["name:legolas"]
    assert failures == outcomes.count("failed") >= throttle.NAME_FAILURES
    assert blocked_until is not None


def test_refusals_and_locks_are_logged_without_the_password(
    sessions: sessionmaker[Session],
    readers: sessionmaker[Session],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="heroicrun.accounts")
    for _ in range(throttle.NAME_FAILURES):
        with pytest.raises(accounts.SignInFailed):
            sign_in(readers, sessions, "lola", "s3cret-guess")
    throttled(readers, sessions, "lola", password="s3cret-guess")
    lines = [record.getMessage() for record in caplog.records]
    assert len(lines) == 2, lines
    locked, refused = lines
    assert locked.startswith("sign-in locked: name:lola, name 'lola', client 192.0.2.7, 5 failures")
    assert refused.startswith("sign-in refused: name 'lola', client 192.0.2.7, 5 failures")
    assert "until" in locked and "until" in refused
    assert all("s3cret" not in line for line in lines)


def test_unlocking_a_name_lets_it_sign_in_at_once(
    sessions: sessionmaker[Session], readers: sessionmaker[Session]
) -> None:
    add(sessions, "lola")
    wrong(readers, sessions, "lola", times=throttle.NAME_FAILURES)
    throttled(readers, sessions, "lola")
    with sessions() as session:
        assert throttle.unlock(session, "lola") == throttle.NAME_FAILURES
        session.commit()
    assert sign_in(readers, sessions, "lola").name == "lola"
    with sessions() as session:
        assert throttle.unlock(session, "lola") == 0


# --- passwords and sessions -------------------------------------------------------------------


def test_changing_the_password_ends_every_other_session_but_keeps_tokens(
    sessions: sessionmaker[Session], readers: sessionmaker[Session]
) -> None:
    runner = add(sessions, "pheidippides")
    with sessions() as session:
        phone = accounts.create_token(session, runner, "phone")
        here = accounts.start_session(session, runner)
        elsewhere = [accounts.start_session(session, runner) for _ in range(2)]
        session.commit()
        kept = accounts.live_token(session, here, "session")
        assert kept is not None
    with readers() as reading:
        ended = accounts.change_password(
            reading, sessions, runner, PASSWORD, "rejoice, we conquer", HOME, keep_session=kept.id
        )
    assert ended == 2
    with sessions() as session:
        assert accounts.live_token(session, here, "session") is not None
        assert all(accounts.live_token(session, s, "session") is None for s in elsewhere)
        assert accounts.live_token(session, phone, "api") is not None
    assert sign_in(readers, sessions, "pheidippides", "rejoice, we conquer").id == runner.id
    with pytest.raises(accounts.SignInFailed):
        sign_in(readers, sessions, "pheidippides", PASSWORD)


def test_a_wrong_current_password_changes_nothing_and_counts_as_a_guess(
    sessions: sessionmaker[Session], readers: sessionmaker[Session]
) -> None:
    runner = add(sessions, "pheidippides")
    with sessions() as session:
        browser = accounts.start_session(session, runner)
        session.commit()
    for _ in range(throttle.NAME_FAILURES):
        with readers() as reading, pytest.raises(accounts.WrongPassword, match="not right"):
            accounts.change_password(reading, sessions, runner, "guess", "new password", HOME)
    with readers() as reading, pytest.raises(throttle.Throttled):
        accounts.change_password(reading, sessions, runner, PASSWORD, "new password", HOME)
    with readers() as reading, pytest.raises(PlayError, match="at least 8 characters"):
        accounts.change_password(reading, sessions, runner, PASSWORD, "short", HOME)
    with sessions() as session:
        assert accounts.live_token(session, browser, "session") is not None
        assert throttle.unlock(session, "pheidippides") == throttle.NAME_FAILURES
        session.commit()
    assert sign_in(readers, sessions, "pheidippides").id == runner.id


def test_a_runner_lists_and_ends_only_their_own_live_sessions(
    sessions: sessionmaker[Session], clock: Clock
) -> None:
    lola, manni = add(sessions, "lola"), add(sessions, "manni")
    with sessions() as session:
        first = accounts.start_session(session, lola)
        clock.advance(minutes=5)
        second = accounts.start_session(session, lola)
        third = accounts.start_session(session, lola)
        accounts.start_session(session, manni)
        accounts.create_token(session, lola, "phone")
        session.commit()
        ids = {
            secret: token.id
            for secret in (first, second, third)
            if (token := accounts.live_token(session, secret, "session")) is not None
        }
    clock.advance(minutes=5)
    with sessions() as session:
        accounts.touch(session, ids[first])
        session.commit()
    with sessions() as session:
        listed = accounts.live_sessions(session, lola)
        assert [t.id for t in listed] == [ids[first], ids[third], ids[second]]  # last used first
        theirs = accounts.live_sessions(session, manni)[0].id
        with pytest.raises(NotFound, match=f"no live session with id {theirs}"):
            accounts.end_session_id(session, lola, theirs)
        accounts.end_session_id(session, lola, ids[second])
        session.commit()
    with sessions() as session:
        with pytest.raises(NotFound):
            accounts.end_session_id(session, lola, ids[second])  # already ended
        assert accounts.end_other_sessions(session, lola, keep=ids[first]) == 1
        session.commit()
    with sessions() as session:
        assert [t.id for t in accounts.live_sessions(session, lola)] == [ids[first]]
        assert len(accounts.live_sessions(session, manni)) == 1
