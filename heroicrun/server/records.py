"""Routes for records: your fastest time at each standard distance, over all your counted runs."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter
from pydantic import BaseModel, Field

from heroicrun.play import records
from heroicrun.server.deps import CurrentRunner, ReadSession

router = APIRouter(tags=["records"])


class EffortOut(BaseModel):
    """One run's fastest time over a distance."""

    run_id: int
    start_time: datetime = Field(description="When the run started, UTC")
    elapsed_s: float = Field(description="The time over the distance, seconds")
    pace_s_per_km: float


class RecordOut(BaseModel):
    """Your best at one standard distance, the best it beat, and this year's best."""

    name: str = Field(description='The distance as runners name it: "5 km", "1 mile"')
    distance_m: float
    best: EffortOut
    previous: EffortOut | None = Field(
        description="The record this one beat (the best before that run); null for a first"
    )
    beaten_by_s: float | None = Field(description="How much faster than `previous`, seconds")
    this_year: EffortOut | None = Field(
        description="The best of this calendar year (UTC); null when none this year"
    )
    records_set: int = Field(
        description="How many runs set a record at this distance, this one included"
    )


class Records(BaseModel):
    """Your records, shortest distance first: only distances you have run appear."""

    year: int = Field(description="The calendar year `this_year` is about")
    records: list[RecordOut]


def _effort(effort: records.Effort) -> EffortOut:
    return EffortOut(
        run_id=effort.run_id,
        start_time=effort.start_time,
        elapsed_s=round(effort.elapsed_s, 3),
        pace_s_per_km=round(effort.pace_s_per_km, 3),
    )


@router.get("/api/records", response_model=Records)
def list_records(runner: CurrentRunner, session: ReadSession) -> Records:
    """Your best effort at each standard distance (400 m to 50 km, found anywhere inside a run)
    over your counted runs: on foot, not a second recording of an outing already stored. Each
    with the run that holds it, the record it beat, and this year's best.

    Example: curl -H "Authorization: Bearer $TOKEN" http://host/api/records
    """
    today = datetime.now(UTC).date()
    found = records.records(session, runner, today)
    return Records(
        year=today.year,
        records=[
            RecordOut(
                name=record.name,
                distance_m=record.distance_m,
                best=_effort(record.best),
                previous=None if record.previous is None else _effort(record.previous),
                beaten_by_s=None if record.beaten_by_s is None else round(record.beaten_by_s, 3),
                this_year=None if record.this_year is None else _effort(record.this_year),
                records_set=len(record.history),
            )
            for record in found
        ],
    )
