"""The typer app of every command but `check`'s own options: one module per group of commands.

A command's module is imported only when that command runs (all of them for `--help`), so a
command never pays for the server, the database or the other commands.
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from typing import Annotated

import typer

from heroicrun import __version__

app = typer.Typer(
    help="heroicrun: your real runs, measured honestly, turned into a story.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)

# Which module registers each command on `app`, in the order `--help` lists them (`check`,
# registered here, comes first).
MODULES = ("accounts", "missions", "runs", "clubs", "progress", "server")
COMMANDS = {
    "runner": "accounts",
    "token": "accounts",
    "db": "accounts",
    "missions": "missions",
    "validate": "missions",
    "import": "runs",
    "runs": "runs",
    "club": "clubs",
    "progress": "progress",
    "serve": "server",
}


def _version(value: bool) -> None:
    if value:
        print(f"heroicrun {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version.")
    ] = False,
) -> None:
    """heroicrun: your real runs, measured honestly, turned into a story."""


@app.command(
    add_help_option=False,
    context_settings={"allow_extra_args": True, "ignore_unknown_options": True},
)
def check(context: typer.Context) -> None:
    """Measure run files, and say what each earns in each mission if counted from its start."""
    # The command reads its own options (heroicrun.cli.check): it runs without typer when
    # called from the console, and here its arguments are handed over untouched.
    from heroicrun.cli import check as command

    raise typer.Exit(command.main(context.args))


def register(args: Sequence[str] = ()) -> typer.Typer:
    """`app` with the command that `args` names registered, or every command when they name
    none that is known (help, a typo: the answer lists them all)."""
    name = next((arg for arg in args if not arg.startswith("-")), None)
    chosen = (COMMANDS[name],) if name in COMMANDS else MODULES
    for module in chosen:
        importlib.import_module(f"heroicrun.cli.{module}")
    return app
