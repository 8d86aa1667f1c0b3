"""The web pages: server-rendered HTML, one template per page, maps and charts drawn as SVG here.

Nothing is fetched from elsewhere: the pages work on a home network with no internet.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from jinja2 import Environment, FileSystemLoader, select_autoescape

from heroicrun import __version__
from heroicrun.server.pages import formats


def web_directory() -> Path:
    """Where the templates and static files are (the repository's `web/` in an editable install)."""
    return Path(str(resources.files("heroicrun.web")))


templates = Environment(
    loader=FileSystemLoader(web_directory() / "templates"),
    autoescape=select_autoescape(["html", "svg", "xml"], default=True),
    trim_blocks=True,
    lstrip_blocks=True,
)
templates.filters.update(formats.FILTERS)


def render(request: Request, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    """A page from its template; `runner` and `version` are always there, and for a signed-in
    runner `csrf_field`, the hidden input every POST form carries."""
    context.setdefault("runner", getattr(request.state, "runner", None))
    if context["runner"] is not None and "csrf_field" not in context:
        from heroicrun.server.pages import account  # the module that owns the token

        context["csrf_field"] = account.csrf_field(request)  # the nav's sign-out form needs it
    html = templates.get_template(template).render(request=request, version=__version__, **context)
    return HTMLResponse(html, status_code=status_code)


def to_sign_in(request: Request) -> RedirectResponse:
    """Off to the sign-in page, coming back here afterwards."""
    return RedirectResponse(f"/signin?next={request.url.path}", status_code=303)


def static_files() -> StaticFiles:
    return StaticFiles(directory=web_directory() / "static")


router = APIRouter(include_in_schema=False)
