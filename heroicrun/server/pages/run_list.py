"""The runs list at /runs: the runner's runs, newest first, a page at a time."""

from __future__ import annotations

import math

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from heroicrun.play import runs as play_runs
from heroicrun.play import totals
from heroicrun.server.deps import PageRunner, ReadSession
from heroicrun.server.pages import render
from heroicrun.server.params import Page

router = APIRouter(include_in_schema=False)

RUNS_PER_PAGE = 25


@router.get("/runs")
def runs_page(
    request: Request, runner: PageRunner, session: ReadSession, page: Page = 1
) -> Response:
    """The runner's runs, newest first, a page at a time, with totals per week and month."""
    found = play_runs.list_runs(session, runner, RUNS_PER_PAGE, (page - 1) * RUNS_PER_PAGE)
    last = max(1, math.ceil(found.total / RUNS_PER_PAGE))
    if page > last:  # past the end (a bookmark, or runs deleted since): the last page instead
        return RedirectResponse(f"/runs?page={last}", status_code=303)
    starts = [run.summary.start_time for run in found.runs if run.summary.start_time]
    weeks, months = totals.period_totals(session, runner, starts)
    return render(
        request,
        "runs.html",
        active="runs",
        runs=found.runs,
        total=found.total,
        page=page,
        pages=last,
        weeks=weeks,
        months=months,
    )
