"""`heroicrun missions` and `heroicrun validate`: the catalog, one mission, mission files."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from heroicrun.cli.commands import app
from heroicrun.cli.terminal import print_json

if TYPE_CHECKING:
    from rich.console import Console

    from heroicrun.missions import loading

# rich and the missions are imported by the commands that use them: `heroicrun --help` lists
# these commands without loading a mission.

missions_app = typer.Typer(
    help="The missions: list them, or show one.", no_args_is_help=False, rich_markup_mode=None
)
app.add_typer(missions_app, name="missions")

MissionsDir = Annotated[
    Path | None,
    typer.Option(
        "--missions-dir",
        help="Read missions from this folder instead of the bundled catalog.",
        show_default=False,
    ),
]


def load_catalog(missions_dir: Path | None, err: Console) -> loading.Catalog:
    """The catalog to play with; broken files are reported on stderr and left out."""
    from heroicrun.cli import catalogs

    return catalogs.load_catalog(
        missions_dir, lambda text: err.print(text, soft_wrap=True, markup=False)
    )


@missions_app.callback(invoke_without_command=True)
def missions(
    context: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
    missions_dir: MissionsDir = None,
) -> None:
    """List the missions: id, title, what they draw on, route length, beats and goal kinds.

    Example: heroicrun missions --json
    """
    if context.invoked_subcommand is not None:
        return
    from rich.console import Console

    from heroicrun.cli import mission_tables
    from heroicrun.missions import describe

    found = load_catalog(missions_dir, Console(stderr=True, highlight=False))
    listed = [describe.listing(mission) for mission in found.missions]
    if as_json:
        print_json(listed)
    else:
        mission_tables.render_list(Console(highlight=False), listed)


@missions_app.command("show")
def show(
    mission_id: Annotated[str, typer.Argument(metavar="ID", help="The mission's id.")],
    spoilers: Annotated[
        bool, typer.Option("--spoilers", help="Also print the story text of every beat.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of tables.")] = False,
    missions_dir: MissionsDir = None,
) -> None:
    """Show one mission: its briefing, what it takes, and each chapter's teaser and goal (the
    chapters' story stays hidden unless --spoilers).

    Example: heroicrun missions show reach-sparta
    """
    from rich.console import Console

    from heroicrun.cli import mission_tables
    from heroicrun.missions import describe

    err = Console(stderr=True, highlight=False)
    found = load_catalog(missions_dir, err)
    mission = found.get(mission_id)
    if mission is None:
        known = ", ".join(m.id for m in found.missions)
        err.print(f"error: no mission {mission_id!r}; the missions are: {known}", soft_wrap=True)
        raise typer.Exit(1)
    shown = describe.details(mission, spoilers=spoilers)
    if as_json:
        print_json(shown)
    else:
        mission_tables.render_mission(Console(highlight=False), shown)


@missions_app.command("schema")
def schema() -> None:
    """Print the JSON Schema of mission files (missions/mission.schema.json holds a copy).

    Example: heroicrun missions schema > mission.schema.json
    """
    from heroicrun.missions import model

    print_json(model.json_schema())


@app.command()
def validate(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(
            help="Mission files or folders (default: the bundled catalog).", show_default=False
        ),
    ] = None,
) -> None:
    """Check mission files; list every problem with its file and field, exit 1 if any.

    Example: heroicrun validate missions/my-mission.toml
    """
    from rich.console import Console

    from heroicrun.missions import catalog, loading

    err = Console(stderr=True, highlight=False)
    targets = paths or [catalog.directory()]
    for path in targets:
        if not path.exists():
            err.print(f"{path}: does not exist", soft_wrap=True)
            raise typer.Exit(1)
    found = loading.load_paths(targets)
    problems = [
        f"{error.source}: {problem}" for error in found.errors for problem in error.problems
    ]
    ids = [mission.id for mission in found.missions]
    problems += [f"two missions share the id {i!r}" for i in sorted(set(ids)) if ids.count(i) > 1]
    for problem in problems:
        err.print(problem, soft_wrap=True, markup=False)
    if problems:
        err.print(f"{len(problems)} problem(s) in {len(found.errors)} file(s)", markup=False)
        raise typer.Exit(1)
    if not found.missions:
        err.print("no mission files found (missions are *.toml files)", markup=False)
        raise typer.Exit(1)
    print(f"{len(found.missions)} mission(s) valid")
