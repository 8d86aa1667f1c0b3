"""A checked catalog kept between runs of the command line, so `heroicrun check` starts fast.

Checking mission files (TOML, pydantic, route geometry) costs more than measuring an hour's
run. The missions that came out of it, with the lines of their routes, are kept in a file in a
cache folder and used again for as long as nothing they were read from has changed: the same
mission files (names, sizes, modification times), the same route files, the same heroicrun
code that checked them. A catalog with errors is never kept, so a mission being written is
checked, and reported, on every run. The cache folder is the caller's (the user's own); a file
in it that cannot be read back is simply a miss.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import sys
import zlib
from pathlib import Path

import heroicrun
from heroicrun.missions import formats, loading, model, routes
from heroicrun.missions.model import Mission

# The code whose answer is kept: a changed checker (an upgrade, an edit) checks again.
_CHECKERS = (model, formats, loading, routes)

Stamp = tuple[str, int, int]  # path, size in bytes, modification time in ns


def load_all(directory: Path, folder: Path) -> loading.Catalog:
    """Every `*.toml` mission in `directory`, as `loading.load_all` checks them, taken from
    `folder` when it holds them checked from the same files."""
    where = directory.resolve()
    kept = folder / f"catalog-{zlib.crc32(os.fsencode(where)):08x}.pickle"
    files = _stamps(sorted(where.glob("*.toml")))
    found = _read(kept, files)
    if found is not None:
        return loading.Catalog(found, (), directory)
    catalog = loading.load_all(directory)
    if not catalog.errors:
        line_files = [where / m.route.gpx for m in catalog.missions if m.route and m.route.gpx]
        for mission in catalog.missions:
            if mission.route is not None:
                # Kept with the route, so kept here too: a check then judges journeys without
                # building their lines again.
                routes.build(mission.route, directory)
        _write(kept, (_code(), files, _stamps(line_files), catalog.missions))
    return catalog


def _read(kept: Path, files: list[Stamp]) -> tuple[Mission, ...] | None:
    """The missions kept, if they were checked by this code from these files; else None."""
    try:
        with kept.open("rb") as handle:
            code, kept_files, line_files, missions = pickle.load(handle)
    except Exception:
        # Missing, damaged, or written by a heroicrun whose classes have changed: a miss.
        return None
    if code != _code() or kept_files != files:
        return None
    if line_files != _stamps([Path(path) for path, _, _ in line_files]):
        return None
    return tuple(missions)


def _write(kept: Path, entry: object) -> None:
    """Keep `entry` in `kept`, replacing it whole so a reader never sees half of it."""
    writing = kept.with_name(f"{kept.name}.{os.getpid()}.tmp")
    try:
        kept.parent.mkdir(parents=True, exist_ok=True)
        writing.write_bytes(pickle.dumps(entry, protocol=pickle.HIGHEST_PROTOCOL))
        os.replace(writing, kept)
    except OSError:
        # A read-only or full disk: the next run checks the files again, nothing worse.
        with contextlib.suppress(OSError):
            writing.unlink(missing_ok=True)


def _stamps(paths: list[Path]) -> list[Stamp]:
    """Each file's path, size and modification time; a missing file as (-1, -1)."""
    stamps: list[Stamp] = []
    for path in paths:
        try:
            stat = path.stat()
            stamps.append((str(path), stat.st_size, stat.st_mtime_ns))
        except OSError:
            stamps.append((str(path), -1, -1))
    return stamps


def _code() -> tuple[object, ...]:
    """What says which heroicrun checked the files: its version, Python's, the checkers' sources."""
    sources = [Path(module.__file__ or "") for module in _CHECKERS]
    return (heroicrun.__version__, sys.version_info[:2], *_stamps(sources))
