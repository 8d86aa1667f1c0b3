"""`heroicrun serve`: the web server, on a laptop or for a club."""

from __future__ import annotations

import os
import socket
from typing import Annotated

import typer

from heroicrun.cli.accounts import DatabaseUrl, database_url, fail, opened, shown
from heroicrun.cli.commands import app
from heroicrun.cli.missions import MissionsDir
from heroicrun.settings import from_environment

FACTORY = "heroicrun.server.factory:app_from_environment"
EVERYWHERE = ("0.0.0.0", "::", "")


@app.command()
def serve(
    host: Annotated[
        str,
        typer.Option(
            "--host",
            help="Address to listen on. Use --host 0.0.0.0 to let phones on your home "
            "network reach it.",
        ),
    ] = "127.0.0.1",
    port: Annotated[
        int, typer.Option("--port", help="Port to listen on.", min=1, max=65535)
    ] = 8000,
    workers: Annotated[
        int, typer.Option("--workers", help="Worker processes (a club may want 2-4).", min=1)
    ] = 1,
    url: DatabaseUrl = None,
    max_upload_mb: Annotated[
        int | None,
        typer.Option(
            "--max-upload-mb",
            help="Largest request body accepted, in MiB [default: 64, or "
            "$HEROICRUN_MAX_UPLOAD_BYTES in bytes].",
            min=1,
            show_default=False,
        ),
    ] = None,
    missions_dir: MissionsDir = None,
    header_timeout: Annotated[
        float,
        typer.Option(
            "--header-timeout",
            help="Seconds a client has to send a request's headers before it is cut off.",
            min=0.1,
            envvar="HEROICRUN_HEADER_TIMEOUT_S",
        ),
    ] = 10.0,
    timeout_keep_alive: Annotated[
        int,
        typer.Option(
            "--timeout-keep-alive",
            help="Seconds an idle connection is kept open after a response.",
            min=1,
            envvar="HEROICRUN_KEEP_ALIVE_S",
        ),
    ] = 5,
    limit_concurrency: Annotated[
        int,
        typer.Option(
            "--limit-concurrency",
            help="Connections with a request under way or kept alive, per worker; requests "
            "beyond it are answered 503.",
            min=2,
            envvar="HEROICRUN_LIMIT_CONCURRENCY",
        ),
    ] = 200,
    backlog: Annotated[
        int,
        typer.Option(
            "--backlog",
            help="Connections the system queues before the server accepts them.",
            min=16,
            envvar="HEROICRUN_BACKLOG",
        ),
    ] = 2048,
    forwarded_allow_ips: Annotated[
        str,
        typer.Option(
            "--forwarded-allow-ips",
            help="Reverse proxies (addresses, comma-separated, or *) whose X-Forwarded-For and "
            "X-Forwarded-Proto are believed; from anyone else they are ignored.",
            envvar="HEROICRUN_FORWARDED_ALLOW_IPS",
        ),
    ] = "127.0.0.1,::1",
) -> None:
    """Run the web server and its JSON API (documented at /docs and /openapi.json).

    Example: heroicrun serve --host 0.0.0.0

    The database is brought up to date first. Stop the server with Ctrl+C. The limits below
    can also come from the environment variables named with them; the server prints them all
    when it starts.
    """
    import uvicorn

    from heroicrun.db import engine as db_engine
    from heroicrun.play import accounts
    from heroicrun.server import serving

    chosen = database_url(url)
    if missions_dir is not None and not missions_dir.is_dir():
        raise fail(f"{missions_dir}: is not a folder of missions")
    # Workers are separate processes that each build their app from the environment.
    os.environ["HEROICRUN_DATABASE_URL"] = chosen
    try:
        body_bytes = max_upload_mb * 2**20 if max_upload_mb else from_environment().max_upload_bytes
    except ValueError:
        raise fail("HEROICRUN_MAX_UPLOAD_BYTES is not a whole number of bytes") from None
    os.environ["HEROICRUN_MAX_UPLOAD_BYTES"] = str(body_bytes)
    os.environ[serving.HEADER_TIMEOUT_VARIABLE] = str(header_timeout)
    if missions_dir is not None:
        os.environ["HEROICRUN_MISSIONS_DIR"] = str(missions_dir.resolve())
    with opened(chosen) as engine, db_engine.readers(engine)() as session:
        first = not accounts.has_runners(session)
    say(f"heroicrun: database {shown(chosen)}")
    for address in addresses(host, port):
        say(f"heroicrun: open {address}")
    if first:
        say("heroicrun: no runners yet: add one with heroicrun runner add NAME")
    open_files = serving.raise_open_file_limit()
    say(
        f"heroicrun: limits: bodies up to {body_bytes / 2**20:g} MiB, "
        f"headers within {header_timeout:g} s, idle connections closed after "
        f"{timeout_keep_alive} s, {limit_concurrency} connections per worker (503 beyond), "
        f"backlog {backlog}" + ("" if open_files is None else f", {open_files} open files")
    )
    say(f"heroicrun: X-Forwarded-For and X-Forwarded-Proto believed from {forwarded_allow_ips}")
    uvicorn.run(
        FACTORY,
        factory=True,
        host=host,
        port=port,
        workers=workers,
        http=serving.HeadDeadlineProtocol,
        ws="none",  # heroicrun has no WebSocket routes: upgrades are plain requests
        timeout_keep_alive=timeout_keep_alive,
        limit_concurrency=limit_concurrency,
        backlog=backlog,
        timeout_graceful_shutdown=serving.GRACEFUL_SHUTDOWN_S,
        proxy_headers=True,
        forwarded_allow_ips=forwarded_allow_ips,
    )


def say(line: str) -> None:
    print(line, flush=True)


def addresses(host: str, port: int) -> list[str]:
    """The URLs to open for a server listening on `host`."""
    if host not in EVERYWHERE:
        shown_host = f"[{host}]" if ":" in host else host
        return [f"http://{shown_host}:{port}/"]
    found = [f"http://127.0.0.1:{port}/"]
    lan = lan_address()
    if lan is not None:
        found.append(f"http://{lan}:{port}/  (from a phone on the same network)")
    return found


def lan_address() -> str | None:
    """This machine's address on the local network, if it has one (no packet is sent)."""
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.connect(("192.0.2.1", 9))  # TEST-NET-1: routing is looked up, nothing sent
            address: str = probe.getsockname()[0]
    except OSError:
        return None
    return None if address.startswith("127.") else address
