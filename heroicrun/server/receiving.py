"""Receiving run files over HTTP, for the API and the upload pages alike.

The multipart body (already bounded by the body limit) is read with caps on its parts; then
each run file in it waits for a reading worker in the event loop (heroicrun.server.admission:
runners take turns, and a full queue is a 503, never a thread parked on a lock), and is read
and stored in a thread by the play layer's import use case.

A long file (a day's run recorded every second) keeps a reader busy for seconds, and a turn
cannot be taken back once given: so long files also take a turn in a lane with one place fewer
than there are readers, and however many arrive, one reader stays free for everyone's ordinary
runs.
"""

from __future__ import annotations

import threading
from contextlib import nullcontext
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile
from starlette.requests import Request

from heroicrun.db.schema import Runner
from heroicrun.play import imports
from heroicrun.play.pool import Parser
from heroicrun.reading import archives
from heroicrun.server import admission
from heroicrun.settings import Settings

MAX_FILES = 1_000  # file parts in one request
MAX_FIELDS = 20  # other form fields
MAX_FIELD_BYTES = 64 * 1024  # each of those fields
MAX_RUN_FILES = 2_000  # run files read from one request, all its archives together
ARCHIVE_FACTOR = 4  # a request's archives may unpack to this many times the body limit
MAX_WAITING = 64  # run files waiting for a reading worker, all runners together
LONG_FILE_BYTES = 8 * 2**20  # about seven hours of GPX at 1 Hz, a couple of tenths of reading
GZIP_FACTOR = 10  # what a gzipped run file unpacks to, roughly
BUSY = "was not read: the server is busy reading other files; send it again in a moment"

_parser_lock = threading.Lock()


def parser_for(app: Any) -> Parser:
    """The app's pool of reading workers, started on first use and closed with the app."""
    with _parser_lock:
        parser: Parser | None = getattr(app.state, "parser", None)
        if parser is None:
            settings: Settings = app.state.settings
            parser = Parser(settings.parse_workers, settings.parse_timeout_s)
            app.state.parser = parser
        return parser


@dataclass(frozen=True)
class Lanes:
    """The queues in front of the reading workers: one turn per worker, runners in turn; and
    for long files, one turn fewer."""

    turns: admission.FairGate
    long: admission.FairGate


def lanes(settings: Settings) -> Lanes:
    """New queues for a server's event loop."""
    workers = max(1, settings.parse_workers)
    return Lanes(
        turns=admission.FairGate(capacity=workers, max_waiting=MAX_WAITING),
        long=admission.FairGate(capacity=max(1, workers - 1), max_waiting=MAX_WAITING),
    )


def is_long(data: bytes) -> bool:
    """Whether a run file will keep a reader busy for long, judged by its (unpacked) size."""
    return len(data) * (GZIP_FACTOR if data.startswith(b"\x1f\x8b") else 1) > LONG_FILE_BYTES


async def close(app: FastAPI) -> None:
    """Stop the reading workers, if any were started."""
    parser: Parser | None = getattr(app.state, "parser", None)
    if parser is not None:
        await run_in_threadpool(parser.close)


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


async def receive(app: Any, runner: Runner, files: list[UploadFile]) -> imports.Tally:
    """Read and store each run file sent for `runner`: what was stored, refused or skipped.

    A full queue (admission.Busy) is raised before anything of this request is stored, or,
    for a later file, is that file's refusal: what was stored stays stored and is reported.
    """
    settings: Settings = app.state.settings
    limits = archives.Limits(
        max_total_bytes=settings.max_upload_bytes * ARCHIVE_FACTOR,
        max_member_bytes=settings.max_upload_bytes,
    )
    allowance = archives.Allowance(MAX_RUN_FILES)
    tally = imports.Tally()
    parser = parser_for(app)
    queues: Lanes = app.state.lanes
    for sent in files:
        label = archives.display_name(sent.filename)
        found = imports.entries(sent.file, label, limits, allowance)
        while (entry := await run_in_threadpool(next, found, None)) is not None:
            if entry.data is None:
                imports.record(app.state.writers, runner, entry, parser, None, tally)
                continue
            long = queues.long.turn(runner.id) if is_long(entry.data) else nullcontext()
            try:
                async with long, queues.turns.turn(runner.id):
                    await run_in_threadpool(
                        imports.record,
                        app.state.writers,
                        runner,
                        entry,
                        parser,
                        app.state.catalog,
                        tally,
                    )
            except admission.Busy:
                if not tally.runs and not tally.refused:
                    raise
                tally.refused.append((entry.label, f"{entry.label}: {BUSY}"))
    return tally
