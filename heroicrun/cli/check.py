"""`heroicrun check`: what run files were, and what they earn in each mission."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from heroicrun import measuring, reading, summary
from heroicrun.cli import app, print_json, run_tables


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
            run_tables.render(out, described, miles=miles)
    if as_json:
        if len(files) == 1:
            if not failed:
                print_json(results[0])
        else:
            print_json(results)
    raise typer.Exit(1 if failed else 0)
