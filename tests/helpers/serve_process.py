"""`heroicrun serve` as a process of its own: started on a free port in a process group of its
own, awaited until /api/health answers (over TLS, checked against the authority it made, for
`--https`), and killed with its workers."""

from __future__ import annotations

import os
import signal
import ssl
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

import httpx

from tests.browser_helpers import free_port

REPOSITORY = Path(__file__).resolve().parents[2]
START_S = 60.0


@dataclass(frozen=True)
class Running:
    """A `serve` process, its port and log, and its first /api/health answer."""

    process: subprocess.Popen[bytes]
    port: int
    log: Path
    health: dict[str, object]


def environment(database_url: str, **extra: str) -> dict[str, str]:
    """The test's environment without a developer's HEROICRUN_* settings, plus `extra`."""
    kept = {k: v for k, v in os.environ.items() if not k.startswith("HEROICRUN_")}
    return {**kept, "HEROICRUN_DATABASE_URL": database_url, **extra}


@contextmanager
def started(
    env: dict[str, str], log: Path, *args: str, authority: Path | None = None
) -> Iterator[Running]:
    """`heroicrun serve ARGS` until it answers; over https, checked against `authority` (the
    file `serve --https` makes) once it exists."""
    port = free_port()
    command = [sys.executable, "-m", "heroicrun", "serve", "--port", str(port), *args]
    with log.open("wb") as output:
        process = subprocess.Popen(
            command,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            cwd=REPOSITORY,
            start_new_session=True,
        )
    try:
        yield Running(process, port, log, _health(process, port, log, authority))
    finally:
        with suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()


@dataclass(frozen=True)
class Secure:
    """A `serve --https` and the authority it made."""

    port: int
    authority: Path
    log: Path
    health: dict[str, object]


@contextmanager
def serving_https(folder: Path, *options: str) -> Iterator[Secure]:
    """`serve --https OPTIONS` with its database, data folder and certificates under `folder`."""
    env = environment(f"sqlite:///{folder / 'heroicrun.db'}", XDG_DATA_HOME=str(folder / "data"))
    authority = folder / "data" / "heroicrun" / "tls" / "ca.crt"
    log = folder / "serve.log"
    with started(env, log, "--https", *options, authority=authority) as running:
        yield Secure(running.port, authority, log, running.health)


def _health(
    process: subprocess.Popen[bytes], port: int, log: Path, authority: Path | None
) -> dict[str, object]:
    deadline = time.monotonic() + START_S
    while True:
        if process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"heroicrun serve did not start:\n{log.read_text()}")
        answer = _asked(port, authority)
        if answer is not None:
            return answer
        time.sleep(0.2)


def _asked(port: int, authority: Path | None) -> dict[str, object] | None:
    """/api/health's answer, or None while it does not answer (over https: until the authority
    is made and the server answers with a certificate it signed)."""
    verify: ssl.SSLContext | bool
    if authority is None:
        url, verify = f"http://127.0.0.1:{port}/api/health", True
    elif authority.exists():
        url = f"https://localhost:{port}/api/health"
        verify = ssl.create_default_context(cafile=str(authority))
    else:
        return None
    with suppress(httpx.TransportError):
        answer = httpx.get(url, verify=verify, timeout=5)
        if answer.is_success:
            found: dict[str, object] = answer.json()
            return found
    return None
