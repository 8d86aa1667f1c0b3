"""The catalog a command plays with: the bundled missions or a folder of them, checked once and
kept in the user's cache folder (imports neither typer nor rich, for `heroicrun check`)."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from heroicrun.missions import loading


def load_catalog(missions_dir: Path | None, say: Callable[[str], None]) -> loading.Catalog:
    """The catalog to play with; broken files are reported through `say` and left out.

    A `missions_dir` that is not a folder is reported, and the command exits with status 1.
    """
    from heroicrun.missions import catalog, catalog_cache

    if missions_dir is not None and not missions_dir.is_dir():
        say(f"error: {missions_dir}: is not a folder of missions")
        raise SystemExit(1)
    found = catalog_cache.load_all(missions_dir or catalog.directory(), cache_folder())
    for error in found.errors:
        for problem in error.problems:
            say(f"warning: {error.source}: {problem} (mission left out)")
    return found


def cache_folder() -> Path:
    """Where checked missions are kept: the user's cache folder, by the platform's rules."""
    # platformdirs costs a check a few milliseconds on Linux, where the rule is this one line.
    if os.name == "posix" and os.uname().sysname == "Linux":
        base = os.environ.get("XDG_CACHE_HOME", "").strip()
        # The XDG rules ignore a relative path, as platformdirs does.
        return Path(base if os.path.isabs(base) else Path.home() / ".cache") / "heroicrun"
    import platformdirs

    return Path(platformdirs.user_cache_dir("heroicrun", appauthor=False))
