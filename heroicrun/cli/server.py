"""`heroicrun serve`: the web server, on a laptop or for a club."""

from __future__ import annotations

import os
import socket
from typing import Annotated

import typer

from heroicrun.cli import app
from heroicrun.cli.accounts import DatabaseUrl, database_url, fail, opened, shown
from heroicrun.cli.missions import MissionsDir

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
        int,
        typer.Option("--max-upload-mb", help="Largest request body accepted, in MiB.", min=1),
    ] = 64,
    missions_dir: MissionsDir = None,
) -> None:
    """Run the web server and its JSON API (documented at /docs and /openapi.json).

    Example: heroicrun serve --host 0.0.0.0

    The database is brought up to date first. Stop the server with Ctrl+C.
    """
    import uvicorn

    from heroicrun.db import engine as db_engine
    from heroicrun.play import accounts

    chosen = database_url(url)
    if missions_dir is not None and not missions_dir.is_dir():
        raise fail(f"{missions_dir}: is not a folder of missions")
    # Workers are separate processes that each build their app from the environment.
    os.environ["HEROICRUN_DATABASE_URL"] = chosen
    os.environ["HEROICRUN_MAX_UPLOAD_BYTES"] = str(max_upload_mb * 2**20)
    if missions_dir is not None:
        os.environ["HEROICRUN_MISSIONS_DIR"] = str(missions_dir.resolve())
    with opened(chosen) as engine, db_engine.readers(engine)() as session:
        first = not accounts.has_runners(session)
    say(f"heroicrun: database {shown(chosen)}")
    for address in addresses(host, port):
        say(f"heroicrun: open {address}")
    if first:
        say("heroicrun: no runners yet: add one with heroicrun runner add NAME")
    uvicorn.run(FACTORY, factory=True, host=host, port=port, workers=workers)


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
