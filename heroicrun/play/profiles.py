"""Runs' profiles (heroicrun.measuring.profile) in the `run_profiles` table: kept when a run is
measured, read by its page (a run stored before profiles, or under another way of deriving
them, gets its profile from its original once: heroicrun.play.courses.profile_of).
"""

from __future__ import annotations

from sqlalchemy import delete, insert, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from heroicrun import localtime
from heroicrun.db.schema import Run, RunProfile
from heroicrun.measuring import profile


def keep(session: Session, run_id: int, content: bytes) -> None:
    """Store the run's profile bytes (profile.to_bytes), replacing any kept before (flushed,
    not committed); two pages deriving it at once both succeed."""
    made = profile.from_bytes(content)
    sketch = made.sketch
    values = {
        "run_id": run_id,
        "made_with": profile.MADE_WITH,
        "sketch": sketch,
        "content": content,
    }
    changed = {"made_with": profile.MADE_WITH, "sketch": sketch, "content": content}
    name = session.get_bind().dialect.name
    if name == "postgresql":
        upsert = postgresql.insert(RunProfile).values(values)
        session.execute(upsert.on_conflict_do_update(index_elements=["run_id"], set_=changed))
    elif name == "sqlite":
        lite = sqlite.insert(RunProfile).values(values)
        session.execute(lite.on_conflict_do_update(index_elements=["run_id"], set_=changed))
    else:  # pragma: no cover - heroicrun runs on SQLite and PostgreSQL
        session.execute(delete(RunProfile).where(RunProfile.run_id == run_id))
        session.execute(insert(RunProfile).values(values))
    zone = None
    if len(made.lat_deg):
        zone = localtime.zone_at(float(made.lat_deg[0]), float(made.lon_deg[0]))
    run = session.get(Run, run_id)  # the row in hand when the run was just stored
    if run is not None:
        run.time_zone = zone
    session.flush()


def stored(session: Session, run_id: int) -> bytes | None:
    """The run's kept profile, as bytes (profile.from_bytes reads them); None when none is
    kept, or one made another way, which must be derived again."""
    row = session.execute(
        select(RunProfile.made_with, RunProfile.content).where(RunProfile.run_id == run_id)
    ).first()
    if row is None or row.made_with != profile.MADE_WITH:
        return None
    return bytes(row.content)
