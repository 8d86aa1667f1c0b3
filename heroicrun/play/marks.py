"""What a runner says of their own runs, over what the file says: its sport (a ride the watch
called a run, a run the app filed as a ride), its title and notes. The missions follow the
sport: the run's chapters leave the ledger and the missions are judged again, as if it had just
been stored. The summary keeps what the file declared.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import EllipsisType

from sqlalchemy import delete
from sqlalchemy.orm import Session

from heroicrun import localtime, sports
from heroicrun.db.schema import Runner, Verdict
from heroicrun.missions.loading import Catalog
from heroicrun.play import PlayError, ledger, runs

KNOWN_SPORTS = sports.ON_FOOT | sports.NOT_ON_FOOT


class UnknownSport(PlayError):
    """A sport heroicrun has no name for."""


@dataclass(frozen=True)
class Marks:
    """What to change in a run; a field left out (`...`) stays as it is."""

    # heroicrun's name of a sport, or a name apps use for one ("Run", "Ride", "road_biking");
    # None: take the mark away, the file's sport counts again.
    sport: str | EllipsisType | None = ...
    # The runner's title and notes; None or blank: none (the title is the default again).
    title: str | EllipsisType | None = ...
    notes: str | EllipsisType | None = ...


def sport_name(said: str) -> str:
    """heroicrun's name for a sport a runner gives ("Ride" → "cycling"); UnknownSport if none."""
    name = sports.normalize(said)
    if name not in KNOWN_SPORTS:
        known = ", ".join(sorted(KNOWN_SPORTS))
        raise UnknownSport(f"{said!r} is not a sport heroicrun knows: one of {known}")
    return name


def mark(
    session: Session, catalog: Catalog | None, runner: Runner, run_id: int, marks: Marks
) -> runs.StoredRun:
    """Change what the runner says of one of their runs (the caller commits); NotFound for a
    missing run or another runner's, UnknownSport for a sport heroicrun has no name for."""
    runs.locked_runner(session, runner.id)
    row = runs.owned(session, runner, run_id)
    if marks.sport is not ...:
        marked = None if marks.sport is None else sport_name(marks.sport)
        before = row.marked_sport or row.sport
        row.marked_sport = marked
        if (marked or row.sport) != before:
            # What it counts for changes: its chapters go, and the missions are judged again.
            ledger.forget(session, row.id)
            session.execute(delete(Verdict).where(Verdict.run_id == row.id))
            session.flush()
            runs.rejudge(session, runner, catalog)
    if marks.title is not ...:
        row.title = localtime.clean_title(marks.title)
    if marks.notes is not ...:
        row.notes = localtime.clean_notes(marks.notes)
    session.flush()
    return runs.get_run(session, runner, run_id)
