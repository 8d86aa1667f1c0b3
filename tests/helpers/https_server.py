"""`heroicrun serve --https` as a process of its own, in a folder of the test's own: started,
awaited until it answers over TLS (checked against the authority it made), and stopped."""

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

REPOSITORY = Path(__file__).resolve().parents[2]
START_S = 60.0


@dataclass(frozen=True)
class Running:
    """The server's port, the authority it made, its log, and its first /api/health answer."""

    port: int
    authority: Path
    log: Path
    health: dict[str, object]


@contextmanager
def serving_https(folder: Path, port: int, *options: str) -> Iterator[Running]:
    """`serve --https --port PORT OPTIONS` with its data (and certificates) under `folder`."""
    kept = {k: v for k, v in os.environ.items() if not k.startswith("HEROICRUN_")}
    environment = {**kept, "XDG_DATA_HOME": str(folder / "data")}
    command = [sys.executable, "-m", "heroicrun", "serve", "--https", "--port", str(port)]
    command += [*options, "--database-url", f"sqlite:///{folder / 'heroicrun.db'}"]
    authority = folder / "data" / "heroicrun" / "tls" / "ca.crt"
    log = folder / "serve.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            command,
            env=environment,
            stdout=output,
            stderr=subprocess.STDOUT,
            cwd=REPOSITORY,
            start_new_session=True,
        )
    try:
        yield Running(port, authority, log, _health(process, port, authority, log))
    finally:
        with suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)


def _health(
    process: subprocess.Popen[bytes], port: int, authority: Path, log: Path
) -> dict[str, object]:
    """/api/health once the server answers, verified against the authority it made."""
    deadline = time.monotonic() + START_S
    while True:
        if process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"heroicrun serve --https did not start:\n{log.read_text()}")
        if authority.exists():
            context = ssl.create_default_context(cafile=str(authority))
            with suppress(httpx.TransportError):
                answer = httpx.get(
                    f"https://localhost:{port}/api/health", verify=context, timeout=5
                )
                if answer.is_success:
                    found: dict[str, object] = answer.json()
                    return found
        time.sleep(0.2)
