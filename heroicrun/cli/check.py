"""`heroicrun check`: what run files were, and what they earn in each mission.

The command a runner waits on after every run, so it stands apart from the others: argparse
reads its options and plain text prints its answer, and neither typer nor rich is imported (they
would cost more than reading and measuring an hour's run). `heroicrun.cli.main` calls `main`
directly; the typer app lists the command and hands it its arguments.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from heroicrun import measuring, outings, reading, summary
from heroicrun.cli import run_tables
from heroicrun.cli.catalogs import load_catalog
from heroicrun.cli.terminal import Terminal, print_json
from heroicrun.missions import describe, loading, progress
from heroicrun.missions.model import Mission
from heroicrun.missions.runs import CountedRun
from heroicrun.track import Track

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

SUMMARY = "Measure run files, and say what each earns in each mission if counted from its start."

DETAILS = """\
Example: heroicrun check morning-run.gpx --mission reach-sparta

Each file counts alone, as if the mission began with it. A file holding several outings (hikes
days apart, a triathlon's legs) is measured and judged outing by outing, each under a heading
"outing 2 of 3". With --json, one file of one outing prints one JSON object, and one file of
several outings an array of them, each with "outing" (1..n) and "outings" (n). Several files
print an array with one element per file, in order: that file's object, or the array of its
outings, or {"file": ..., "error": ...} for a file that could not be read.

Exit status: 0 when every file was read, 1 when any could not be, 2 for a usage error."""


def parser() -> argparse.ArgumentParser:
    """The command's options, and its --help."""
    options = argparse.ArgumentParser(
        prog="heroicrun check",
        description=f"{SUMMARY}\n\n{DETAILS}",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        allow_abbrev=False,
    )
    options.add_argument(
        "files",
        nargs="+",
        type=Path,
        metavar="FILE",
        help="GPX, TCX or FIT files (or .gz of them).",
    )
    options.add_argument(
        "--mission", metavar="ID", help="Only this mission (default: every mission)."
    )
    options.add_argument(
        "--json", action="store_true", dest="as_json", help="Print JSON instead of tables."
    )
    options.add_argument("--miles", action="store_true", help="Show distances and splits in miles.")
    options.add_argument(
        "--missions-dir",
        type=Path,
        metavar="DIR",
        help="Read missions from this folder instead of the bundled catalog.",
    )
    return options


def main(args: Sequence[str]) -> int:
    """Run the command on its arguments (those after `check`); the exit status."""
    chosen = parser().parse_args(args)
    out = Terminal(sys.stdout)
    err = Terminal(sys.stderr)

    def say(text: str) -> None:
        err.stream.write(text + "\n")

    missions = _missions(load_catalog(chosen.missions_dir, say), chosen.mission, say)
    results: list[dict[str, Any] | list[dict[str, Any]]] = []  # each file's --json
    failed = False
    for path in chosen.files:
        name = str(path)
        try:
            track = reading.read_path(name)
        except reading.ReadError as error:
            failed = True
            err.line(("error:", "bold red"), (f" {error}", ""))
            results.append({"file": name, "error": str(error)})
            continue
        parts = [_checked(name, part, missions) for part in outings.split(track)]
        # The missions each outing earns stay out of its summary: they are the command's own.
        shown = [{**run.model_dump(mode="json"), "missions": earned} for run, earned, _ in parts]
        results.append(shown[0] if len(shown) == 1 else shown)
        if not chosen.as_json:
            for run, earned, off_foot in parts:
                run_tables.render(out, run, miles=chosen.miles, off_foot=off_foot)
                if earned:
                    run_tables.render_earned(out, earned)
    if chosen.as_json:
        if len(chosen.files) == 1:
            if not failed:
                print_json(results[0])
        else:
            print_json(results)
    return 1 if failed else 0


def _checked(
    name: str, track: Track, chosen: list[tuple[Mission, Path]]
) -> tuple[summary.RunSummary, list[dict[str, Any]], str | None]:
    """One outing described, what it earns in each chosen mission counted from its start, and
    why it counts for none when it was not on foot (a ride by its speeds, when undeclared)."""
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
    return summary.describe(track, measures), earned, run.facts.off_foot


def _missions(
    found: loading.Catalog, mission_id: str | None, say: Callable[[str], None]
) -> list[tuple[Mission, Path]]:
    """The missions to count runs for, each with the folder its files live in."""
    base = found.directory
    if mission_id is None:
        return [(mission, base) for mission in found.missions]
    mission = found.get(mission_id)
    if mission is None:
        known = ", ".join(m.id for m in found.missions)
        say(f"error: no mission {mission_id!r}; the missions are: {known}")
        raise SystemExit(2)
    return [(mission, base)]
