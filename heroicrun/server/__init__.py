"""The FastAPI application: `create_app(settings)` builds one, with its own database engine."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from starlette.middleware.gzip import GZipMiddleware

from heroicrun import __version__
from heroicrun.db import engine as db_engine
from heroicrun.db import migrate
from heroicrun.missions import catalog
from heroicrun.server import (
    accounts,
    bodylimit,
    clubs,
    errors,
    headers,
    health,
    missions,
    pages,
    receiving,
    records,
    runs,
    teams,
)
from heroicrun.server.pages import account as account_pages
from heroicrun.server.pages import clubs as club_pages
from heroicrun.server.pages import live as live_pages
from heroicrun.server.pages import missions as mission_pages
from heroicrun.server.pages import postcards as postcard_pages
from heroicrun.server.pages import records as record_pages
from heroicrun.server.pages import run_list
from heroicrun.server.pages import runs as run_pages
from heroicrun.server.pages import trust as trust_pages
from heroicrun.server.pages import uploads as upload_pages
from heroicrun.settings import Settings


def create_app(settings: Settings) -> FastAPI:
    """An application over the database in `settings`, migrated to the current schema."""
    engine = db_engine.connect(settings.database_url)
    migrate.upgrade(engine)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.lanes = receiving.lanes(settings)  # fresh ones for the loop that serves
        # What start-up built (catalog, models, imports) lives as long as the process: moving it
        # out of the collector's sight keeps full collections, which would otherwise walk 130,000
        # objects for ~55 ms in the middle of a request, short.
        gc.collect()
        gc.freeze()
        try:
            yield
        finally:
            await receiving.close(app)
            engine.dispose()

    # The interactive docs at /docs and /redoc would load their scripts from a CDN: the pages
    # load nothing from elsewhere, so only the OpenAPI document itself is served.
    app = FastAPI(
        title="heroicrun",
        version=__version__,
        summary="Your real runs, measured honestly, turned into a story.",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.readers = db_engine.readers(engine)
    app.state.writers = db_engine.writers(engine)
    app.state.lanes = receiving.lanes(settings)
    # Requests use the catalog in hand; an edited missions folder is checked again, route lines
    # and all, in a background thread and swapped in when ready.
    app.state.catalog = catalog.watched(settings.missions_dir or catalog.directory(), app.state)
    errors.install(app)
    for module in (
        health,
        accounts,
        runs,
        records,
        missions,
        account_pages,
        upload_pages,
        mission_pages,
        postcard_pages,
        run_pages,
        run_list,
        record_pages,
        clubs,
        teams,
        club_pages,
        live_pages,
        trust_pages,
    ):
        app.include_router(module.router)
    app.mount("/static", pages.static_files(), name="static")
    # Added last, so outermost: an oversized body is refused before anything reads or
    # authenticates it, and every answer, refusals included, carries the security headers.
    # Pages, JSON and SVG go out gzip-compressed to a client that accepts it (a run page is
    # a third of its size); form tokens are masked per page (csrf.form_token) for that. At
    # level 1: a 73 KB page compresses in a third of level 6's time, 14 % larger.
    app.add_middleware(GZipMiddleware, minimum_size=1024, compresslevel=1)
    app.add_middleware(bodylimit.BodyLimit, max_bytes=settings.max_upload_bytes)
    app.add_middleware(headers.SecurityHeaders)
    return app
