"""`heroicrun runner`, `heroicrun token`, `heroicrun db`: accounts and the database, from a shell.

Each command opens the database (brought up to date first), does one thing in one transaction,
and turns what can go wrong — a taken name, a bad URL, a database that cannot be reached — into
one line on stderr and exit status 1.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Annotated

import typer

from heroicrun.cli.commands import app
from heroicrun.play import PlayError
from heroicrun.settings import from_environment

if TYPE_CHECKING:
    from sqlalchemy import Engine
    from sqlalchemy.orm import Session

# SQLAlchemy, Alembic and argon2 are imported where they are used, so that `heroicrun check`,
# which needs none of them, starts as fast as before they were part of heroicrun.

runner_app = typer.Typer(help="Runners: add them, list them, unlock them.", rich_markup_mode=None)
token_app = typer.Typer(help="API tokens: create, list and revoke them.", rich_markup_mode=None)
db_app = typer.Typer(help="The database: bring its schema up to date.", rich_markup_mode=None)
app.add_typer(runner_app, name="runner", no_args_is_help=True)
app.add_typer(token_app, name="token", no_args_is_help=True)
app.add_typer(db_app, name="db", no_args_is_help=True)

DatabaseUrl = Annotated[
    str | None,
    typer.Option(
        "--database-url",
        help="SQLAlchemy URL of the database (default: $HEROICRUN_DATABASE_URL, "
        "else SQLite in your data folder).",
        show_default=False,
    ),
]
RunnerName = Annotated[
    str, typer.Option("--runner", help="The runner the token belongs to.", show_default=False)
]


def fail(message: str) -> typer.Exit:
    """Print `error: message` on stderr; the caller raises what comes back (exit status 1)."""
    print(f"error: {message}", file=sys.stderr)
    return typer.Exit(1)


def database_url(given: str | None) -> str:
    """The URL given on the command line, else the one from the environment."""
    try:
        return given or from_environment().database_url
    except ValueError as error:
        raise fail(f"a HEROICRUN_* setting in the environment is not valid: {error}") from None


def shown(url: str) -> str:
    """A database URL fit to print: any password is masked."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return url


def _reason(error: BaseException) -> str:
    """The first line of what the database driver said, without SQLAlchemy's footer."""
    from sqlalchemy.exc import DBAPIError

    cause = error.orig if isinstance(error, DBAPIError) and error.orig is not None else error
    lines = str(cause).strip().splitlines()
    return lines[0] if lines else type(cause).__name__


@contextmanager
def opened(url: str | None) -> Iterator[Engine]:
    """An engine on the database, migrated; any failure to reach it becomes a clean exit."""
    from sqlalchemy.exc import ArgumentError, SQLAlchemyError

    from heroicrun.db import engine as db_engine
    from heroicrun.db import migrate

    chosen = database_url(url)
    try:
        engine = db_engine.connect(chosen)
    except ArgumentError as error:
        raise fail(f"{shown(chosen)}: not a database URL I can use ({error})") from None
    except OSError as error:
        raise fail(f"{shown(chosen)}: {error.strerror or error}") from None
    try:
        try:
            migrate.upgrade(engine)
        except (SQLAlchemyError, OSError) as error:
            raise fail(f"cannot open the database {shown(chosen)}: {_reason(error)}") from None
        yield engine
    finally:
        engine.dispose()


@contextmanager
def session_on(url: str | None, writes: bool = False) -> Iterator[Session]:
    """A session on the database, committed if the block succeeds; PlayError and database
    failures become a clean exit."""
    from sqlalchemy.exc import SQLAlchemyError

    from heroicrun.db import engine as db_engine

    with opened(url) as engine:
        sessions = db_engine.writers(engine) if writes else db_engine.readers(engine)
        with sessions() as session:
            try:
                yield session
                session.commit()
            except PlayError as error:
                raise fail(str(error)) from None
            except SQLAlchemyError as error:
                raise fail(f"the database refused: {_reason(error)}") from None


def _password(no_password: bool) -> str | None:
    """The new password: one line from stdin when it is not a terminal, else asked twice."""
    if no_password:
        return None
    if not sys.stdin.isatty():
        line = sys.stdin.readline()
        if not line:
            raise fail("no password on stdin (or use --no-password for a tokens-only runner)")
        return line.rstrip("\r\n")
    password: str = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    return password


