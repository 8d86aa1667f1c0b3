"""The missions that ship with heroicrun."""

from __future__ import annotations

from importlib import import_module
from pathlib import Path

from heroicrun.missions import loading


def directory() -> Path:
    """Where the bundled missions are (the repository's `missions/` in an editable install)."""
    # The package's own folder, as the import system found it: what importlib.resources says
    # for a package on disk, without the 4 ms of imports (zipfile among them) it costs a check.
    return Path(import_module("heroicrun.catalog").__path__[0])


def bundled() -> loading.Catalog:
    """Every bundled mission, checked."""
    return loading.load_all(directory())
