"""Routes for runs: upload files (or zip archives of them), list, read, mark, download and delete.

Every run is looked up by id and owner: another runner's run is a 404 like a missing one.
Uploads go through heroicrun.server.receiving, as the upload pages do.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Body, Query, Request, Response
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from heroicrun.play import imports, marks, runs
from heroicrun.server import receiving, run_models
from heroicrun.server.deps import CurrentRunner, ReadSession, WriteSession
from heroicrun.server.params import RunId

MEDIA_TYPES = {
    "gpx": "application/gpx+xml",
    "tcx": "application/vnd.garmin.tcx+xml",
    "fit": "application/vnd.ant.fit",
}

router = APIRouter(tags=["runs"])

NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"description": "No such run of yours"}}
# A PATCH without a body changes nothing, and answers with the run as it is.
NO_CHANGES = run_models.RunChanges()


@router.post(
    "/api/runs",
    status_code=201,
    response_model=run_models.Upload,
    responses={
        201: {"description": "At least one run stored (or already stored); see `errors` too"},
        400: {"description": "The body is not a well-formed multipart form"},
        413: {"description": "The body is larger than the server takes"},
        503: {"description": "The server is busy reading other files: retry after Retry-After"},
        422: {
            "model": run_models.Upload,
            "description": "No file in the upload, or no file could be stored",
        },
    },
)
async def upload(request: Request, runner: CurrentRunner, session: ReadSession) -> JSONResponse:
    """Store run files sent as multipart/form-data (field `files`, or `file`, once or many
    times): GPX, TCX, FIT, .gz of them, and .zip archives of them (a phone or Strava export).
    A file holding several outings (hikes days apart, a triathlon's legs) is stored as one run
    per outing: `runs` has an entry for each, with its `outing` and `outings`.

    Example: curl -H "Authorization: Bearer $TOKEN" -F files=@morning.gpx http://host/api/runs
    """
    # The session only identified the runner: let its connection go before the long part.
    await run_in_threadpool(session.close)
    form = await receiving.read_form(request)
    try:
        files = receiving.sent_files(form)
        answer = _answer(await receiving.receive(request.app, runner, files))
    finally:
        await form.close()
    if not files:
        answer.detail = "no file in the upload: send multipart/form-data with the files in 'files'"
        answer.errors.append(run_models.FileError(file="upload", error=answer.detail))
    elif not answer.runs:
        if not answer.errors:
            answer.errors.append(
                run_models.FileError(file="upload", error="no GPX, TCX or FIT file in the upload")
            )
        answer.detail = "; ".join(error.error for error in answer.errors[:3])
        if len(answer.errors) > 3:
            answer.detail += f"; and {len(answer.errors) - 3} more"
    status = 201 if answer.runs else 422
    payload = answer.model_dump(mode="json", exclude={"detail"} if answer.runs else None)
    return JSONResponse(payload, status_code=status)


def _answer(tally: imports.Tally) -> run_models.Upload:
    """What an import did, in the API's terms."""
    return run_models.Upload(
        runs=[
            run_models.UploadedRun.model_validate(
                {
                    **run_models.fields(item.recorded.run),
                    "duplicate": item.recorded.duplicate,
                    "unlocked": item.recorded.unlocked,
                    "progress": [
                        *(run_models.MissionCredit.of(credit) for credit in item.recorded.progress),
                        *(
                            run_models.MissionCredit.of_team(credit)
                            for credit in item.recorded.teams
                        ),
                    ],
                }
            )
            for item in tally.runs
        ],
        errors=[run_models.FileError(file=label, error=error) for label, error in tally.refused],
        skipped=[run_models.Skipped(file=label, reason=reason) for label, reason in tally.skipped],
        summary=run_models.UploadSummary.of(tally.summary),
    )


@router.get("/api/runs", response_model=run_models.RunPage)
def list_runs(
    runner: CurrentRunner,
    session: ReadSession,
    limit: Annotated[int, Query(ge=1, le=500, description="Runs per page")] = 50,
    offset: Annotated[int, Query(ge=0, le=2**31 - 1, description="Runs to skip")] = 0,
) -> run_models.RunPage:
    """Your runs, newest first, a page at a time, with how many you have in all."""
    page = runs.list_runs(session, runner, limit, offset)
    return run_models.RunPage(
        runs=[run_models.RunBrief.model_validate(run_models.fields(run)) for run in page.runs],
        total=page.total,
        limit=limit,
        offset=offset,
    )


@router.get("/api/runs/{run_id}", response_model=run_models.RunDetail, responses=NOT_FOUND)
def get_run(run_id: RunId, runner: CurrentRunner, session: ReadSession) -> run_models.RunDetail:
    """Everything measured in one of your runs (the fields of `heroicrun check --json`)."""
    return run_models.RunDetail.model_validate(
        run_models.fields(runs.get_run(session, runner, run_id))
    )


@router.patch(
    "/api/runs/{run_id}",
    response_model=run_models.RunDetail,
    responses={
        **NOT_FOUND,
        422: {"description": "A field unknown, a sport heroicrun lacks, or too long"},
    },
)
def change_run(
    request: Request,
    run_id: RunId,
    runner: CurrentRunner,
    session: WriteSession,
    changes: Annotated[run_models.RunChanges, Body()] = NO_CHANGES,
) -> run_models.RunDetail:
    """Change what you say of one of your runs: `{"sport": "cycling"}` when the watch called a
    ride a run, `{"sport": "running"}` the other way round, `{"sport": null}` to take the mark
    away. Your missions follow: the chapters the run earned are judged again. `{"title": "Long
    run with Maria", "notes": "Windy"}` names the run and says what it was; an empty title
    brings back the default one ("Saturday dawn run in Athens").

    Example: curl -X PATCH -H "Authorization: Bearer $TOKEN" -H "Content-Type: application/json"
    -d '{"sport": "cycling", "title": "Home by bike"}' http://host/api/runs/12
    """
    changed = marks.mark(session, request.app.state.catalog, runner, run_id, changes.changes())
    return run_models.RunDetail.model_validate(run_models.fields(changed))


@router.delete("/api/runs/{run_id}", status_code=204, responses=NOT_FOUND)
def delete_run(
    request: Request, run_id: RunId, runner: CurrentRunner, session: WriteSession
) -> Response:
    """Delete one of your runs; your missions are judged again without it."""
    runs.delete_run(session, runner, run_id, request.app.state.catalog)
    return Response(status_code=204)


@router.get(
    "/api/runs/{run_id}/original",
    response_class=Response,
    responses={
        **NOT_FOUND,
        200: {
            "description": "The file exactly as uploaded",
            "content": {"application/octet-stream": {}, **{t: {} for t in MEDIA_TYPES.values()}},
        },
    },
)
def download_original(run_id: RunId, runner: CurrentRunner, session: ReadSession) -> Response:
    """The file one of your runs came from, byte for byte, as an attachment."""
    name, data = runs.original(session, runner, run_id)
    return Response(
        content=data,
        media_type=_media_type(data),
        headers={
            "Content-Disposition": attachment(name),
            "X-Content-Type-Options": "nosniff",
        },
    )


def _media_type(data: bytes) -> str:
    """What the original is, from its bytes (the client's name may say nothing)."""
    if data.startswith(b"\x1f\x8b"):
        return "application/gzip"
    if data[8:12] == b".FIT":
        return MEDIA_TYPES["fit"]
    head = data[:4096]
    if b"<TrainingCenterDatabase" in head:
        return MEDIA_TYPES["tcx"]
    if b"<gpx" in head:
        return MEDIA_TYPES["gpx"]
    return "application/octet-stream"


def attachment(name: str) -> str:
    """A Content-Disposition header for a download (RFC 6266: an ASCII name, and the real one
    percent-encoded when it is not ASCII)."""
    plain = "".join(c if 32 <= ord(c) < 127 and c not in '"\\;' else "_" for c in name)
    value = f'attachment; filename="{plain or "run"}"'
    if plain != name:
        value += f"; filename*=UTF-8''{quote(name, safe='')}"
    return value
