"""`heroicrun check`: what run files were, and what they earn in each mission."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.text import Text

from heroicrun import measuring, reading, summary
from heroicrun.cli import app, mission_tables, print_json, run_tables
from heroicrun.cli.missions import MissionsDir, load_catalog
from heroicrun.missions import describe, loading, progress
from heroicrun.missions.model import Mission
from heroicrun.missions.runs import CountedRun
from heroicrun.track import Track

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@app.command()
def check(
    files: Annotated[
        list[Path],
        typer.Argument(help="GPX, TCX or FIT files (or .gz of them).", show_default=False),
    ],
    mission_id: Annotated[
        str | None,
        typer.Option(
            "--mission", help="Only this mission (default: every mission).", show_default=False
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of tables.")] = False,
    miles: Annotated[
        bool, typer.Option("--miles", help="Show distances and splits in miles.")
    ] = False,
    missions_dir: MissionsDir = None,
) -> None:
    """Measure run files, and say what each earns in each mission if counted from its start.

    Example: heroicrun check morning-run.gpx --mission reach-sparta

    Each file counts alone, as if the mission began with it. A file holding several outings
    (hikes days apart, a triathlon's legs) is measured and judged outing by outing, each under
    a heading "outing 2 of 3". With --json, one file of one outing prints one JSON object, and
    one file of several outings an array of them, each with "outing" (1..n) and "outings" (n).
    Several files print an array with one element per file, in order: that file's object, or
    the array of its outings, or {"file": ..., "error": ...} for a file that could not be read.
    Exit status: 0 when every file was read, 1 when any could not be, 2 for a usage error.
    """
    from heroicrun import outings  # here: the command line's start stays light

    out = Console(highlight=False)
    err = Console(stderr=True, highlight=False)
    chosen = _missions(load_catalog(missions_dir, err), mission_id, err)
    results: list[dict[str, Any] | list[dict[str, Any]]] = []  # each file's --json
    failed = False
    for path in files:
        name = str(path)
        try:
            track = reading.read_path(name)
        except reading.ReadError as error:
            failed = True
            err.print(Text.assemble(("error:", "bold red"), f" {error}"), soft_wrap=True)
            results.append({"file": name, "error": str(error)})
            continue
        parts = [_checked(name, part, chosen) for part in outings.split(track)]
        # The missions each outing earns stay out of its summary: they are the command's own.
        shown = [{**run.model_dump(mode="json"), "missions": earned} for run, earned in parts]
        results.append(shown[0] if len(shown) == 1 else shown)
        if not as_json:
            for run, earned in parts:
                run_tables.render(out, run, miles=miles)
                if earned:
                    mission_tables.render_earned(out, earned)
    if as_json:
        if len(files) == 1:
            if not failed:
                print_json(results[0])
        else:
            print_json(results)
    raise typer.Exit(1 if failed else 0)


def _checked(
    name: str, track: Track, chosen: list[tuple[Mission, Path]]
) -> tuple[summary.RunSummary, list[dict[str, Any]]]:
    """One outing described, and what it earns in each chosen mission counted from its
    start."""
    measures = measuring.measure(track)
    run = CountedRun(name, track, measures)
    # The mission begins with the run; a route, having no time, begins nothing and counts
    # for nothing, so it is judged at an arbitrary fixed moment.
    start = run.start or EPOCH
    earned = [
        describe.progress(
            mission,
            progress.evaluate(mission, [run], start, now=None if run.start else EPOCH, base=base),
        )
        for mission, base in chosen
    ]
    return summary.describe(track, measures), earned


def _missions(
    found: loading.Catalog, mission_id: str | None, err: Console
) -> list[tuple[Mission, Path]]:
    """The missions to count runs for, each with the folder its files live in."""
    base = found.directory
    if mission_id is None:
        return [(mission, base) for mission in found.missions]
    mission = found.get(mission_id)
    if mission is None:
        known = ", ".join(m.id for m in found.missions)
        err.print(
            f"error: no mission {mission_id!r}; the missions are: {known}",
            soft_wrap=True,
            markup=False,
        )
        raise typer.Exit(2)
    return [(mission, base)]
