"""The `heroicrun` command: thin shells over the library, one module per group of commands.

A command's module is imported only when that command runs (all of them for `--help`), so
`heroicrun check` never pays for the server, the database or the other commands.
"""

from __future__ import annotations

import gc
import importlib
import json
import sys
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

# Which module registers each command on `app`, in the order `--help` lists them.
MODULES = ("accounts", "missions", "check", "runs", "server")
COMMANDS = {
    "runner": "accounts",
    "token": "accounts",
    "db": "accounts",
    "missions": "missions",
    "validate": "missions",
    "check": "check",
    "import": "runs",
    "runs": "runs",
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


def print_json(value: object) -> None:
    """Write `value` as indented JSON to stdout; NaN can never slip through."""
    sys.stdout.write(json.dumps(value, indent=2, ensure_ascii=False, allow_nan=False) + "\n")


def register(args: Sequence[str] = ()) -> typer.Typer:
    """`app` with the command that `args` names registered, or every command when they name
    none that is known (help, a typo: the answer lists them all)."""
    name = next((arg for arg in args if not arg.startswith("-")), None)
    chosen = (COMMANDS[name],) if name in COMMANDS else MODULES
    for module in chosen:
        importlib.import_module(f"heroicrun.cli.{module}")
    return app


def main() -> None:
    """Console-script entry point."""
    # A command's imports build hundreds of thousands of objects that live as long as the
    # process: collecting while importing finds nothing, and frozen afterwards they are never
    # scanned again, so reading a file is not slowed by sweeps over the libraries.
    gc.disable()
    try:
        command = register(sys.argv[1:])
        gc.freeze()
    finally:
        gc.enable()
    command()
