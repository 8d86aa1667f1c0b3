"""Racing a journey's legend: where the legend is now, and how the runner compares.

The legend sets out when the runner enrols (heroicrun.missions.legends). The runner reached
their km when their last counted run ended, so that is the time compared, not the present:
a runner resting between runs is not falling behind at the km they already hold.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from heroicrun.db.schema import Enrolment, Run
from heroicrun.missions import legends
from heroicrun.missions.model import Mission
from heroicrun.missions.runs import GRACE
from heroicrun.play import snapshots
from heroicrun.play.missions import FACT_COLUMNS, as_utc, enrolled_at, facts_of


@dataclass(frozen=True)
class Race:
    """The legend against the runner: its name, where it is now (km along the route) and the
    comparison in words ("Pheidippides reached Nemea on the first night; you are 3 weeks
    behind")."""

    name: str
    legend_km: float
    words: str


def race(
    session: Session,
    mission: Mission,
    enrolment: Enrolment,
    progress_km: float | None,
    now: datetime,
    runs_key: str | None = None,
) -> Race | None:
    """The race of the runner's enrolment against the mission's legend at `now`; None for a
    mission without a legend or a route. `runs_key`, the runner's snapshots.runs_key when read
    already: the last counted run is then found once for as long as the runs stay as they are."""
    if mission.legend is None or mission.route is None:
        return None
    start = enrolled_at(enrolment)
    elapsed_s = max((as_utc(now) - start).total_seconds(), 0.0)
    km = progress_km or 0.0
    reached = None
    if km > 0:
        reached = (
            last_counted_end(session, enrolment)
            if runs_key is None
            else _LAST_END.get(
                session, (enrolment.id, runs_key), lambda: last_counted_end(session, enrolment)
            )
        )
    taken_s = elapsed_s if reached is None else max((reached - start).total_seconds(), 0.0)
    compared = legends.compare(mission.legend, mission.route, km, taken_s)
    return Race(
        name=mission.legend.name,
        legend_km=round(legends.position_km(mission.legend, mission.route, elapsed_s), 3),
        words=compared.words,
    )


_LAST_END: snapshots.Memo[datetime | None] = snapshots.Memo()


def last_counted_end(session: Session, enrolment: Enrolment) -> datetime | None:
    """When the latest run that counts for the enrolment ended (UTC), or None before any."""
    start = enrolled_at(enrolment)
    table = Run.__table__.c
    rows = session.execute(
        select(*FACT_COLUMNS)
        .where(table.runner_id == enrolment.runner_id, table.start_time >= start - GRACE)
        .where(table.overlaps_run_id.is_(None))
    ).all()
    ends = [
        facts.start + timedelta(seconds=facts.elapsed_s or 0.0)
        for facts in (facts_of(*row) for row in rows)
        if facts.start is not None and facts.counted_km > 0 and facts.not_counted(start) is None
    ]
    return max(ends, default=None)
