"""The application as `heroicrun serve` starts it: one per worker, from the environment."""

from __future__ import annotations

from fastapi import FastAPI

from heroicrun import settings
from heroicrun.server import create_app, serving


def app_from_environment() -> FastAPI:
    """An application configured from HEROICRUN_* variables (uvicorn calls this in each worker)."""
    serving.end_with_supervisor()
    return create_app(settings.from_environment())
