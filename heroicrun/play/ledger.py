"""The ledger of unlocks: each chapter unlocked in an enrolment, with its credit (the run that
earned it, when). Progress reads it (heroicrun.missions.progress: an entry stands, whatever the
runs say now), storing runs appends to it, and deleting or re-marking a run takes that run's
entries out, so that the missions are judged again without it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime

from sqlalchemy import Insert, delete, insert, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from heroicrun.db.schema import Run, Unlock
from heroicrun.missions.progress import Unlocked

DETAIL_CHARS = 500  # Unlock.detail's width

Ledger = dict[str, Unlocked]  # beat id → its unlock, for one enrolment


def read(session: Session, enrolment_ids: Iterable[int]) -> dict[int, Ledger]:
    """The ledger of each enrolment (empty when nothing is unlocked yet), the credited run named
    by its file."""
    wanted = sorted(set(enrolment_ids))
    found: dict[int, Ledger] = {enrolment_id: {} for enrolment_id in wanted}
    if not wanted:
        return found
    rows = session.execute(
        select(
            Unlock.enrolment_id,
            Unlock.beat,
            Unlock.run_id,
            Run.file_name,
            Unlock.unlocked_at,
            Unlock.detail,
        )
        .outerjoin(Run, Run.id == Unlock.run_id)
        .where(Unlock.enrolment_id.in_(wanted))
    ).all()
    for enrolment_id, beat, run_id, name, unlocked_at, detail in rows:
        found[enrolment_id][beat] = Unlocked(beat, run_id, name, _utc(unlocked_at), detail)
    return found


def credited(session: Session, run_id: int, enrolment_ids: Iterable[int]) -> dict[int, set[str]]:
    """The beats the ledger credits to one run, by enrolment (of those given)."""
    wanted = sorted(set(enrolment_ids))
    found: dict[int, set[str]] = {enrolment_id: set() for enrolment_id in wanted}
    if not wanted:
        return found
    rows = session.execute(
        select(Unlock.enrolment_id, Unlock.beat).where(
            Unlock.run_id == run_id, Unlock.enrolment_id.in_(wanted)
        )
    ).all()
    for enrolment_id, beat in rows:
        found[enrolment_id].add(beat)
    return found


def append(session: Session, enrolment_id: int, unlocked: Sequence[Unlocked]) -> None:
    """Write down unlocks of an enrolment (flushed, not committed); a beat already written down
    keeps its entry (two requests judging at once agree on the first)."""
    if not unlocked:
        return
    now = datetime.now(UTC)
    rows = [
        {
            "enrolment_id": enrolment_id,
            "beat": entry.beat,
            "run_id": entry.run,
            "unlocked_at": entry.at,
            "detail": entry.detail[:DETAIL_CHARS],
            "recorded_at": now,
        }
        for entry in unlocked
    ]
    dialect = session.get_bind().dialect.name
    statement: Insert
    if dialect == "postgresql":
        statement = postgresql.insert(Unlock).on_conflict_do_nothing()
    elif dialect == "sqlite":
        statement = sqlite.insert(Unlock).on_conflict_do_nothing()
    else:  # pragma: no cover - heroicrun supports the two
        statement = insert(Unlock)
    session.execute(statement, rows)


def forget(session: Session, run_id: int) -> int:
    """Take a run's entries out of every ledger (it was deleted or re-marked); how many."""
    result = session.execute(delete(Unlock).where(Unlock.run_id == run_id))
    return int(getattr(result, "rowcount", 0) or 0)


def _utc(moment: datetime) -> datetime:
    # SQLite keeps no time zone; every moment heroicrun stores is UTC.
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
