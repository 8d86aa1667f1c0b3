"""The live companion: /run, where a phone records a run and hears the story as it happens.

The page carries the plans of every mission the runner is in, so that it works offline once
loaded; the finished run goes up through POST /api/runs like any upload."""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import UTC, datetime

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from markupsafe import Markup

from heroicrun.missions.companion import Plan
from heroicrun.play import live
from heroicrun.server import pages
from heroicrun.server.deps import PageRunner, ReadSession

router = APIRouter(include_in_schema=False)


@router.get("/run", response_class=HTMLResponse)
def run_live(request: Request, runner: PageRunner, reading: ReadSession) -> HTMLResponse:
    """The run page, with the runner's plans."""
    catalog = request.app.state.catalog
    found = live.plans(reading, catalog, runner, datetime.now(UTC))
    return pages.render(request, "run_live.html", active="run", plans_json=script_json(found))


def script_json(plans: list[Plan]) -> Markup:
    """The plans as JSON that can sit inside a <script type="application/json"> element: a
    "</script>" or "<!--" in a story's text cannot end it early."""
    text = json.dumps([asdict(plan) for plan in plans], ensure_ascii=False, separators=(",", ":"))
    escaped = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return Markup(escaped)
