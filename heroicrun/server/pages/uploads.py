"""The upload page (phone first), the share target, and the web app manifest that declares it."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, JSONResponse, RedirectResponse, Response
from markupsafe import Markup
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException

from heroicrun.db.schema import Runner
from heroicrun.missions import routes
from heroicrun.missions.loading import Catalog
from heroicrun.play import imports, missions, postcards, rewards, teams
from heroicrun.server import csrf, pages, receiving
from heroicrun.server.deps import MaybeRunner, PageRunner, ReadSession
from heroicrun.server.pages import postcards as postcard_pages
from heroicrun.server.pages import reward_maps

ACCEPT = (".gpx", ".tcx", ".fit", ".gz", ".zip", "application/gpx+xml", "application/octet-stream")
THEME = "#7a1f12"
PAPER = "#faf7f2"

router = APIRouter(include_in_schema=False)


# --- upload and share -----------------------------------------------------------------------


def _enrolled(request: Request, session: ReadSession, runner: Runner) -> bool:
    """Whether the runner's runs count for a mission: one of their own, or their club's."""
    return bool(
        missions.enrolled_missions(session, request.app.state.catalog, runner)
    ) or teams.in_a_team(session, runner)


@router.get("/upload", response_model=None)
def upload_page(request: Request, runner: PageRunner, reading: ReadSession) -> Response:
    return pages.render(
        request,
        "upload.html",
        active="upload",
        accept=",".join(ACCEPT),
        max_bytes=request.app.state.settings.max_upload_bytes,
        enrolled=_enrolled(request, reading, runner),
    )


@router.post("/upload", response_model=None)
async def upload(
    request: Request, runner: MaybeRunner, reading: ReadSession, fragment: int = 0
) -> Response:
    """The upload form's target; `?fragment=1` (upload.js) answers with the result alone."""
    if runner is None:
        if fragment:
            return pages.render(request, "_upload_result.html", 401, signed_out=True)
        return pages.to_sign_in(request)
    return await _store(request, runner, reading, "csrf", fragment=bool(fragment))


@router.post("/share", response_model=None)
async def share(request: Request, runner: MaybeRunner, reading: ReadSession) -> Response:
    """The manifest's share target: files shared from another app, stored like an upload."""
    if runner is None:  # the shared files cannot survive the trip through the sign-in page
        return RedirectResponse("/signin?next=/upload&shared=1", status_code=303)
    return await _store(request, runner, reading, "fetch-site")


@router.get("/share", response_model=None)
def share_page() -> Response:
    return RedirectResponse("/upload", status_code=303)


async def _store(
    request: Request, runner: Runner, session: ReadSession, guard: str, fragment: bool = False
) -> Response:
    """Read the multipart form, check its guard, store each file as POST /api/runs does, and
    render what happened."""
    enrolled = await run_in_threadpool(_enrolled, request, session, runner)
    await run_in_threadpool(session.close)  # as the API does: no connection held meanwhile
    template = "_upload_result.html" if fragment else "upload_result.html"
    context: dict[str, Any] = {"active": "upload", "enrolled": enrolled}
    try:
        form = await receiving.read_form(request)
    except HTTPException as refused:  # 413 past the body limit, 400 for a broken form
        problem = pages.sentence(str(refused.detail))
        return pages.render(request, template, refused.status_code, problem=problem, **context)
    try:
        if not _guarded(request, form, guard):
            return pages.render(request, template, 400, problem=pages.FORM_EXPIRED, **context)
        files = receiving.sent_files(form)
        tally = await receiving.receive(request.app, runner, files)
    finally:
        await form.close()
    if not files:
        context["problem"] = "No file came with the upload: choose one or more run files."
    elif not tally.runs and not tally.refused:
        context["problem"] = "There was no GPX, TCX or FIT file in the upload."
    view = _result(tally, request.app.state.catalog)
    view["postcards"] = await run_in_threadpool(
        _postcards, request, session, runner, view["answer"]
    )
    return pages.render(request, template, 200 if tally.runs else 422, **view, **context)


def _guarded(request: Request, form: FormData, guard: str) -> bool:
    if guard == "csrf":
        sent = form.get(csrf.FIELD)
        return csrf.form_ok(request, sent if isinstance(sent, str) else "")
    # The share sheet's POST is the browser's own navigation: Sec-Fetch-Site "none".
    return csrf.same_origin(request)


def _result(tally: imports.Tally, catalog: Catalog) -> dict[str, Any]:
    """The upload for the page: the answer (rewards by mission, runs by line) with a map of
    each journey the upload moved along."""
    answer = rewards.answer(tally, catalog)
    return {
        "answer": answer,
        "maps": {reward.mission_id: _slide(reward, catalog) for reward in answer.rewards},
        "errors": [{"file": label, "error": error} for label, error in tally.refused],
        "skipped": [{"file": label, "reason": reason} for label, reason in tally.skipped],
    }


def _postcards(
    request: Request, session: ReadSession, runner: Runner, answer: rewards.Answer
) -> dict[str, list[postcard_pages.Listed]]:
    """The postcards the upload's runs earned (a place reached, a mission finished), by mission."""
    run_ids = {
        line.item.recorded.run.id for line in answer.runs if not line.item.recorded.duplicate
    }
    mission_ids = [reward.mission_id for reward in answer.rewards]
    if not run_ids or not mission_ids:
        return {}
    found = postcards.earned_by(
        session, request.app.state.catalog, runner, mission_ids, run_ids, datetime.now(UTC)
    )
    return {mission_id: postcard_pages.listed(cards) for mission_id, cards in found.items()}


def _slide(reward: rewards.MissionReward, catalog: Catalog) -> Markup | None:
    """The stretch of the route the upload ran, the marker sliding along it."""
    mission = catalog.get(reward.mission_id)
    if mission is None or mission.route is None or not reward.moved:
        return None
    assert reward.km_before is not None and reward.km_after is not None  # moved says so
    line = routes.build(mission.route, catalog.directory)
    return reward_maps.slide_map(mission.title, line, reward.km_before, reward.km_after)


# --- the web app manifest -------------------------------------------------------------------


@router.get("/sw.js")
def service_worker() -> FileResponse:
    """The service worker, served from the root so its scope is the whole app."""
    return FileResponse(
        pages.web_directory() / "static" / "sw.js",
        media_type="text/javascript",
        headers={"Service-Worker-Allowed": "/", "Cache-Control": "no-cache"},
    )


@router.get("/manifest.webmanifest")
def manifest() -> JSONResponse:
    """What a phone needs to install heroicrun and list it in its share sheet."""
    icons = [
        {"src": f"/static/icon-{size}.png", "sizes": f"{size}x{size}", "type": "image/png"}
        for size in (192, 512)
    ]
    icons.append({"src": "/static/icon.svg", "sizes": "any", "type": "image/svg+xml"})
    body = {
        "id": "/",
        "name": "heroicrun",
        "short_name": "heroicrun",
        "description": "Your real runs, measured honestly, turned into a story.",
        "start_url": "/",
        "scope": "/",
        "display": "standalone",
        "theme_color": THEME,
        "background_color": PAPER,
        "icons": icons,
        "share_target": {
            "action": "/share",
            "method": "POST",
            "enctype": "multipart/form-data",
            "params": {"files": [{"name": "files", "accept": [*ACCEPT, "*/*"]}]},
        },
    }
    return JSONResponse(body, media_type="application/manifest+json")
