"""The `heroicrun` command: a thin shell over the reading and measuring library."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from heroicrun import __version__, measuring, reading, summary, terminal

app = typer.Typer(
    help="heroicrun: your real runs, measured honestly, turned into a story.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
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


@app.command()
def check(
    files: Annotated[
        list[Path],
        typer.Argument(help="GPX, TCX or FIT files (or .gz of them).", show_default=False),
    ],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of tables.")] = False,
    miles: Annotated[
        bool, typer.Option("--miles", help="Show distances and splits in miles.")
    ] = False,
) -> None:
    """Measure run files: distance, moving time, pace, splits, best efforts, climb.

    Example: heroicrun check morning-run.gpx

    With --json, one file prints one JSON object and several print an array (a file that
    could not be read appears there as {"file": ..., "error": ...}). Exit status: 0 when
    every file was read, 1 when any could not be, 2 for a usage error.
    """
    out = Console(highlight=False)
    err = Console(stderr=True, highlight=False)
    results: list[dict[str, Any]] = []
    failed = False
    for path in files:
        name = str(path)
        try:
            track = reading.read_path(name)
        except reading.ReadError as error:
            failed = True
            err.print(f"[bold red]error:[/] {error}", soft_wrap=True)
            results.append({"file": name, "error": str(error)})
            continue
        described = summary.describe(track, measuring.measure(track))
        results.append(described)
        if not as_json:
            terminal.render(out, described, miles=miles)
    if as_json:
        if len(files) == 1:
            if not failed:
                _print_json(results[0])
        else:
            _print_json(results)
    raise typer.Exit(1 if failed else 0)


def _print_json(value: object) -> None:
    sys.stdout.write(json.dumps(value, indent=2, ensure_ascii=False, allow_nan=False) + "\n")


def main() -> None:
    """Console-script entry point."""
    app()
