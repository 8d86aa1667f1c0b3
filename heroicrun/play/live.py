"""The live companion's plans for a runner: a free run, then one for each mission they are in,
from where they stand (heroicrun.missions.companion)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from heroicrun.db.schema import Runner
from heroicrun.missions import companion
from heroicrun.missions.companion import Plan
from heroicrun.missions.loading import Catalog
from heroicrun.play import missions


def plans(session: Session, catalog: Catalog, runner: Runner, now: datetime) -> list[Plan]:
    """A free run first, then each mission the runner is enrolled in, in catalog order."""
    pairs = missions.enrolled_missions(session, catalog, runner)
    found = missions.current(session, catalog, runner, pairs, now)
    return [companion.FREE_RUN] + [
        companion.plan(mission, progress)
        for (mission, _), progress in zip(pairs, found, strict=True)
    ]