@runner_app.command("add")
def runner_add(
    name: Annotated[str, typer.Argument(help="The runner's name: letters, digits, . _ -")],
    no_password: Annotated[
        bool,
        typer.Option("--no-password", help="No password: the runner signs in with tokens only."),
    ] = False,
    url: DatabaseUrl = None,
) -> None:
    """Add a runner. The password is read from stdin when piped, else asked for twice.

    Example: printf '%s\\n' 'correct horse battery' | heroicrun runner add pheidippides
    """
    from heroicrun.play import accounts

    password = _password(no_password)
    with session_on(url, writes=True) as session:
        runner = accounts.add_runner(session, name, password)
    print(f"added runner {runner.name!r} (id {runner.id})")


@runner_app.command("list")
def runner_list(url: DatabaseUrl = None) -> None:
    """List the runners: id, name, when added, and how many live API tokens each has.

    Example: heroicrun runner list
    """
    from heroicrun.play import accounts

    with session_on(url) as session:
        runners = accounts.all_runners(session)
        if not runners:
            print("no runners yet: add one with heroicrun runner add NAME", file=sys.stderr)
            return
        width = max(len(runner.name) for runner in runners)
        for runner in runners:
            tokens = len(accounts.api_tokens(session, runner))
            added = accounts.utc(runner.created_at).strftime("%Y-%m-%d %H:%M UTC")
            plural = "" if tokens == 1 else "s"
            print(f"{runner.id:>4}  {runner.name:<{width}}  {added}  {tokens} token{plural}")


@runner_app.command("unlock")
def runner_unlock(
    name: Annotated[str, typer.Argument(help="The runner whose sign-ins are refused.")],
    url: DatabaseUrl = None,
) -> None:
    """Let a runner sign in again at once, forgetting the wrong passwords given for their name.

    Example: heroicrun runner unlock pheidippides

    After a few wrong passwords for a name, its sign-ins are refused for a while (up to 15
    minutes, growing with each further one). A refusal because of too many wrong passwords from
    one address (many names) is not lifted: it ends by itself.
    """
    from heroicrun.play import accounts, throttle

    with session_on(url, writes=True) as session:
        accounts.runner_named(session, name)
        forgotten = throttle.unlock(session, name)
    if forgotten:
        plural = "" if forgotten == 1 else "s"
        print(f"unlocked {name!r}: {forgotten} wrong password{plural} forgotten")
    else:
        print(f"{name!r} had no wrong passwords to forget")


@token_app.command("create")
def token_create(
    runner: RunnerName,
    name: Annotated[str, typer.Option("--name", help="What the token is for, e.g. phone.")] = "api",
    url: DatabaseUrl = None,
) -> None:
    """Create an API token and print it alone on stdout. It is shown this once.

    Example: heroicrun token create --runner pheidippides --name phone

    Send it as 'Authorization: Bearer <token>'.
    """
    from heroicrun.play import accounts

    with session_on(url, writes=True) as session:
        secret = accounts.create_token(session, accounts.runner_named(session, runner), name)
    print(secret)


@token_app.command("list")
def token_list(runner: RunnerName, url: DatabaseUrl = None) -> None:
    """List a runner's live API tokens: id, name, created, last used (never the secrets).

    Example: heroicrun token list --runner pheidippides
    """
    from heroicrun.play import accounts

    with session_on(url) as session:
        tokens = accounts.api_tokens(session, accounts.runner_named(session, runner))
        for token in tokens:
            created = accounts.utc(token.created_at).strftime("%Y-%m-%d %H:%M UTC")
            used = (
                "last used " + accounts.utc(token.last_used_at).strftime("%Y-%m-%d %H:%M UTC")
                if token.last_used_at
                else "never used"
            )
            print(f"{token.id:>4}  {token.name}  created {created}  {used}")
        if not tokens:
            print(f"{runner} has no live tokens", file=sys.stderr)


@token_app.command("revoke")
def token_revoke(
    runner: RunnerName,
    name: Annotated[
        str, typer.Option("--name", help="The name of the token(s) to revoke.", show_default=False)
    ],
    url: DatabaseUrl = None,
) -> None:
    """Revoke a runner's live API tokens with this name; they stop working at once.

    Example: heroicrun token revoke --runner pheidippides --name phone
    """
    from heroicrun.play import accounts

    with session_on(url, writes=True) as session:
        count = accounts.revoke_token(session, accounts.runner_named(session, runner), name)
    print(f"revoked {count} token{'' if count == 1 else 's'} called {name!r} of {runner}")


@db_app.command("upgrade")
def db_upgrade(url: DatabaseUrl = None) -> None:
    """Apply the migrations the database lacks (a new database gets the whole schema).

    Example: heroicrun db upgrade --database-url postgresql+psycopg://heroicrun@localhost/heroicrun
    """
    chosen = database_url(url)
    with opened(chosen):
        pass
    print(f"the database at {shown(chosen)} is up to date")
