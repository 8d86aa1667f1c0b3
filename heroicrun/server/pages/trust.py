"""The server's own certificate authority, for phones on a home network: /ca.crt and the page
that explains how to trust it."""

from __future__ import annotations

import ipaddress
import logging

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, Response

from heroicrun import certificates
from heroicrun.server import pages

router = APIRouter(include_in_schema=False)
log = logging.getLogger("heroicrun.server")

NOT_SERVED = (
    "this server was started without HTTPS, so it has no certificate to hand out: start it with "
    "heroicrun serve --https --host 0.0.0.0"
)
LOOPBACK_NAMES = ("localhost", "localhost.")


def served_authority(request: Request) -> certificates.Authority | None:
    """The authority `serve --https` started this server with (settings.tls_ca), or None over
    plain http; read once per application, and kept in `app.state.certificate_authority`."""
    state = request.app.state
    if not hasattr(state, "certificate_authority"):
        path = state.settings.tls_ca
        try:
            state.certificate_authority = (
                None if path is None else certificates.read_authority(path)
            )
        except certificates.CertificateError as error:
            log.warning("%s", error)
            raise HTTPException(503, str(error)) from None
    found: certificates.Authority | None = state.certificate_authority
    return found


@router.get("/ca.crt")
def authority_certificate(request: Request) -> Response:
    """The certificate authority, for a phone to install (404 over plain http)."""
    authority = served_authority(request)
    if authority is None:
        raise HTTPException(404, NOT_SERVED)
    return Response(
        authority.pem,
        media_type="application/x-x509-ca-cert",
        headers={"Content-Disposition": 'attachment; filename="heroicrun-ca.crt"'},
    )


@router.get("/trust", response_class=HTMLResponse)
def trust_page(request: Request) -> HTMLResponse:
    """How to trust the authority on a phone, with a QR code of the address to open there."""
    authority = served_authority(request)
    address = phone_address(request) if authority is not None else None
    return pages.render(
        request,
        "trust.html",
        authority=authority,
        address=address,
        qr=qr_image(address) if address is not None else None,
        not_served=pages.sentence(NOT_SERVED),
    )


def phone_address(request: Request) -> str:
    """This page's https address as a phone on the network reaches it: a page opened on the
    laptop itself (localhost) points to the laptop's network address instead."""
    host = request.url.hostname or "localhost"
    if _is_loopback(host):
        host = certificates.default_route_address() or host
    shown = f"[{host}]" if ":" in host else host
    port = request.url.port
    return f"https://{shown}{'' if port in (None, 443) else f':{port}'}/trust"


def qr_image(address: str) -> str:
    """A QR code of `address` as an SVG data URI: dark on white, with its quiet zone, so it
    scans in dark mode too."""
    import segno  # only this page draws one

    code = segno.make(address, error="m")
    uri: str = code.svg_data_uri(scale=6, border=4, dark="#000", light="#fff")
    return uri


def _is_loopback(host: str) -> bool:
    if host.lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
