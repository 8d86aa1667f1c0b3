"""The `heroicrun` command: thin shells over the library, one module per group of commands.

`heroicrun check` runs on its own (heroicrun.cli.check: argparse and plain text, the command a
runner waits on); every other command is a typer app (heroicrun.cli.commands) that imports only
the module of the command it runs.
"""

from __future__ import annotations

import gc
import os
import sys
from typing import NoReturn


def main() -> None:
    """Console-script entry point."""
    args = sys.argv[1:]
    # A command's imports build hundreds of thousands of objects that live as long as the
    # process: collecting while importing finds nothing, and frozen afterwards they are never
    # scanned again, so reading a file is not slowed by sweeps over the libraries.
    gc.disable()
    try:
        if args[:1] == ["check"]:
            from heroicrun.cli import check
        else:
            from heroicrun.cli import commands

            commands.register(args)
        gc.freeze()
    finally:
        gc.enable()
    if args[:1] != ["check"]:
        commands.app()
        return
    try:
        status = check.main(args[1:])
        sys.stdout.flush()
    except BrokenPipeError:  # `heroicrun check run.gpx | head`: the reader has had enough
        _leave(1)
    except OSError as error:  # the output's disk is full, say
        print(f"error: could not write the output ({error.strerror})", file=sys.stderr)
        _leave(1)
    except KeyboardInterrupt:
        _leave(130)
    _leave(status)


def _leave(status: int) -> NoReturn:
    """Exit now: freeing a measured run's arrays and every module one by one would add a
    tenth to the command's time, and the system frees the whole process at once."""
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):  # a closed pipe, a full disk: nothing more can be said
        pass
    os._exit(status)
