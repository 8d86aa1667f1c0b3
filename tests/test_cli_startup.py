"""What the command line loads: `check` starts without the server, typer or rich, and every
command is found."""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
from pathlib import Path

import pytest
import typer

from heroicrun.cli import commands

SAMPLE = Path(__file__).parents[1] / "heroicrun" / "samples" / "athens-dawn-run.gpx"
SERVER_STACK = {"fastapi", "starlette", "uvicorn", "sqlalchemy", "alembic", "jinja2", "argon2"}


# Runs the command as the console script does, then lists every module the process holds.
# `check` leaves through os._exit, so the listing is printed on the way out either way.
AFTER = """
import json, os, sys
from heroicrun.cli import main

def listed(code):
    assert not code, code
    print(json.dumps(sorted(sys.modules)), file=sys.stderr, flush=True)

leave = os._exit
os._exit = lambda code: (listed(code), leave(code))
sys.argv = ["heroicrun", *sys.argv[1:]]
try:
    main()
except SystemExit as leaving:
    listed(leaving.code)
else:
    listed(0)
"""


def imported_by(*args: str) -> set[str]:
    """Every module a `heroicrun` process has imported when it exits."""
    done = subprocess.run(
        [sys.executable, "-c", AFTER, *args], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-2000:]
    modules: list[str] = json.loads(done.stderr.splitlines()[-1])
    return set(modules)


def test_check_imports_neither_the_server_nor_the_database() -> None:
    modules = imported_by("check", str(SAMPLE), "--json")
    assert {"heroicrun.cli.check", "heroicrun.missions.progress", "numpy"} <= modules
    assert {name.split(".")[0] for name in modules} & SERVER_STACK == set()
    assert not any(name.startswith(("heroicrun.server", "heroicrun.db")) for name in modules)


@pytest.mark.parametrize("shown", [[], ["--json"]], ids=["tables", "json"])
def test_check_imports_neither_pydantic_nor_typer_nor_rich(shown: list[str]) -> None:
    # The first check of a catalog validates its missions with pydantic and caches them;
    # every later one, like this user's next run, reads the cache.
    imported_by("check", str(SAMPLE), "--json")
    modules = imported_by("check", str(SAMPLE), *shown)
    assert {"heroicrun.cli.check", "heroicrun.summary", "heroicrun.cli.run_tables"} <= modules
    heavy = {"pydantic", "pydantic_core", "typer", "click", "rich", "platformdirs"}
    assert {name.split(".")[0] for name in modules} & heavy == set()


def test_the_command_table_names_the_module_of_every_command() -> None:
    for module in commands.MODULES:
        importlib.import_module(f"heroicrun.cli.{module}")
    found: dict[str, str] = {}
    for command in commands.app.registered_commands:
        assert command.callback is not None
        name = command.name or command.callback.__name__.replace("_", "-")
        found[name] = command.callback.__module__
    for group in commands.app.registered_groups:
        instance = group.typer_instance
        assert group.name is not None and instance is not None
        callbacks = [c.callback for c in instance.registered_commands]
        callback = instance.registered_callback.callback if instance.registered_callback else None
        defined = next(c for c in [callback, *callbacks] if c is not None)
        found[group.name] = defined.__module__
    # `check` reads its own options; the app only hands them over.
    assert found.pop("check") == "heroicrun.cli.commands"
    assert found == {name: f"heroicrun.cli.{module}" for name, module in commands.COMMANDS.items()}
    assert isinstance(commands.register(["check"]), typer.Typer)


def test_the_typer_app_hands_check_its_arguments() -> None:
    from typer.testing import CliRunner

    helped = CliRunner().invoke(commands.app, ["check", "--help"])
    assert helped.exit_code == 0
    assert "usage: heroicrun check" in helped.stdout and "--missions-dir DIR" in helped.stdout
    assert CliRunner().invoke(commands.app, ["check", str(SAMPLE), "--no-such"]).exit_code == 2
    done = CliRunner().invoke(commands.app, ["check", str(SAMPLE), "--json", "--miles"])
    assert done.exit_code == 0, done.output
    assert json.loads(done.stdout)["file"] == str(SAMPLE)
