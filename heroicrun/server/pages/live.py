"""The live companion: /run, where a phone records a run and hears the story as it happens."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from heroicrun.server import pages

router = APIRouter(include_in_schema=False)


@router.get("/run", response_class=HTMLResponse)
def run_live(request: Request) -> HTMLResponse:
    """The run page."""
    return pages.render(request, "run_live.html")
