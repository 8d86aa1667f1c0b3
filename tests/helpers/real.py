"""Run files recorded by other people's apps and devices, read where they are kept.

They live beside the project in ../shared/data/real (with each source's stated figures in its
SOURCES.md), never in it: they are not ours to republish. HEROICRUN_REAL_DATA names another
folder (a missing one shows what a clone without them does). Where the folder is absent, the
tests that need them skip with one reason and the rest of the suite runs.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

BESIDE = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "real"
REAL = Path(os.environ.get("HEROICRUN_REAL_DATA") or BESIDE)
ABSENT = f"needs the third-party run files in {REAL}, which are not here"

# Mark a test or a module: `pytestmark = needs_real`.
needs_real = pytest.mark.skipif(not REAL.is_dir(), reason=ABSENT)


def real(relative: str) -> Path:
    """The real file at `relative` (e.g. "fittrackee/gpx_file.gpx"); skips when absent."""
    path = REAL / relative
    if not path.is_file():
        pytest.skip(ABSENT if not REAL.is_dir() else f"{path} is missing")
    return path


@dataclass(frozen=True)
class Folder:
    """One source's folder: `Folder("fittrackee") / "example.fit"` is
    `real("fittrackee/example.fit")`, so a test that reaches for a file skips without it."""

    source: str

    def __truediv__(self, name: str) -> Path:
        return real(f"{self.source}/{name}")


def real_files(*suffixes: str) -> list[Any]:
    """Every real file ending in one of `suffixes`, for parametrizing. Without the folder, one
    stand-in that skips with the reason, rather than an empty set that says nothing of why."""
    if not REAL.is_dir():
        return [pytest.param(REAL, id="absent", marks=needs_real)]
    return sorted(
        path for path in REAL.rglob("*") if path.is_file() and path.name.lower().endswith(suffixes)
    )
