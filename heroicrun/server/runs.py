"""Routes for runs: upload files (or zip archives of them), list, read, download and delete.

Every run is looked up by id and owner: another runner's run is a 404 like a missing one. The
upload route reads the multipart body (already bounded by the body limit), then hands each file
to a thread that unpacks it, has the worker pool read it and stores it in a transaction of its
own, so one bad file costs only its own line in the answer.
"""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import IO, Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, FastAPI, Path, Query, Request, Response
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile

from heroicrun.db.schema import Runner
from heroicrun.play import PlayError, runs, uploads
from heroicrun.play.parsing import Parser
from heroicrun.server import run_models
from heroicrun.server.deps import CurrentRunner, ReadSession, WriteSession
from heroicrun.settings import Settings

MAX_FILES = 1_000  # file parts in one request
MAX_FIELDS = 20  # other form fields
MAX_FIELD_BYTES = 64 * 1024  # each of those fields
ARCHIVE_FACTOR = 4  # an archive may unpack to this many times the body limit, all members
RUN_ID = Annotated[int, Path(ge=1, le=2**31 - 1, description="The run's id")]
MEDIA_TYPES = {
    "gpx": "application/gpx+xml",
    "tcx": "application/vnd.garmin.tcx+xml",
    "fit": "application/vnd.ant.fit",
}

_parser_lock = threading.Lock()


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    yield
    parser: Parser | None = getattr(app.state, "parser", None)
    if parser is not None:
        await run_in_threadpool(parser.close)


router = APIRouter(tags=["runs"], lifespan=_lifespan)


def parser_for(app: Any) -> Parser:
    """The app's pool of reading workers, started on first use and closed with the app."""
    with _parser_lock:
        parser: Parser | None = getattr(app.state, "parser", None)
        if parser is None:
            settings: Settings = app.state.settings
            parser = Parser(settings.parse_workers, settings.parse_timeout_s)
            app.state.parser = parser
        return parser


NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"description": "No such run of yours"}}


@router.post(
    "/api/runs",
    status_code=201,
    response_model=run_models.Upload,
    responses={
        201: {"description": "At least one run stored (or already stored); see `errors` too"},
        400: {"description": "The body is not a well-formed multipart form"},
        413: {"description": "The body is larger than the server takes"},
        422: {
            "model": run_models.Upload,
            "description": "No file in the upload, or no file could be stored",
        },
    },
)
async def upload(request: Request, runner: CurrentRunner, session: ReadSession) -> JSONResponse:
    """Store run files sent as multipart/form-data (field `files`, or `file`, once or many
    times): GPX, TCX, FIT, .gz of them, and .zip archives of them (a phone or Strava export).

    Example: curl -H "Authorization: Bearer $TOKEN" -F files=@morning.gpx http://host/api/runs
    """
    # The session only identified the runner: let its connection go before the long part.
    await run_in_threadpool(session.close)
    form = await read_form(request)
    try:
        files = sent_files(form)
        answer = await receive(request.app, runner, files)
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


async def read_form(request: Request) -> FormData:
    """The multipart form within this server's limits; a body streaming past the size limit
    raises a 413 from inside (bodylimit)."""
    return await request.form(
        max_files=MAX_FILES, max_fields=MAX_FIELDS, max_part_size=MAX_FIELD_BYTES
    )


def sent_files(form: FormData) -> list[UploadFile]:
    """The files of a form, whatever their field names; an empty file input is no file."""
    files = [value for _, value in form.multi_items() if isinstance(value, UploadFile)]
    return [sent for sent in files if sent.filename or sent.size]


async def receive(app: Any, runner: Runner, files: list[UploadFile]) -> run_models.Upload:
    """Store each file for `runner`, one after another: what was stored, refused or skipped."""
    answer = run_models.Upload(runs=[], errors=[], skipped=[])
    for sent in files:
        await run_in_threadpool(_receive, app, runner, sent.file, sent.filename, answer)
    return answer


def _receive(
    app: Any, runner: Runner, file: IO[bytes], file_name: str | None, answer: run_models.Upload
) -> None:
    """Unpack, read and store one uploaded file, adding what happened to `answer`."""
    settings: Settings = app.state.settings
    limits = uploads.Limits(
        max_total_bytes=settings.max_upload_bytes * ARCHIVE_FACTOR,
        max_member_bytes=settings.max_upload_bytes,
    )
    parser = parser_for(app)
    for entry in uploads.unpack(file, uploads.display_name(file_name), limits):
        if entry.skipped is not None:
            answer.skipped.append(run_models.Skipped(file=entry.label, reason=entry.skipped))
            continue
        if entry.data is None:
            error = entry.error or f"{entry.label}: could not be read"
            answer.errors.append(run_models.FileError(file=entry.label, error=error))
            continue
        try:
            with app.state.writers() as session:
                recorded = runs.record(
                    session, runner, entry.name, entry.data, parser, app.state.catalog
                )
        except PlayError as refused:
            answer.errors.append(run_models.FileError(file=entry.label, error=str(refused)))
            continue
        answer.runs.append(
            run_models.UploadedRun.model_validate(
                {
                    **run_models.fields(recorded.run),
                    "duplicate": recorded.duplicate,
                    "unlocked": recorded.unlocked,
                }
            )
        )


@router.get("/api/runs", response_model=run_models.RunPage)
def list_runs(
    runner: CurrentRunner,
    session: ReadSession,
    limit: Annotated[int, Query(ge=1, le=500, description="Runs per page")] = 50,
    offset: Annotated[int, Query(ge=0, le=2**31 - 1, description="Runs to skip")] = 0,
) -> dict[str, Any]:
    """Your runs, newest first, a page at a time, with how many you have in all."""
    page = runs.list_runs(session, runner, limit, offset)
    return {
        "runs": [run_models.fields(run) for run in page.runs],
        "total": page.total,
        "limit": limit,
        "offset": offset,
    }


@router.get("/api/runs/{run_id}", response_model=run_models.RunDetail, responses=NOT_FOUND)
def get_run(run_id: RUN_ID, runner: CurrentRunner, session: ReadSession) -> dict[str, Any]:
    """Everything measured in one of your runs (the fields of `heroicrun check --json`)."""
    return run_models.fields(runs.get_run(session, runner, run_id))


@router.delete("/api/runs/{run_id}", status_code=204, responses=NOT_FOUND)
def delete_run(run_id: RUN_ID, runner: CurrentRunner, session: WriteSession) -> Response:
    """Delete one of your runs; your mission progress no longer counts it."""
    runs.delete_run(session, runner, run_id)
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
def download_original(run_id: RUN_ID, runner: CurrentRunner, session: ReadSession) -> Response:
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
