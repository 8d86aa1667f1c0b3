"""The missions heroicrun plays: those that ship with it, and a folder kept current while serving.

A server reads its missions once, at start. An author then edits a file in the folder: checking
the missions again (TOML, pydantic, route geometry: a long journey's line takes a while) must not
happen inside a request. `watched` hands back the folder's catalog and keeps it current from a
background thread, one per folder: every CHECK_EVERY_S it compares the folder's files (names,
sizes, modification times), and when they changed it checks the missions again, builds their
route lines, and only then swaps the new catalog in, while requests go on with the one in hand.
A catalog with errors (a file half written) is not swapped in: the one in hand stays until the
folder checks clean.
"""

from __future__ import annotations

import threading
import weakref
from importlib import import_module
from pathlib import Path

from heroicrun.missions import loading, routes

CHECK_EVERY_S = 2.0

Stamp = tuple[str, int, int]  # path, size in bytes, modification time in ns


def directory() -> Path:
    """Where the bundled missions are (the repository's `missions/` in an editable install)."""
    # The package's own folder, as the import system found it: what importlib.resources says
    # for a package on disk, without the 4 ms of imports (zipfile among them) it costs a check.
    return Path(import_module("heroicrun.catalog").__path__[0])


def bundled() -> loading.Catalog:
    """Every bundled mission, checked."""
    return loading.load_all(directory())


def stamps(folder: Path) -> tuple[Stamp, ...]:
    """The mission files of `folder` and the route files under it: path, size, modification
    time; empty when the folder is gone."""
    try:
        paths = sorted([*folder.glob("*.toml"), *folder.rglob("*.gpx")])
    except OSError:
        return ()
    found: list[Stamp] = []
    for path in paths:
        try:
            stat = path.stat()
        except OSError:  # removed while listed
            continue
        found.append((str(path), stat.st_size, stat.st_mtime_ns))
    return tuple(found)


def ready(folder: Path) -> loading.Catalog:
    """The folder's missions checked, with their route lines built: nothing left for a request."""
    found = loading.load_all(folder)
    for mission in found.missions:
        if mission.route is not None:
            routes.build(mission.route, found.directory)
    return found


def watched(folder: Path, owner: object, attribute: str = "catalog") -> loading.Catalog:
    """The missions of `folder`, checked now; from then on `owner.<attribute>` is set to the
    folder's catalog checked again whenever its files change, from a background thread, for as
    long as `owner` lives."""
    seen = stamps(folder)  # before reading: an edit made meanwhile is noticed
    found = loading.load_all(folder)
    _watcher(folder).follow(owner, attribute, seen)
    return found


class _Watcher:
    """One folder's background thread, and the owners it keeps current."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.lock = threading.Lock()
        self.owners: list[tuple[weakref.ref[object], str, tuple[Stamp, ...]]] = []
        self.loaded: tuple[tuple[Stamp, ...], loading.Catalog | None] | None = None
        self.thread: threading.Thread | None = None

    def follow(self, owner: object, attribute: str, seen: tuple[Stamp, ...]) -> None:
        with self.lock:
            self.owners.append((weakref.ref(owner), attribute, seen))
            if self.thread is None or not self.thread.is_alive():
                self.thread = threading.Thread(
                    target=self._run, name=f"heroicrun-catalog {self.folder}", daemon=True
                )
                self.thread.start()

    def _run(self) -> None:
        stop = threading.Event()  # never set: the wait is the pause between looks
        while not stop.wait(CHECK_EVERY_S):
            if not self.check():
                return

    def check(self) -> bool:
        """Swap a changed folder's catalog in for each owner; False once no owner is left."""
        now = stamps(self.folder)
        with self.lock:
            self.owners = [entry for entry in self.owners if entry[0]() is not None]
            if not self.owners:
                _WATCHERS.pop(self.folder, None)
                self.thread = None
                return False
            behind = [entry for entry in self.owners if entry[2] != now]
        if not behind:
            return True
        if self.loaded is None or self.loaded[0] != now:
            try:
                found: loading.Catalog | None = ready(self.folder)
            except Exception:  # a route file unreadable mid-copy: the next change tries again
                found = None
            self.loaded = (now, None if found is None or found.errors else found)
        catalog = self.loaded[1]
        with self.lock:
            for at, (owner, attribute, _) in enumerate(self.owners):
                live = owner()
                if live is None or self.owners[at][2] == now:
                    continue
                if catalog is not None:
                    setattr(live, attribute, catalog)
                self.owners[at] = (owner, attribute, now)
        return True


_WATCHERS: dict[Path, _Watcher] = {}
_WATCHERS_LOCK = threading.Lock()


def _watcher(folder: Path) -> _Watcher:
    where = folder.resolve()
    with _WATCHERS_LOCK:
        found = _WATCHERS.get(where)
        if found is None:
            found = _WATCHERS[where] = _Watcher(where)
        return found
