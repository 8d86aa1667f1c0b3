"""How `heroicrun serve` holds up on a network: a deadline and a size cap for every request head,
connections counted against the limit only once they have sent one, as many open files as the
system allows, and workers that end with their supervisor."""

from __future__ import annotations

import asyncio
import ctypes
import multiprocessing
import os
import signal
import sys
import threading
import time
from multiprocessing.process import BaseProcess
from typing import Any

from uvicorn.config import Config
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
from uvicorn.server import ServerState

HEADER_TIMEOUT_VARIABLE = "HEROICRUN_HEADER_TIMEOUT_S"
DEFAULT_HEADER_TIMEOUT_S = 10.0
MAX_HEAD_BYTES = 64 * 1024  # request line and headers; browsers send a few KiB at most
GRACEFUL_SHUTDOWN_S = 30  # requests still running when a worker is told to stop get this long
PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>


def header_timeout_s() -> float:
    """Seconds a client has to send a whole request head (from HEROICRUN_HEADER_TIMEOUT_S)."""
    return float(os.environ.get(HEADER_TIMEOUT_VARIABLE, DEFAULT_HEADER_TIMEOUT_S))


def _refusal(status: int, reason: str, message: str) -> bytes:
    body = message.encode()
    return (
        f"HTTP/1.1 {status} {reason}\r\ncontent-type: text/plain; charset=utf-8\r\n"
        f"content-length: {len(body)}\r\nconnection: close\r\n\r\n"
    ).encode() + body


TOO_SLOW = _refusal(408, "Request Timeout", "The request headers took too long to arrive.")
TOO_LARGE = _refusal(431, "Request Header Fields Too Large", "The request headers are too large.")


class HeadDeadlineProtocol(HttpToolsProtocol):
    """uvicorn's HTTP/1.1 protocol, closing connections whose request head is late or too large.

    uvicorn waits forever for the head of a first request (its keep-alive timeout starts only
    after a response), so a client sending a header byte every few seconds holds a socket, and
    a file descriptor, for as long as it likes. Here the head must arrive whole within
    `header_timeout_s()` of the connection opening, or of its first byte after a response.
    Until then the connection does not count towards `limit_concurrency`: slow sockets cannot
    crowd out requests that have arrived.
    """

    def __init__(
        self,
        config: Config,
        server_state: ServerState,
        app_state: dict[str, Any],
        _loop: asyncio.AbstractEventLoop | None = None,
    ) -> None:
        super().__init__(config, server_state, app_state, _loop)
        self.header_timeout_s = header_timeout_s()
        self._head_clock: asyncio.TimerHandle | None = None
        self._head_bytes = 0
        self._in_body = False  # between a request's head and its end

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self.connections.discard(self)  # counted once its head has arrived
        self._start_head_clock()

    def connection_lost(self, exc: Exception | None) -> None:
        self._stop_head_clock()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        answered = self.cycle is None or self.cycle.response_complete
        if answered and not self._in_body and self._head_clock is None:
            self._start_head_clock()  # even bare line breaks, which keep uvicorn's idle timer off
        super().data_received(data)
        if self._head_clock is not None and not self.transport.is_closing():
            self._head_bytes += len(data)
            if self._head_bytes > MAX_HEAD_BYTES:
                self._refuse(TOO_LARGE)

    def on_headers_complete(self) -> None:
        self._stop_head_clock()
        self._in_body = True
        self.connections.add(self)
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        self._in_body = False
        super().on_message_complete()

    def _start_head_clock(self) -> None:
        self._head_bytes = 0
        self._head_clock = self.loop.call_later(self.header_timeout_s, self._head_too_slow)

    def _stop_head_clock(self) -> None:
        if self._head_clock is not None:
            self._head_clock.cancel()
            self._head_clock = None
        self._head_bytes = 0

    def _head_too_slow(self) -> None:
        self._head_clock = None
        if self._head_bytes:
            self._refuse(TOO_SLOW)
        else:
            self.transport.close()  # a connection that said nothing gets nothing

    def _refuse(self, response: bytes) -> None:
        self._stop_head_clock()
        if not self.transport.is_closing():
            self.transport.write(response)
            self.transport.close()


def raise_open_file_limit() -> int | None:
    """Raise this process's soft limit on open files to its hard limit; the limit now in force
    (None where the system has no such limit to read)."""
    try:
        import resource
    except ImportError:  # Windows
        return None
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    # An unlimited hard limit is not a value the soft limit may take (Linux caps it at
    # fs.nr_open, macOS at OPEN_MAX): try large, then smaller.
    wanted = [hard] if hard != resource.RLIM_INFINITY else [1_048_576, 65_536, 10_240]
    for target in wanted:
        if target <= soft:
            break
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
        except (ValueError, OSError):
            continue
        break
    return int(resource.getrlimit(resource.RLIMIT_NOFILE)[0])


def end_with_supervisor() -> None:
    """In a worker of `heroicrun serve --workers N`: stop when the supervisor dies, kill -9
    included (a no-op in a server of one process)."""
    supervisor = multiprocessing.parent_process()
    if supervisor is None:
        return
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
        except (OSError, AttributeError):
            pass  # the watcher below still notices
    threading.Thread(
        target=_stop_when_gone, args=(supervisor,), name="watch-supervisor", daemon=True
    ).start()


def _stop_when_gone(supervisor: BaseProcess) -> None:
    # The supervisor's end of the pipe it started this worker with closes when it dies, however
    # it dies; this also covers a supervisor that died before prctl above was called.
    supervisor.join()
    os.kill(os.getpid(), signal.SIGTERM)  # uvicorn's graceful shutdown closes the reading pool
    time.sleep(GRACEFUL_SHUTDOWN_S + 5)
    os._exit(1)
