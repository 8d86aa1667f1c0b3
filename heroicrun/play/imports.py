"""Importing run files for a runner, the one way the API, the pages and `heroicrun import` do it:
unpack what was sent (`entries`), record each run file (`record`), and tally what happened.

Each run file is stored in a transaction of its own, so one bad file costs only its own line,
and each of its outings says what it unlocked the moment it was stored (the chapters it
earned, in order).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import IO

from sqlalchemy.orm import Session, sessionmaker

from heroicrun.db.schema import Runner
from heroicrun.missions.loading import Catalog
from heroicrun.play import PlayError, runs
from heroicrun.play.pool import Parser
from heroicrun.reading import archives


@dataclass(frozen=True)
class Imported:
    """One outing of a run file stored, or found to be a run already stored (a file holding
    several outings gives one of these for each)."""

    label: str  # where it came from: "export.zip/activities/123.gpx"
    recorded: runs.Recorded


@dataclass
class Tally:
    """What an import did, file by file and outing by outing."""

    runs: list[Imported] = field(default_factory=list)
    refused: list[tuple[str, str]] = field(default_factory=list)  # (label, why, a sentence)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (archive, what was left alone)

    @property
    def stored(self) -> list[Imported]:
        return [item for item in self.runs if not item.recorded.duplicate]

    @property
    def duplicates(self) -> list[Imported]:
        return [item for item in self.runs if item.recorded.duplicate]

    @property
    def unlocked(self) -> list[dict[str, str]]:
        """Every chapter the import unlocked, in the order it happened."""
        return [item for imported in self.runs for item in imported.recorded.unlocked]

    @property
    def not_counted(self) -> list[Imported]:
        """The runs stored that count for none of the runner's missions (each says why)."""
        return [item for item in self.stored if item.recorded.run.not_counted is not None]

    @property
    def summary(self) -> Summary:
        """How many runs were stored, already there, refused, and stored but not counted."""
        return Summary(
            stored=len(self.stored),
            duplicates=len(self.duplicates),
            refused=len(self.refused),
            not_counted=len(self.not_counted),
        )


@dataclass(frozen=True)
class Summary:
    """A whole import in four numbers, as a status line tells it ("3 stored · 1 already here
    · 1 refused")."""

    stored: int  # runs stored anew (a file of several outings stores several)
    duplicates: int  # runs already stored, from this file or another of the same activity
    refused: int  # files refused (each says why)
    not_counted: int  # of the stored runs, those that count for no mission


def entries(
    file: IO[bytes],
    label: str,
    limits: archives.Limits,
    allowance: archives.Allowance,
) -> Iterator[archives.Entry]:
    """The run files in one sent file (itself, or a zip's members), within the limits;
    `label` names the file in messages."""
    return archives.unpack(file, label, limits, allowance)


def record(
    sessions: sessionmaker[Session],
    runner: Runner,
    entry: archives.Entry,
    parser: Parser,
    catalog: Catalog | None,
    tally: Tally,
) -> None:
    """Read and store one entry as the runner's runs (one per outing it holds), adding what
    happened to `tally`."""
    if entry.skipped is not None:
        tally.skipped.append((entry.label, entry.skipped))
        return
    if entry.data is None:
        tally.refused.append((entry.label, entry.error or f"{entry.label}: could not be read"))
        return
    try:
        with sessions() as session:
            recorded = runs.record(session, runner, entry.name, entry.data, parser, catalog)
    except PlayError as refused:
        tally.refused.append((entry.label, _named(entry, str(refused))))
        return
    tally.runs.extend(Imported(entry.label, outing) for outing in recorded)


def _named(entry: archives.Entry, message: str) -> str:
    """A reader's message names the file by its base name ("123.gpx: …"); inside an archive,
    name it by its place there ("export.zip/activities/123.gpx: …")."""
    prefix = f"{entry.name}: "
    if entry.label != entry.name and message.startswith(prefix):
        return f"{entry.label}: {message[len(prefix) :]}"
    return message
