"""A real `heroicrun serve` for the benchmarks: its CLI, a fresh database, a server on a free port.

The benchmarks drive heroicrun only through its executable (the CLI and the HTTP API), so that
`--heroicrun PATH` can point them at any installed version, an older checkout included.
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import httpx

PROJECT = Path(__file__).resolve().parent.parent
DEFAULT_HEROICRUN = PROJECT / ".venv" / "bin" / "heroicrun"
POSTGRES = os.environ.get(
    "HEROICRUN_BENCH_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
START_TIMEOUT_S = 60


def add_heroicrun_option(parser: argparse.ArgumentParser) -> None:
    """Add `--heroicrun PATH`: the executable to benchmark (default: the project's venv)."""
    parser.add_argument(
        "--heroicrun",
        type=Path,
        default=DEFAULT_HEROICRUN,
        help=f"the heroicrun executable to benchmark (default {DEFAULT_HEROICRUN})",
    )


class Cli:
    """The heroicrun command line, on one database, run from an empty folder: a process started
    with `python -c` (the reading workers' fork server) imports from its working folder first,
    and from a source checkout that would be the checkout's code, not the executable's."""

    def __init__(self, executable: Path, database_url: str) -> None:
        if not executable.exists():
            raise SystemExit(f"{executable}: no such heroicrun executable")
        self.executable = executable
        self.database_url = database_url
        self.env = {**os.environ, "HEROICRUN_DATABASE_URL": database_url}
        self._folder = tempfile.TemporaryDirectory(prefix="heroicrun-bench-")
        self.cwd = Path(self._folder.name)

    def run(self, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
        """The finished command, whatever its exit status."""
        return subprocess.run(
            [str(self.executable), *args],
            env=self.env,
            cwd=self.cwd,
            input=stdin,
            capture_output=True,
            text=True,
            check=False,
        )

    def __call__(self, *args: str, stdin: str | None = None) -> str:
        """The command's standard output; a failing command stops the benchmark."""
        done = self.run(*args, stdin=stdin)
        if done.returncode != 0:
            raise SystemExit(f"heroicrun {' '.join(args)} failed: {done.stderr.strip()}")
        return done.stdout.strip()

    def add_runner(self, name: str, password: str) -> None:
        self("runner", "add", name, stdin=f"{password}\n")

    def token(self, runner: str, name: str = "t") -> str:
        """A new API token for `runner`."""
        return self("token", "create", "--runner", runner, "--name", name).splitlines()[-1]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def served(cli: Cli, workers: int) -> Iterator[str]:
    """`heroicrun serve --workers N` on the CLI's database; yields its base URL. The server's
    output goes to a file in $HEROICRUN_BENCH_LOG_DIR when that is set, else nowhere."""
    port = free_port()
    folder = os.environ.get("HEROICRUN_BENCH_LOG_DIR")
    with (
        open(Path(folder) / f"serve-{port}.log", "w+b")
        if folder
        else tempfile.TemporaryFile() as log
    ):
        server = subprocess.Popen(
            [str(cli.executable), "serve", "--port", str(port), "--workers", str(workers)],
            env=cli.env,
            cwd=cli.cwd,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + START_TIMEOUT_S
            while True:
                try:
                    if httpx.get(f"{base}/api/health", timeout=2).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if server.poll() is not None or time.monotonic() > deadline:
                    log.seek(0)
                    said = log.read().decode(errors="replace")[-2000:]
                    raise SystemExit(f"the server did not start:\n{said}")
                time.sleep(0.2)
            yield base
        finally:
            server.terminate()
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()


@contextmanager
def postgres_schema(url: str) -> Iterator[str | None]:
    """A URL whose search_path is a new, empty schema, dropped afterwards (None when PostgreSQL
    is unreachable)."""
    from sqlalchemy import create_engine, text

    schema = f"bench_{os.getpid()}_{time.monotonic_ns()}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    except Exception as error:  # any failure means: skip PostgreSQL
        print(f"PostgreSQL not reachable ({type(error).__name__}): skipped")
        admin.dispose()
        yield None
        return
    try:
        yield f"{url}{'&' if '?' in url else '?'}options=-csearch_path%3D{schema}"
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def postgres_bytes(url: str) -> int:
    """Bytes on disk of every table in the URL's schema (its search_path), indexes included."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            total = connection.scalar(
                text(
                    "SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0) FROM pg_class c"
                    " JOIN pg_namespace n ON n.oid = c.relnamespace"
                    " WHERE n.nspname = current_schema() AND c.relkind = 'r'"
                )
            )
    finally:
        engine.dispose()
    return int(total or 0)


def sqlite_bytes(path: Path) -> int:
    """Bytes of a SQLite database with its write-ahead log."""
    return sum(
        part.stat().st_size for part in (path, path.with_name(path.name + "-wal")) if part.exists()
    )


def percentile(values: Sequence[float], fraction: float) -> float:
    """The value below which `fraction` of the values lie (nearest rank); NaN when empty."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[int(fraction * (len(ordered) - 1))]
