"""Refusing request bodies over the limit before anything parses or authenticates them."""

from __future__ import annotations

import html
import json

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send


class BodyLimit:
    """ASGI middleware: a declared Content-Length over the limit is a 413 at once, and a body
    that streams past the limit is cut off with a 413. Everything else passes through. The
    API is answered in JSON; a page, with a short page of its own.
    """

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None:
            try:
                too_big = int(declared) > self.max_bytes
            except ValueError:
                await _refuse(scope, send, 400, "the Content-Length header is not a number")
                return
            if too_big:
                await _refuse(scope, send, 413, self._message())
                return
        received = 0
        started = False

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    # Raised inside whatever route is reading the body, so the app's own
                    # exception handling answers 413 wherever the body is read.
                    raise HTTPException(413, self._message())
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except HTTPException as refused:  # the body was read outside any route
            if not started:
                await _refuse(scope, send, refused.status_code, str(refused.detail))

    def _message(self) -> str:
        limit = f"{self.max_bytes / 2**20:.0f} MiB"
        return f"the upload is larger than {limit}, the most this server takes"


PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Not sent · heroicrun</title><link rel="stylesheet" href="/static/heroicrun.css"></head>
<body><main id="main"><h1>Not sent</h1><p class="error" role="alert">{}</p>
<p><a href="/upload">Back to the upload page</a></p></main></body></html>
"""


async def _refuse(scope: Scope, send: Send, status: int, detail: str) -> None:
    if str(scope.get("path", "")).startswith("/api/"):
        body, kind = json.dumps({"detail": detail}).encode(), b"application/json"
    else:  # a page: a browser shows this to a person
        sentence = html.escape(detail[:1].upper() + detail[1:] + ".")
        body, kind = PAGE.format(sentence).encode(), b"text/html; charset=utf-8"
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", kind), (b"connection", b"close")],
        }
    )
    await send({"type": "http.response.body", "body": body})
