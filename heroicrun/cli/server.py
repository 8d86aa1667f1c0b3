"""`heroicrun serve`: the web server, on a laptop or for a club."""

from __future__ import annotations

import os
import socket
from typing import TYPE_CHECKING, Annotated

import typer

from heroicrun import settings
from heroicrun.cli.accounts import DatabaseUrl, database_url, fail, opened, shown
from heroicrun.cli.commands import app
from heroicrun.cli.missions import MissionsDir
from heroicrun.settings import from_environment

if TYPE_CHECKING:
    from heroicrun import certificates

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
    https: Annotated[
        bool,
        typer.Option(
            "--https",
            help="Serve HTTPS with a certificate authority of the server's own (made on first "
            "use in the data folder; phones trust it once, see /trust): phones allow location, "
            "install and sharing only over HTTPS.",
        ),
    ] = False,
    https_names: Annotated[
        list[str] | None,
        typer.Option(
            "--https-name",
            help="Another name or address the certificate must carry (repeatable), e.g. a "
            "name your router gives this machine.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Run the web server and its JSON API (documented at /docs and /openapi.json).

    Example: heroicrun serve --host 0.0.0.0

    Example: heroicrun serve --https --host 0.0.0.0   (then open /trust on each phone once)

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
    if https_names and not https:
        raise fail("--https-name goes with --https")
    # A server bound to one address must carry it, even one the machine's name does not give.
    named = [*(https_names or []), *([] if host in EVERYWHERE else [host])]
    issued = tls(named) if https else None
    if issued is None:
        os.environ.pop(settings.TLS_CA_VARIABLE, None)
    else:
        os.environ[settings.TLS_CA_VARIABLE] = str(issued.ca_certificate)
    with opened(chosen) as engine, db_engine.readers(engine)() as session:
        first = not accounts.has_runners(session)
    say(f"heroicrun: database {shown(chosen)}")
    for address in addresses(host, port, "https" if issued else "http"):
        say(f"heroicrun: open {address}")
    if issued is not None:
        told_https(issued, host, port)
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
        ssl_keyfile=None if issued is None else str(issued.server_key),
        ssl_certfile=None if issued is None else str(issued.server_certificate),
    )


def tls(extra_names: list[str]) -> certificates.Issued:
    """The certificate authority and server certificate in the data folder, made or renewed."""
    from heroicrun import certificates

    folder = settings.data_dir() / "tls"
    try:
        return certificates.ensure(folder, certificates.wanted_names(extra_names))
    except (certificates.CertificateError, OSError) as error:
        raise fail(str(error)) from None


def told_https(issued: certificates.Issued, host: str, port: int) -> None:
    """What `serve --https` made, and where a phone goes to trust it."""
    from heroicrun import certificates

    authority = certificates.read_authority(issued.ca_certificate)
    if issued.new_authority:
        say(f"heroicrun: new certificate authority {issued.ca_certificate}")
    elif issued.new_certificate:
        say("heroicrun: new server certificate from the same authority")
    say(f"heroicrun: certificate for {', '.join(issued.names.sorted())}")
    say(f"heroicrun: authority {authority.common_name}, SHA-256 {authority.fingerprint_sha256}")
    shown = addresses(host, port, "https")
    trust = shown[min(1, len(shown) - 1)].split()[0] + "trust"  # the network's first address
    say(f"heroicrun: on each phone, once: open {trust} and trust the authority")
    if host in ("localhost", "127.0.0.1", "::1"):
        say("heroicrun: phones cannot reach this address: add --host 0.0.0.0 for them")


def say(line: str) -> None:
    print(line, flush=True)


def addresses(host: str, port: int, scheme: str = "http") -> list[str]:
    """The URLs to open for a server listening on `host`, the network's ones last."""
    from heroicrun import certificates

    if host not in EVERYWHERE:
        shown_host = f"[{host}]" if ":" in host else host
        return [f"{scheme}://{shown_host}:{port}/"]
    local = "localhost" if scheme == "https" else "127.0.0.1"
    found = [f"{scheme}://{local}:{port}/"]
    if scheme == "https":
        # 0.0.0.0 listens on IPv4 only: its IPv6 addresses would not answer.
        found_ips = certificates.lan_addresses(socket.gethostname())
        lan = [str(ip) for ip in found_ips if host != "0.0.0.0" or ip.version == 4]
    else:
        lan = [address] if (address := certificates.default_route_address()) else []
    for address in lan:
        shown_lan = f"[{address}]" if ":" in address else address
        found.append(f"{scheme}://{shown_lan}:{port}/  (from a phone on the same network)")
    return found
