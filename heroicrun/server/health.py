"""GET /api/health: is the server up and its database reachable and current."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from sqlalchemy import text

from heroicrun import __version__
from heroicrun.db import migrate
from heroicrun.server.deps import ReadSession

router = APIRouter(tags=["health"])


@router.get("/api/health")
def health(request: Request, session: ReadSession) -> dict[str, Any]:
    """The server's version, its database backend, and whether the schema is current."""
    session.execute(text("SELECT 1"))
    engine = request.app.state.engine
    return {
        "status": "ok",
        "version": __version__,
        "database": engine.dialect.name,
        "schema_current": migrate.is_current(engine),
        "missions": len(request.app.state.catalog.missions),
    }
