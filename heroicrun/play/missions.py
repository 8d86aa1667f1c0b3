"""Enrolments and progress: a runner's missions, derived from their stored runs (being written)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from heroicrun.db.schema import Runner
from heroicrun.missions.loading import Catalog

Snapshot = dict[str, tuple[str, ...]]  # mission id → unlocked beat ids, for active enrolments


def snapshot(session: Session, catalog: Catalog, runner: Runner) -> Snapshot:
    """The beats the runner has unlocked in each mission they are enrolled in."""
    return {}


def unlocks(catalog: Catalog, before: Snapshot, after: Snapshot) -> list[dict[str, str]]:
    """What changed between two snapshots, as messages ("Megara reached: chapter 3 unlocked")."""
    return []
