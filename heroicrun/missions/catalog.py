"""The missions that ship with heroicrun."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from heroicrun.missions import loading


def directory() -> Path:
    """Where the bundled missions are (the repository's `missions/` in an editable install)."""
    return Path(str(resources.files("heroicrun.catalog")))


def bundled() -> loading.Catalog:
    """Every bundled mission, checked."""
    return loading.load_all(directory())
