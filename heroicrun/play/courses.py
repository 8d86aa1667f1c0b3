"""The points of a stored run, read again from its original file (for its map and charts)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from heroicrun import measuring, reading
from heroicrun.db.schema import Runner
from heroicrun.play import PlayError, pool, runs


class NoCourse(PlayError):
    """A stored run whose points cannot be read again; the message says why."""


def course_of(session: Session, runner: Runner, run_id: int, outing: int = 1) -> measuring.Course:
    """The run's points (its outing of the file), cleaned as when it was measured; NoCourse
    when its original is damaged or no longer readable. The session's connection is let go
    before the reading."""
    try:
        name, data = runs.original(session, runner, run_id)
    except runs.Damaged as error:
        raise NoCourse(str(error)) from None
    session.rollback()
    try:
        return measuring.course_of(pool.read_outing(data, name, outing))
    except reading.ReadError as error:
        raise NoCourse(str(error)) from None
