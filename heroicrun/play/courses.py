"""The points of a stored run, read again from its original file, and what its pictures are drawn
from (heroicrun.measuring.profile): kept when it was measured, or derived here once from the
original for a run stored before profiles were."""

from __future__ import annotations

from sqlalchemy.orm import Session

from heroicrun import measuring, reading
from heroicrun.db.schema import Runner
from heroicrun.measuring import profile
from heroicrun.play import PlayError, pool, profiles, runs
from heroicrun.track import Track


class NoCourse(PlayError):
    """A stored run whose points cannot be read again; the message says why."""


def course_of(session: Session, runner: Runner, run_id: int, outing: int = 1) -> measuring.Course:
    """The run's points (its outing of the file), cleaned as when it was measured; NoCourse
    when its original is damaged or no longer readable. The session's connection is let go
    before the reading."""
    return measuring.course_of(_track(session, runner, run_id, outing))


def profile_bytes(session: Session, runner: Runner, run_id: int, outing: int = 1) -> bytes:
    """The run's profile (profile.to_bytes), derived from its original as measuring does it;
    NoCourse when the original is damaged or no longer readable."""
    track = _track(session, runner, run_id, outing)
    measures = measuring.measure(track)
    return profile.to_bytes(profile.of(measuring.course_of(track), measures.flags))


def profile_of(
    session: Session, writing: Session, runner: Runner, run_id: int, outing: int = 1
) -> bytes:
    """The run's profile as bytes (profile.from_bytes reads them): the kept one, or (none kept
    yet, or one made another way) derived from its original and kept through `writing`
    (flushed, for its caller to commit); NoCourse when the original cannot be read."""
    found = profiles.stored(session, run_id)
    if found is not None:
        return found
    content = profile_bytes(session, runner, run_id, outing)
    profiles.keep(writing, run_id, content)
    return content


def _track(session: Session, runner: Runner, run_id: int, outing: int) -> Track:
    try:
        name, data = runs.original(session, runner, run_id)
    except runs.Damaged as error:
        raise NoCourse(str(error)) from None
    session.rollback()
    try:
        return pool.read_outing(data, name, outing)
    except reading.ReadError as error:
        raise NoCourse(str(error)) from None
