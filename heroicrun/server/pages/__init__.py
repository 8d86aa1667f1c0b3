"""The web pages: server-rendered HTML, one template per page, maps and charts drawn as SVG here.

Nothing is fetched from elsewhere: the pages work on a home network with no internet. A page
handler gets its runner from a dependency (`PageRunner` sends the browser to sign in), calls
the play layer, and answers with `render`.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from heroicrun import __version__
from heroicrun.server import csrf
from heroicrun.server.pages import formats

FORM_EXPIRED = "This form has expired (you signed in or out elsewhere): please try again."


def web_directory() -> Path:
    """Where the templates and static files are (the repository's `web/` in an editable install)."""
    return Path(str(resources.files("heroicrun.web")))


templates = Environment(
    loader=FileSystemLoader(web_directory() / "templates"),
    autoescape=select_autoescape(["html", "svg", "xml"], default=True),
    trim_blocks=True,
    lstrip_blocks=True,
    # Templates ship with the package and change only with it: no stat of every template and
    # include on every page.
    auto_reload=False,
)
templates.filters.update(formats.FILTERS)
templates.globals.update(formats.HELPERS)


def csrf_field(request: Request) -> Markup:
    """The hidden input every POST form carries (see heroicrun.server.csrf)."""
    return Markup('<input type="hidden" name="{}" value="{}">').format(
        csrf.FIELD, csrf.form_token(request)
    )


def render(request: Request, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    """A page from its template. Every page gets `runner` (the signed-in runner or None),
    `version`, `csrf_field` for its forms, and `notice` when a form came back expired; a first
    visit gets the cookie that keys its form token."""
    context.setdefault("runner", getattr(request.state, "runner", None))
    context.setdefault("csrf_field", csrf_field(request))
    if request.query_params.get("form") == "expired":
        context.setdefault("notice", FORM_EXPIRED)
    html = templates.get_template(template).render(request=request, version=__version__, **context)
    response = HTMLResponse(html, status_code=status_code)
    nonce = getattr(request.state, "csrf_nonce", None)
    if nonce is not None:
        secure = request.url.scheme == "https"
        response.set_cookie(csrf.CSRF_COOKIE, nonce, httponly=True, samesite="lax", secure=secure)
    return response


def sentence(message: str) -> str:
    """A play-layer message ("the password must …") as a sentence for a page."""
    message = message.strip()
    return message[:1].upper() + message[1:] + ("" if message.endswith((".", "!", "?")) else ".")


def to_sign_in(request: Request) -> RedirectResponse:
    """Off to the sign-in page, coming back here afterwards."""
    return RedirectResponse(f"/signin?next={quote(request.url.path)}", status_code=303)


def static_files() -> StaticFiles:
    return StaticFiles(directory=web_directory() / "static")


router = APIRouter(include_in_schema=False)
