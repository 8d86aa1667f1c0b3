"""The records page at /records: the runner's best at each standard distance, the record it
beat, and this year's best."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter, Request
from fastapi.responses import Response

from heroicrun.play import history, records
from heroicrun.server.deps import PageRunner, ReadSession
from heroicrun.server.pages import render

router = APIRouter(include_in_schema=False)


@router.get("/records")
def records_page(request: Request, runner: PageRunner, session: ReadSession) -> Response:
    """A card per distance: the record, its run and date, the record it beat, this year's."""
    today = datetime.now(UTC).date()
    found = records.kept(session, runner, today)
    shown = {
        effort.run_id
        for record in found
        for effort in (record.best, record.previous, record.this_year)
        if effort is not None
    }
    return render(
        request,
        "records.html",
        active="runs",
        records=found,
        titles=history.titles(session, runner, shown),
        year=today.year,
    )
