"""A run's best efforts at the standard distances, as rows (RunEffort) that records read."""

from __future__ import annotations

from sqlalchemy import delete, insert
from sqlalchemy.orm import Session

from heroicrun.db.schema import RunEffort
from heroicrun.summary import RunSummary


def keep(session: Session, run_id: int, measured: RunSummary) -> None:
    """Replace the run's stored efforts with those of its summary (flushed, not committed)."""
    session.execute(delete(RunEffort).where(RunEffort.run_id == run_id))
    rows = [
        {
            "run_id": run_id,
            "distance_m": effort.distance_m,
            "name": effort.name,
            "elapsed_s": effort.elapsed_s,
            "start_distance_m": effort.start_distance_m,
        }
        for effort in measured.best_efforts
        if effort.elapsed_s is not None
    ]
    if rows:
        session.execute(insert(RunEffort), rows)
