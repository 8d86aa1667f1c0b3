"""The live companion's plans for a runner: a free run, then one for each mission they are in,
then each team mission of their clubs, from where they (or their team) stand
(heroicrun.missions.companion)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from sqlalchemy.orm import Session

from heroicrun.db.schema import Runner
from heroicrun.missions import companion
from heroicrun.missions.companion import Plan
from heroicrun.missions.loading import Catalog
from heroicrun.play import missions, teams


def plans(session: Session, catalog: Catalog, runner: Runner, now: datetime) -> list[Plan]:
    """A free run, the runner's missions in catalog order, then their clubs' team missions
    (each named with its club, its id `team-<club id>-<mission id>`)."""
    pairs = missions.enrolled_missions(session, catalog, runner)
    found = missions.current(session, catalog, runner, pairs, now)
    own = [
        companion.plan(mission, progress)
        for (mission, _), progress in zip(pairs, found, strict=True)
    ]
    team = [
        replace(
            companion.plan(mission, standing.progress),
            id=f"team-{standing.club_id}-{mission.id}",
            title=f"{mission.title} · {standing.club}",
        )
        for standing in teams.standings_of(session, catalog, runner, now)
        if (mission := catalog.get(standing.mission_id)) is not None
    ]
    return [companion.FREE_RUN, *own, *team]
