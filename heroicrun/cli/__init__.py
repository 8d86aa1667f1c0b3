"""The `heroicrun` command: thin shells over the library, one module per group of commands."""

from __future__ import annotations

import json
import sys
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


def main() -> None:
    """Console-script entry point."""
    app()


# Commands register themselves on `app` when imported.
from heroicrun.cli import accounts, check, missions, runs, server  # noqa: E402, F401
