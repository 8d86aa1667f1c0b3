"""What pages read of a run, derived once when the run is measured (stored, or measured again by
`heroicrun runs recompute`) rather than on every view: its best efforts, for records across runs,
and its profile, which its map, charts and mini map are drawn from.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from heroicrun.play import efforts, profiles
from heroicrun.summary import RunSummary


def keep(session: Session, run_id: int, measured: RunSummary, profile: bytes | None = None) -> None:
    """Store (flushed, not committed) what is derived from the run's measuring, replacing any
    derived before; `profile` is the run's profile bytes (measuring.profile.to_bytes), made
    where its points were read (None: its page derives it from the original when first seen)."""
    efforts.keep(session, run_id, measured)
    if profile is not None:
        profiles.keep(session, run_id, profile)
