"""`heroicrun import` and `heroicrun runs recompute`: stored runs, from a shell."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from heroicrun.cli.accounts import DatabaseUrl, fail, opened
from heroicrun.cli.commands import app
from heroicrun.play import PlayError
from heroicrun.reading import archives
from heroicrun.settings import Settings, from_environment

if TYPE_CHECKING:
    from sqlalchemy.orm import Session, sessionmaker

    from heroicrun.db.schema import Runner
    from heroicrun.missions.loading import Catalog
    from heroicrun.play import imports
    from heroicrun.play.pool import Parser

runs_app = typer.Typer(help="Stored runs: measure them again.", rich_markup_mode=None)
app.add_typer(runs_app, name="runs", no_args_is_help=True)

# A lifetime's export may hold thousands of runs that count for nothing: the first are named.
LISTED_NOT_COUNTED = 20
# Local files are the runner's own: archives may be as big as a lifetime's export, while each
# member still has the reader's caps and no zip bomb gets past the ratio.
LOCAL_ARCHIVES = archives.Limits(
    max_members=1_000_000, max_entries=1_000_000, max_total_bytes=1 << 50
)


@app.command("import")
def import_runs(
    paths: Annotated[
        list[Path],
        typer.Argument(
            help="Run files (GPX, TCX, FIT, .gz of them), zip archives of them, or folders "
            "(every such file inside, however deep).",
            show_default=False,
        ),
    ],
    runner: Annotated[
        str, typer.Option("--runner", help="The runner the runs belong to.", show_default=False)
    ],
    url: DatabaseUrl = None,
) -> None:
    """Store run files as a runner's runs, with a progress bar and a summary.

    Example: heroicrun import ~/Downloads/strava-export.zip watch-runs/ --runner pheidippides

    A file already stored for the runner is counted as a duplicate and changes nothing. A run
    that counts for none of the runner's missions is named, with why ("recorded 3 years before
    you enrolled", "a ride"). Exit status: 0 when every file was stored or already there, 1 when
    any was rejected.
    """
    from heroicrun.db import engine as db_engine
    from heroicrun.play import accounts, imports
    from heroicrun.play.pool import Parser

    settings = from_environment()
    out = Console(highlight=False)
    files = list(_files(paths))
    tally = imports.Tally()
    with opened(url) as engine:
        with db_engine.readers(engine)() as session:
            try:
                who = accounts.runner_named(session, runner)
            except PlayError as error:
                raise fail(str(error)) from None
        parser = Parser(settings.parse_workers, settings.parse_timeout_s)
        try:
            _import(db_engine.writers(engine), who, files, parser, _catalog(settings), tally)
        finally:
            parser.close()
    _report(out, tally)
    raise typer.Exit(1 if tally.refused else 0)


def _import(
    sessions: sessionmaker[Session],
    runner: Runner,
    files: list[Path],
    parser: Parser,
    catalog: Catalog,
    tally: imports.Tally,
) -> None:
    from heroicrun.play import imports

    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("{task.fields[current]}"),
    )
    allowance = archives.Allowance(LOCAL_ARCHIVES.max_members)
    with Progress(*columns, console=Console(stderr=True), transient=True) as progress:
        task = progress.add_task("importing", total=len(files), current="")
        for path in files:
            progress.update(task, current=str(path))
            for entry in _entries(path, allowance):
                imports.record(sessions, runner, entry, parser, catalog, tally)
            progress.advance(task)


def _files(paths: list[Path]) -> Iterator[Path]:
    """The files named, and the run files and zip archives inside the folders named."""
    for path in paths:
        if path.is_dir():
            for found in sorted(path.rglob("*")):
                name = found.name.lower()
                if found.is_file() and (
                    archives.looks_like_run_file(name) or name.endswith(".zip")
                ):
                    yield found
        else:
            yield path


def _entries(path: Path, allowance: archives.Allowance) -> Iterator[archives.Entry]:
    label = str(path)
    try:
        with path.open("rb") as handle:
            yield from archives.unpack(handle, label, LOCAL_ARCHIVES, allowance)
    except FileNotFoundError:
        yield archives.Entry(label, error=f"{label}: does not exist")
    except IsADirectoryError:
        yield archives.Entry(label, error=f"{label}: is a directory, not a file")
    except OSError as error:
        yield archives.Entry(label, error=f"{label}: cannot be read ({error.strerror or error})")


def _catalog(settings: Settings) -> Catalog:
    from heroicrun.missions import catalog, loading

    return loading.load_all(settings.missions_dir) if settings.missions_dir else catalog.bundled()


def _report(out: Console, tally: imports.Tally) -> None:
    summary = tally.summary
    uncounted = f", not counted {summary.not_counted}" if summary.not_counted else ""
    out.print(
        f"stored {summary.stored}, duplicates {summary.duplicates}, "
        f"rejected {summary.refused}{uncounted}",
        soft_wrap=True,
    )
    for label, reason in tally.refused:
        shown = reason if reason.startswith(label) else f"{label}: {reason}"
        out.print(f"  rejected: {shown}", soft_wrap=True, markup=False)
    for label, reason in tally.skipped:
        out.print(f"  skipped in {label}: {reason}", soft_wrap=True, markup=False)
    for imported in tally.not_counted[:LISTED_NOT_COUNTED]:
        said = f"  not counted: {imported.label}: {imported.recorded.run.not_counted}"
        out.print(said, soft_wrap=True, markup=False)
    if len(tally.not_counted) > LISTED_NOT_COUNTED:
        more = len(tally.not_counted) - LISTED_NOT_COUNTED
        out.print(f"  not counted: {more} more", soft_wrap=True, markup=False)
    for item in tally.unlocked:
        out.print(f"  unlocked: {item['message']}", soft_wrap=True, markup=False)


@runs_app.command("recompute")
def recompute(url: DatabaseUrl = None) -> None:
    """Measure every stored run again from its original file, with this heroicrun's measuring.

    Example: heroicrun runs recompute

    Runs whose original is missing, damaged or no longer readable are listed and left as they
    were; the others are measured again. Exit status: 1 when any run could not be measured.
    """
    from heroicrun.db import engine as db_engine
    from heroicrun.play import recompute as remeasuring
    from heroicrun.play.pool import Parser

    settings = from_environment()
    with opened(url) as engine, db_engine.writers(engine)() as session:
        parser = Parser(settings.parse_workers, settings.parse_timeout_s)
        try:
            report = remeasuring.recompute(session, parser)
        finally:
            parser.close()
    print(f"re-measured {len(report.remeasured)} runs, {len(report.changed)} changed")
    for run_id, name in report.changed:
        print(f"  changed: run {run_id} ({name})")
    for run_id, name, first in report.duplicates:
        print(f"  the same activity as run {first}, counted once: run {run_id} ({name})")
    for run_id, name, outing in report.added:
        print(f"  a new run for outing {outing} of {name}: run {run_id}")
    for run_id, name, problem in report.problems:
        print(f"  not measured: run {run_id} ({name}): {problem}", file=sys.stderr)
    raise typer.Exit(1 if report.problems else 0)
