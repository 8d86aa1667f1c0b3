"""The runs list at /runs: the runner's runs, newest first, a page at a time, filtered by sport
and year, with a calendar of the year and totals by week, month and year over all runs."""

from __future__ import annotations

import math
from datetime import UTC, datetime
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse, Response

from heroicrun.play import history, totals
from heroicrun.server.deps import PageRunner, ReadSession
from heroicrun.server.pages import heatmap, render
from heroicrun.server.params import Page

router = APIRouter(include_in_schema=False)

RUNS_PER_PAGE = 25
AROUND = 2  # page links either side of the current one

# A GET form sends its empty choices as empty strings: "" is "all".
SportChoice = Annotated[str, Query(max_length=32, pattern=r"^[a-z_]*$")]
YearChoice = Annotated[str, Query(pattern=r"^(\d{4})?$")]
MonthChoice = Annotated[str, Query(pattern=r"^(\d{4}-(0[1-9]|1[0-2]))?$")]


def runs_url(chosen: history.Filter, page: int = 1) -> str:
    """The list's address for a filter and a page (page 1 and "all" left out)."""
    query = {
        "sport": chosen.sport or "",
        "year": "" if chosen.year is None else str(chosen.year),
        "page": "" if page == 1 else str(page),
    }
    shown = urlencode({key: value for key, value in query.items() if value})
    return f"/runs?{shown}" if shown else "/runs"


def page_numbers(page: int, pages: int) -> list[int]:
    """The pages to link by number: the first, the last, and AROUND either side of `page`."""
    near = range(max(1, page - AROUND), min(pages, page + AROUND) + 1)
    return sorted({1, pages, *near})


@router.get("/runs")
def runs_page(
    request: Request,
    runner: PageRunner,
    session: ReadSession,
    page: Page = 1,
    sport: SportChoice = "",
    year: YearChoice = "",
    month: MonthChoice = "",
) -> Response:
    """The runner's runs, newest first, a page at a time; `?month=2026-05` goes to the page
    holding that month."""
    chosen = history.Filter(sport or None, int(year) if year else None)
    today = datetime.now(UTC).date()
    log, calendar = totals.kept(session, runner, chosen.year or today.year, today)
    found = history.overview(log, chosen)
    last = max(1, math.ceil(found.total / RUNS_PER_PAGE))
    if month:
        wanted_year, wanted_month = (int(part) for part in month.split("-"))
        landing = found.page_of(wanted_year, wanted_month, RUNS_PER_PAGE)
        return RedirectResponse(f"{runs_url(chosen, min(landing, last))}#m{month}", status_code=303)
    if page > last:  # past the end (a bookmark, or runs deleted since): the last page instead
        return RedirectResponse(runs_url(chosen, last), status_code=303)
    rows = history.kept_page(session, runner, chosen, RUNS_PER_PAGE, (page - 1) * RUNS_PER_PAGE)
    shown_year = chosen.year or (
        today.year if not found.years or today.year in found.years else found.years[0]
    )
    if shown_year != calendar.year:  # no run this year: the latest year with runs instead
        _, calendar = totals.kept(session, runner, shown_year, today)
    return render(
        request,
        "runs.html",
        active="runs",
        rows=rows,
        total=found.total,
        overview=found,
        chosen=chosen,
        page=page,
        pages=last,
        numbers=page_numbers(page, last),
        url=lambda number: runs_url(chosen, number),
        month_anchors=_month_anchors(rows),
        calendar=calendar,
        heatmap=heatmap.year_svg(calendar),
        legend=heatmap.legend(),
        undeclared=history.UNDECLARED,
    )


def _month_anchors(rows: list[history.Row]) -> dict[int, str]:
    """The first row of each month on the page, by run id: where `#m2026-05` lands."""
    anchors: dict[int, str] = {}
    seen: set[str] = set()
    for row in rows:
        if row.start_time is None:
            continue
        key = f"{row.start_time:%Y-%m}"
        if key not in seen:
            seen.add(key)
            anchors[row.id] = f"m{key}"
    return anchors
