"""The points of a stored run, read again from its original file (for its map and charts)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from heroicrun import measuring, reading
from heroicrun.db.schema import Runner
from heroicrun.play import PlayError, runs


class NoCourse(PlayError):
    """A stored run whose points cannot be read again; the message says why."""


def course_of(session: Session, runner: Runner, run_id: int) -> measuring.Course:
    """The run's points, cleaned as when it was measured; NoCourse when its original is damaged
    or no longer readable. The session's connection is let go before the reading."""
    try:
        name, data = runs.original(session, runner, run_id)
    except runs.Damaged as error:
        raise NoCourse(str(error)) from None
    session.rollback()
    try:
        return measuring.course_of(reading.read_bytes(data, name))
    except reading.ReadError as error:
        raise NoCourse(str(error)) from None
