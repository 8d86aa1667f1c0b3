"""/ca.crt and /trust with and without `serve --https`, and `serve --https` itself."""

from __future__ import annotations

import ipaddress
import ssl
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import unquote

import httpx
import pytest
from fastapi.testclient import TestClient

from heroicrun import certificates, settings
from heroicrun.server import serving
from heroicrun.server.pages import trust
from tests.helpers.serve_process import serving_https
from tests.helpers.shell import heroicrun

LAPTOP = certificates.Names(
    "laptop",
    frozenset({"localhost", "laptop", "laptop.local"}),
    frozenset(ipaddress.ip_address(ip) for ip in ("127.0.0.1", "::1", "192.168.1.20")),
)


@pytest.fixture
def authority(tmp_path: Path) -> certificates.Authority:
    issued = certificates.ensure(tmp_path / "tls", LAPTOP, datetime.now(UTC))
    return certificates.read_authority(issued.ca_certificate)


@pytest.fixture
def plain(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> TestClient:
    """A server started without --https, whatever the shell running the tests says."""
    assert client.app.state.settings.tls_ca is None  # type: ignore[attr-defined]
    return client


@pytest.fixture
def secure(client: TestClient, authority: certificates.Authority) -> TestClient:
    """A server started with --https, as `serve` hands its authority over."""
    client.app.state.certificate_authority = authority  # type: ignore[attr-defined]
    return client


def test_without_https_there_is_no_certificate_to_download(plain: TestClient) -> None:
    answer = plain.get("/ca.crt")
    assert answer.status_code == 404
    assert "heroicrun serve --https --host 0.0.0.0" in answer.text


def test_without_https_the_trust_page_says_how_to_start_it(plain: TestClient) -> None:
    answer = plain.get("/trust")
    assert answer.status_code == 200
    assert "started without HTTPS" in answer.text
    assert "heroicrun serve --https --host 0.0.0.0" in answer.text
    assert 'href="/ca.crt"' not in answer.text and "<img" not in answer.text


def test_with_https_the_authority_downloads_as_a_certificate(
    secure: TestClient, authority: certificates.Authority
) -> None:
    answer = secure.get("https://laptop.local:8443/ca.crt")
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "application/x-x509-ca-cert"
    assert answer.headers["content-disposition"] == 'attachment; filename="heroicrun-ca.crt"'
    assert answer.content == authority.pem


def test_the_trust_page_shows_the_address_its_code_and_the_fingerprint(
    secure: TestClient, authority: certificates.Authority
) -> None:
    answer = secure.get("https://laptop.local:8443/trust")
    assert answer.status_code == 200
    page = answer.text
    assert "https://laptop.local:8443/trust" in page
    assert f'<img src="{trust.qr_image("https://laptop.local:8443/trust")}"' in page
    assert 'alt="QR code of https://laptop.local:8443/trust"' in page
    assert authority.fingerprint_sha256 in page
    assert 'href="/ca.crt"' in page
    for step in (
        "VPN &amp; Device Management",
        "Certificate Trust Settings",
        "Encryption &amp; credentials",
        "CA certificate",
        "follow your position",
    ):
        assert step in page
    assert "<script" not in page.split("<main", 1)[1].split("</main>")[0]
    assert ' style="' not in page


def test_the_code_is_a_self_contained_svg() -> None:
    uri = trust.qr_image("https://laptop.local:8443/trust")
    kind, svg = uri.split(",", 1)
    assert kind == "data:image/svg+xml;charset=utf-8"
    assert "<svg" in unquote(svg) and "href" not in unquote(svg)  # nothing fetched elsewhere


def test_a_page_opened_on_the_laptop_points_phones_to_its_network_address(
    secure: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(certificates, "default_route_address", lambda: "192.168.1.20")
    page = secure.get("https://localhost:8000/trust").text
    assert "https://192.168.1.20:8000/trust" in page
    assert "https://localhost:8000/trust" not in page


def served_with(client: TestClient, authority: Path) -> None:
    """The app as `serve --https` starts its workers: the authority named in the settings."""
    state = client.app.state  # type: ignore[attr-defined]
    state.settings = replace(state.settings, tls_ca=authority)


def test_the_authority_named_by_serve_is_read_from_the_environment(
    client: TestClient, tmp_path: Path
) -> None:
    issued = certificates.ensure(tmp_path / "served", LAPTOP, datetime.now(UTC))
    named = {settings.TLS_CA_VARIABLE: str(issued.ca_certificate)}
    assert settings.from_environment(named).tls_ca == issued.ca_certificate
    served_with(client, issued.ca_certificate)
    answer = client.get("/ca.crt")
    assert answer.status_code == 200 and answer.content == issued.ca_certificate.read_bytes()


def test_an_authority_file_gone_bad_is_a_clear_503(client: TestClient, tmp_path: Path) -> None:
    broken = tmp_path / "ca.crt"
    broken.write_text("not a certificate")
    served_with(client, broken)
    answer = client.get("/ca.crt")
    assert answer.status_code == 503
    assert f"{broken}: cannot be read as a certificate" in answer.text


# --- heroicrun serve --https ---------------------------------------------------------------


@pytest.fixture
def serve_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """What an in-process `serve` may change in the environment, put back afterwards; a data
    folder of the test's own. Returns the folder the certificates go in."""
    for variable in (
        "HEROICRUN_DATABASE_URL",
        "HEROICRUN_MAX_UPLOAD_BYTES",
        "HEROICRUN_MISSIONS_DIR",
        serving.HEADER_TIMEOUT_VARIABLE,
        settings.TLS_CA_VARIABLE,
    ):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    return tmp_path / "data" / "heroicrun" / "tls"


def test_a_damaged_authority_stops_serve_with_the_file_and_the_way_out(
    serve_environment: Path, tmp_path: Path
) -> None:
    certificates.ensure(serve_environment, LAPTOP)
    (serve_environment / "ca.crt").write_text("damaged")
    done = heroicrun("serve", "--https", "--database-url", f"sqlite:///{tmp_path / 'heroicrun.db'}")
    assert done.returncode == 1
    assert done.stderr.startswith(f"error: {serve_environment / 'ca.crt'}: ")
    assert f"delete the folder {serve_environment}" in done.stderr
    assert "Traceback" not in done.stderr + done.stdout
    assert (serve_environment / "ca.crt").read_text() == "damaged"


def test_https_names_need_https(serve_environment: Path, tmp_path: Path) -> None:
    done = heroicrun(
        "serve", "--https-name", "runs.home", "--database-url", f"sqlite:///{tmp_path / 'h.db'}"
    )
    assert done.returncode == 1 and "--https-name goes with --https" in done.stderr
    assert not serve_environment.exists()


def test_a_bad_https_name_stops_serve_before_anything_is_made(
    serve_environment: Path, tmp_path: Path
) -> None:
    database = f"sqlite:///{tmp_path / 'h.db'}"
    done = heroicrun("serve", "--https", "--https-name", "runs home", "--database-url", database)
    assert done.returncode == 1
    assert done.stderr == "error: --https-name 'runs home': is neither a host name nor an address\n"
    assert not serve_environment.exists()


def test_serve_https_answers_over_tls_with_its_own_authority(tmp_path: Path) -> None:
    with serving_https(tmp_path, "--https-name", "runs.home.arpa") as running:
        port = running.port
        assert running.health["status"] == "ok"
        context = ssl.create_default_context(cafile=str(running.authority))
        with httpx.Client(verify=context, timeout=5) as client:
            download = client.get(f"https://localhost:{port}/ca.crt")
            page = client.get(f"https://127.0.0.1:{port}/trust")
        assert download.status_code == 200
        assert download.content == running.authority.read_bytes()
        assert page.status_code == 200 and "fingerprint" in page.text
    printed = running.log.read_text()
    assert f"open https://127.0.0.1:{port}/" in printed
    assert f"{port}/trust" in printed and "runs.home.arpa" in printed
    assert "new certificate authority" in printed
    assert oct((running.authority.parent / "server.key").stat().st_mode & 0o777) == "0o600"
