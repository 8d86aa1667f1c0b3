"""What pages read of a run, derived once when the run is measured (stored, or measured again by
`heroicrun runs recompute`) rather than on every view: its best efforts, for records across runs.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from heroicrun.play import efforts
from heroicrun.summary import RunSummary


def keep(session: Session, run_id: int, measured: RunSummary) -> None:
    """Store (flushed, not committed) what is derived from the run's measuring, replacing any
    derived before."""
    efforts.keep(session, run_id, measured)
