"""Runners, passwords, tokens and sessions, at the layer where the domain meets storage."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import Engine, select, text
from sqlalchemy.orm import Session, sessionmaker

from heroicrun.db import engine as db_engine
from heroicrun.db.schema import Runner, Token
from heroicrun.play import Conflict, NotFound, PlayError, accounts

PASSWORD = "correct horse battery"


@pytest.fixture
def sessions(engine: Engine) -> sessionmaker[Session]:
    return db_engine.writers(engine)


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
    sessions: sessionmaker[Session],
) -> None:
    add(sessions, "pheidippides")
    add(sessions, "tokens-only", password=None)
    with sessions() as session:
        assert accounts.sign_in(session, "pheidippides", PASSWORD).name == "pheidippides"
        messages = set()
        for name, password in [
            ("pheidippides", "wrong password"),
            ("nobody", PASSWORD),
            ("tokens-only", PASSWORD),
        ]:
            with pytest.raises(accounts.SignInFailed) as failed:
                accounts.sign_in(session, name, password)
            assert failed.value.status == 401
            messages.add(str(failed.value))
    assert messages == {accounts.WRONG_PASSWORD}


@pytest.mark.parametrize(
    ("name", "password", "message"),
    [
        ("no spaces", PASSWORD, "use letters, digits"),
        ("../etc", PASSWORD, "use letters, digits"),
        ("x" * 65, PASSWORD, "up to 64"),
        ("lola", "short", "at least 8 characters"),
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
        assert accounts.runner_for_secret(session, phone) is not None
        assert accounts.revoke_token(session, runner, "phone") == 1
        idle = accounts.live_token(session, browser)
        assert idle is not None and idle.kind == "session"
        idle.last_used_at = accounts.now() - accounts.SESSION_IDLE - timedelta(minutes=1)
        session.commit()
    with sessions() as session:
        assert accounts.live_token(session, phone) is None
        assert accounts.live_token(session, browser) is None
        assert accounts.live_token(session, "hr_made-up") is None
        assert accounts.live_token(session, "not even a token") is None


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
        assert accounts.live_token(session, phone) is not None
        assert accounts.live_token(session, browser) is None
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
