"""`heroicrun serve` on a network: slow clients are cut off, workers die with their supervisor."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from contextlib import ExitStack, suppress
from pathlib import Path

import httpx
import pytest

from heroicrun.server import serving
from tests.helpers.serve_process import environment, started

REPOSITORY = Path(__file__).resolve().parents[1]
SAMPLE = REPOSITORY / "heroicrun" / "samples" / "athens-dawn-run.gpx"
POSIX = pytest.mark.skipif(os.name != "posix", reason="process groups and kill -9 are POSIX")


def heroicrun(*args: str, env: dict[str, str], stdin: str | None = None) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "heroicrun", *args],
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        check=True,
        cwd=REPOSITORY,
    )
    return done.stdout.strip()


def answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=5).status_code == 200
    except httpx.TransportError:
        return False


HEALTH = b"GET /api/health HTTP/1.1\r\nHost: heroicrun\r\n\r\n"
SIGN_IN_BODY = b'{"name": "nobody", "password": "not a password of anyone"}'
SIGN_IN_HEAD = (
    b"POST /api/session HTTP/1.1\r\nHost: heroicrun\r\nContent-Type: application/json\r\n"
    b"Content-Length: %d\r\n\r\n" % len(SIGN_IN_BODY)
)


def status_line(connection: socket.socket) -> bytes:
    """The status line of the next response on a connection, read to the end of its body."""
    connection.settimeout(10)
    with connection.makefile("rb") as reader:
        status = reader.readline().rstrip()
        length = 0
        while line := reader.readline().rstrip():
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value)
        reader.read(length)
    return status


def closed_by_server(connection: socket.socket) -> bool:
    """Whether the server has closed this connection (anything it sent first is read and lost)."""
    connection.setblocking(False)
    try:
        while connection.recv(4096):
            pass
    except BlockingIOError:
        return False
    except OSError:
        return True
    return True


@POSIX
def test_slow_request_heads_are_cut_off_and_never_crowd_out_requests(tmp_path: Path) -> None:
    env = environment(
        f"sqlite:///{tmp_path / 'heroicrun.db'}", HEROICRUN_MAX_UPLOAD_BYTES="1048576"
    )
    log = tmp_path / "serve.log"
    # 50 slow sockets against a limit of 20 connections: only requests that have arrived count.
    with (
        started(env, log, "--header-timeout", "1", "--limit-concurrency", "20") as running,
        ExitStack() as sockets,
    ):
        port = running.port

        def connect() -> socket.socket:
            return sockets.enter_context(socket.create_connection(("127.0.0.1", port)))

        silent = [connect() for _ in range(25)]
        trickling = [connect() for _ in range(25)]
        for connection in trickling:
            connection.sendall(b"GET / HTTP/1.1\r\n")
        assert answers(f"http://127.0.0.1:{port}/api/health")
        # Meanwhile a kept-alive connection idles, and a body arrives slower than a head may.
        kept = connect()
        kept.sendall(HEALTH)
        assert status_line(kept) == b"HTTP/1.1 200 OK"
        slow_body = connect()
        slow_body.sendall(SIGN_IN_HEAD)
        body = iter([SIGN_IN_BODY[i : i + 4] for i in range(0, len(SIGN_IN_BODY), 4)])

        deadline = time.monotonic() + 30  # they go after 1 s; the slack is for a busy machine
        while (silent or trickling) and time.monotonic() < deadline:
            for connection in trickling:
                with suppress(OSError):
                    connection.sendall(b"X-Slow: 1\r\n")  # a header line every half second
            slow_body.sendall(next(body, b""))
            silent = [connection for connection in silent if not closed_by_server(connection)]
            trickling = [one for one in trickling if not closed_by_server(one)]
            time.sleep(0.5)
        assert (len(silent), len(trickling)) == (0, 0), "slow connections still open"
        assert answers(f"http://127.0.0.1:{port}/api/health")
        kept.sendall(HEALTH)
        assert status_line(kept) == b"HTTP/1.1 200 OK"
        slow_body.sendall(b"".join(body))
        answer = status_line(slow_body)  # the body was read and judged: wrong password
        assert answer.startswith(b"HTTP/1.1 4") and not answer.startswith(b"HTTP/1.1 408")

        with socket.create_connection(("127.0.0.1", port), timeout=10) as huge:
            # One byte too many, and no more: unread bytes would make the close a reset.
            head = b"GET / HTTP/1.1\r\nX-Huge: "
            huge.sendall(head.ljust(serving.MAX_HEAD_BYTES + 1, b"a"))
            assert status_line(huge).startswith(b"HTTP/1.1 431 ")
    printed = log.read_text()
    assert "bodies up to 1 MiB, headers within 1 s" in printed
    assert "20 connections per worker" in printed


@POSIX
def test_workers_end_with_a_supervisor_killed_with_sigkill(tmp_path: Path) -> None:
    env = environment(f"sqlite:///{tmp_path / 'heroicrun.db'}")
    heroicrun("runner", "add", "ann", env=env, stdin="correct horse battery\n" * 2)
    token = heroicrun("token", "create", "--runner", "ann", "--name", "t", env=env)
    with started(env, tmp_path / "serve.log", "--workers", "2") as running:
        supervisor, port = running.process, running.port
        answer = httpx.post(  # starts a worker's reading pool: a fork server and its workers
            f"http://127.0.0.1:{port}/api/runs",
            headers={"Authorization": f"Bearer {token}"},
            files={"files": (SAMPLE.name, SAMPLE.read_bytes(), "application/gpx+xml")},
            timeout=120,
        )
        assert answer.status_code == 201, answer.text
        assert len(group(supervisor.pid)) >= 5  # supervisor, 2 workers, fork server, a reader

        os.kill(supervisor.pid, signal.SIGKILL)
        supervisor.wait()
        deadline = time.monotonic() + 20
        while group(supervisor.pid) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not group(supervisor.pid), "processes outlived the supervisor"
        with socket.socket() as again:
            again.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            again.bind(("127.0.0.1", port))  # as uvicorn binds it on a restart
            again.listen()


def group(pgid: int) -> list[str]:
    """The processes still in process group `pgid` (as `ps` lists them)."""
    ps = shutil.which("ps")
    if ps is None:
        pytest.skip("no ps to list processes")
    listing = subprocess.run(
        [ps, "-A", "-o", "pid=,pgid=,command="], capture_output=True, text=True, check=True
    ).stdout
    return [line for line in listing.splitlines() if line.split()[1:2] == [str(pgid)]]


def test_the_open_file_limit_is_raised_to_the_hard_limit() -> None:
    resource = pytest.importorskip("resource")
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    lowered = min(soft, 256)
    resource.setrlimit(resource.RLIMIT_NOFILE, (lowered, hard))
    try:
        raised = serving.raise_open_file_limit()
        assert raised is not None and raised > lowered
        assert resource.getrlimit(resource.RLIMIT_NOFILE)[0] == raised
        if hard != resource.RLIM_INFINITY:
            assert raised == hard
    finally:
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
