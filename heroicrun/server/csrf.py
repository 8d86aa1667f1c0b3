"""Telling this site's own requests from other sites' (cross-site request forgery).

A browser sends heroicrun's session cookie with any request to this host, including one that a
page elsewhere makes it send: SameSite=Lax stops other sites' POSTs, but not a page on another
port or subdomain of the same site. So a request that changes something and authenticates by
cookie must show it comes from heroicrun's own pages:
- every request: the browser's Sec-Fetch-Site header (which no page can forge) says
  "same-origin" or "none" (typed by the user, or the phone's share sheet); a browser too old to
  send it sends Origin, which must be this host; a client that sends neither is no browser
  acting for another site;
- page forms also carry a token (`form_token`): an HMAC keyed by this browser's secret cookie,
  which another site can neither read nor compute.
A request with an API token (Authorization: Bearer) needs neither: no browser adds that header
by itself.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import Annotated
from urllib.parse import urlsplit

from fastapi import Form, Request

SESSION_COOKIE = "heroicrun_session"
CSRF_COOKIE = "heroicrun_csrf"  # keys the form token before there is a session
FIELD = "csrf"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

FormToken = Annotated[str, Form(alias=FIELD, max_length=200)]  # a page form's token field


def bearer_secret(request: Request) -> str | None:
    """The API token in the Authorization header, or None; a header whose token is blank (say,
    "Bearer " and a no-break space) is no token at all."""
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    # Headers arrive as Latin-1; a client that wrote UTF-8 (a no-break space) is read as it meant.
    secret = value.encode("latin-1").decode("utf-8", "replace").strip()
    if scheme.lower() != "bearer" or not secret or not (secret.isascii() and secret.isprintable()):
        return None
    return secret


def same_origin(request: Request) -> bool:
    """Whether the browser says the request comes from one of this site's pages (or from no
    page at all), or the client is no browser."""
    site = request.headers.get("sec-fetch-site")
    if site is not None:
        return site in ("same-origin", "none")
    origin = request.headers.get("origin")
    if origin is None:
        return True
    host = request.headers.get("host", "")
    return origin != "null" and urlsplit(origin).netloc.lower() == host.lower()


def same_origin_or_safe(request: Request) -> bool:
    """Whether a cookie-authenticated request may go ahead: it only reads, or it is our own."""
    return request.method in SAFE_METHODS or same_origin(request)


def form_token(request: Request) -> str:
    """The hidden field every page form carries: HMAC-SHA256 of a fixed label, keyed by this
    browser's secret cookie (the session's, or before sign-in a random `heroicrun_csrf` one,
    minted here and set by `render`), masked afresh for each page. Nothing is stored.

    Pages are gzip-compressed and some show what a runner sent (a file's name): a secret that
    read the same on every page could be guessed from compressed sizes (BREACH), so each page
    carries it XORed with a random pad, the pad in front."""
    pad = secrets.token_bytes(32)
    masked = bytes(a ^ b for a, b in zip(pad, _unmasked(request), strict=True))
    return (pad + masked).hex()


def _unmasked(request: Request) -> bytes:
    key = request.cookies.get(SESSION_COOKIE) or request.cookies.get(CSRF_COOKIE)
    if key is None:  # a first visit: the page that shows the form sets the cookie
        key = getattr(request.state, "csrf_nonce", None)
        if key is None:
            key = request.state.csrf_nonce = secrets.token_urlsafe(32)
    return hmac.new(key.encode(), b"heroicrun form", hashlib.sha256).digest()


def _unmask(sent: str) -> bytes | None:
    """The token a page's masked field carries; None when it is not one."""
    try:
        raw = bytes.fromhex(sent)
    except ValueError:
        return None
    if len(raw) != 64:
        return None
    return bytes(a ^ b for a, b in zip(raw[:32], raw[32:], strict=True))


def form_ok(request: Request, sent: str) -> bool:
    """Whether a posted form carried this browser's token and came from this site (a request
    with an API token needs neither)."""
    if bearer_secret(request) is not None:
        return True
    has_key = SESSION_COOKIE in request.cookies or CSRF_COOKIE in request.cookies
    token = _unmask(sent)
    return (
        has_key
        and token is not None
        and same_origin(request)
        and hmac.compare_digest(token, _unmasked(request))
    )
