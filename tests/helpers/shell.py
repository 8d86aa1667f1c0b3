"""`heroicrun` commands run in-process, as a shell would run them, with the answers a process
gives: exit status, standard output and standard error."""

from __future__ import annotations

from dataclasses import dataclass

from typer.testing import CliRunner

from heroicrun.cli import commands


@dataclass(frozen=True)
class Done:
    """What a command left: like subprocess.CompletedProcess."""

    returncode: int
    stdout: str
    stderr: str


def heroicrun(*args: str, env: dict[str, str] | None = None, stdin: str = "") -> Done:
    """Run `heroicrun ARGS` with these environment variables set and this standard input."""
    app = commands.register(args)
    result = CliRunner().invoke(app, list(args), input=stdin, env=env)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return Done(result.exit_code, result.stdout, result.stderr)
