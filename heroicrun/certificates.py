"""The server's own certificate authority and its TLS certificate, for `serve --https`.

Phones allow geolocation, installing and the share sheet only on a secure origin. On a home
network there is no public name to get a certificate for, so heroicrun makes a small
certificate authority once (a phone trusts it once) and signs a short-lived certificate for the
machine's names and addresses with it, renewed as the machine moves between networks.

Files in the folder (`<data folder>/tls`, 0700): `ca.key`, `ca.crt`, `server.key`, `server.crt`.
"""

from __future__ import annotations

import contextlib
import ipaddress
import os
import re
import socket
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

# Where `serve --https` tells its workers (separate processes) which authority to hand out.
CA_DAYS = 3650
# Browsers and Apple refuse long-lived server certificates (Apple: 825 days for a private
# authority, 398 for a public one); renewal is automatic, so a short life costs nothing.
SERVER_DAYS = 397
RENEW_WITHIN = timedelta(days=30)
# A phone whose clock runs a little behind must not see a certificate from the future.
BACKDATE = timedelta(hours=1)

LABEL = re.compile(r"[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?")

Address = ipaddress.IPv4Address | ipaddress.IPv6Address


class CertificateError(Exception):
    """A file of the certificate authority cannot be used; the message says which and what to do."""


@dataclass(frozen=True)
class Names:
    """What the server certificate must carry: DNS names and IP addresses."""

    host: str  # the machine's own name, for the certificates' common names
    dns: frozenset[str]
    ips: frozenset[Address]

    def sorted(self) -> list[str]:
        """Every name and address as text, names first."""
        return sorted(self.dns) + [str(ip) for ip in sorted(self.ips, key=_address_key)]


@dataclass(frozen=True)
class Issued:
    """The files `serve --https` hands to the TLS server, and what happened to make them."""

    folder: Path
    ca_certificate: Path
    server_certificate: Path
    server_key: Path
    new_authority: bool
    new_certificate: bool
    names: Names


@dataclass(frozen=True)
class Authority:
    """The certificate authority as a phone downloads it."""

    pem: bytes
    common_name: str
    fingerprint_sha256: str  # colon-separated hex, as phones show it


def wanted_names(extra: Iterable[str] = (), hostname: str | None = None) -> Names:
    """localhost, loopback, the host's name and `.local` name, its LAN addresses and `extra`
    (names or addresses; CertificateError for one that is neither)."""
    given = hostname or socket.gethostname()
    host = dns_name(given)
    dns = {"localhost"}
    ips: set[Address] = {ipaddress.IPv4Address("127.0.0.1"), ipaddress.IPv6Address("::1")}
    if host is not None and host != "localhost":
        dns |= {host, f"{host.split('.')[0]}.local"}
    if given.strip():
        ips |= set(lan_addresses(given.strip()))
    for text in extra:
        if not text.strip():
            continue
        try:
            ips.add(ipaddress.ip_address(text.strip().strip("[]")))
            continue
        except ValueError:
            name = dns_name(text)
        if name is None:
            raise CertificateError(f"--https-name {text!r}: is neither a host name nor an address")
        dns.add(name)
    return Names(host or "localhost", frozenset(dns), frozenset(ips))


def dns_name(text: str) -> str | None:
    """`text` as a host name a certificate can carry (lower case, international names in
    their xn-- form), or None if it is not one."""
    try:
        name = text.strip().rstrip(".").encode("idna").decode("ascii").lower()
    except UnicodeError:
        return None
    labels = name.split(".")
    good = all(LABEL.fullmatch(label) for label in labels)
    return name if name and good and len(name) <= 253 else None


def lan_addresses(hostname: str) -> list[Address]:
    """The machine's own addresses a phone could use: those its name resolves to and that of
    the default route; never loopback or link-local ones."""
    found: list[Address] = []
    route = default_route_address()  # first: the address a phone most likely shares
    candidates = [] if route is None else [route]
    # A name the resolver does not know still leaves the default route.
    with contextlib.suppress(OSError, UnicodeError):
        candidates += [str(info[4][0]) for info in socket.getaddrinfo(hostname, None)]
    for text in candidates:
        try:
            address = ipaddress.ip_address(text.split("%")[0])
        except ValueError:
            continue
        if address.is_loopback or address.is_link_local or address.is_unspecified:
            continue
        if address not in found:
            found.append(address)
    return found


def default_route_address() -> str | None:
    """The address this machine reaches the network from, if any (no packet is sent)."""
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.connect(("192.0.2.1", 9))  # TEST-NET-1: routing is looked up, nothing sent
            address: str = probe.getsockname()[0]
    except OSError:
        return None
    return None if address.startswith("127.") or address == "0.0.0.0" else address


def ensure(folder: Path, names: Names, now: datetime | None = None) -> Issued:
    """The authority and server certificate in `folder`, made or renewed as needed.

    The authority is made once and never replaced here: phones trust it. The server certificate
    is made again when it expires within 30 days, misses one of `names`, or does not match."""
    now = now or datetime.now(UTC)
    _private_folder(folder)
    ca_key_path, ca_cert_path = folder / "ca.key", folder / "ca.crt"
    key_path, cert_path = folder / "server.key", folder / "server.crt"
    new_authority = not ca_key_path.exists() and not ca_cert_path.exists()
    if new_authority:
        ca_key, ca_cert = _new_authority(names, now)
        _write(ca_key_path, _key_pem(ca_key), 0o600)
        _write(ca_cert_path, ca_cert.public_bytes(serialization.Encoding.PEM), 0o644)
    else:
        ca_key, ca_cert = _read_authority(folder)
    current = _current_certificate(key_path, cert_path, ca_cert)
    fresh = current is None or not _still_good(current, names, now)
    if fresh:
        key = ec.generate_private_key(ec.SECP256R1())
        cert = _server_certificate(key, ca_key, ca_cert, names, now)
        _write(key_path, _key_pem(key), 0o600)
        _write(cert_path, cert.public_bytes(serialization.Encoding.PEM), 0o644)
    return Issued(folder, ca_cert_path, cert_path, key_path, new_authority, fresh, names)


def read_authority(path: Path) -> Authority:
    """The authority certificate at `path`, ready to hand out; CertificateError if unreadable."""
    try:
        pem = path.read_bytes()
        certificate = x509.load_pem_x509_certificate(pem)
    except (OSError, ValueError) as error:
        raise CertificateError(f"{path}: cannot be read as a certificate ({error})") from None
    return Authority(pem, _common_name(certificate), fingerprint(certificate))


def fingerprint(certificate: x509.Certificate) -> str:
    """The certificate's SHA-256 fingerprint as colon-separated upper-case hex."""
    return certificate.fingerprint(hashes.SHA256()).hex(":").upper()


# --- the authority ------------------------------------------------------------------------


def _new_authority(
    names: Names, now: datetime
) -> tuple[ec.EllipticCurvePrivateKey, x509.Certificate]:
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "heroicrun"),
            x509.NameAttribute(
                NameOID.COMMON_NAME,
                f"heroicrun local CA on {names.host}"[:64],
            ),
        ]
    )
    public = key.public_key()
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(public)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - BACKDATE)
        .not_valid_after(now - BACKDATE + timedelta(days=CA_DAYS))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_key_usage(signs_certificates=True), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
        .sign(key, hashes.SHA256())
    )
    return key, certificate


def _read_authority(folder: Path) -> tuple[ec.EllipticCurvePrivateKey, x509.Certificate]:
    """The authority's key and certificate, or a CertificateError saying how to start over."""
    key_path, cert_path = folder / "ca.key", folder / "ca.crt"
    start_over = (
        f"phones that trusted it would need the new one, so heroicrun will not replace it by "
        f"itself: to start over, delete the folder {folder} and run `heroicrun serve --https` "
        "again, then trust the new authority on each phone"
    )
    try:
        certificate = x509.load_pem_x509_certificate(cert_path.read_bytes())
    except (OSError, ValueError) as error:
        raise CertificateError(
            f"{cert_path}: the certificate authority cannot be read ({_reason(error)}); "
            + start_over
        ) from None
    try:
        key = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
    except (OSError, ValueError, TypeError) as error:
        raise CertificateError(
            f"{key_path}: the certificate authority's key cannot be read ({_reason(error)}); "
            + start_over
        ) from None
    if not isinstance(key, ec.EllipticCurvePrivateKey) or _public_der(key) != _public_der(
        certificate
    ):
        raise CertificateError(
            f"{key_path}: this key does not belong to {cert_path.name}; " + start_over
        )
    return key, certificate


def _key_usage(signs_certificates: bool) -> x509.KeyUsage:
    """An authority signs certificates and revocation lists; a TLS server's EC key only signs
    its handshakes."""
    return x509.KeyUsage(
        digital_signature=not signs_certificates,
        content_commitment=False,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=signs_certificates,
        crl_sign=signs_certificates,
        encipher_only=False,
        decipher_only=False,
    )


# --- the server certificate ---------------------------------------------------------------


def _server_certificate(
    key: ec.EllipticCurvePrivateKey,
    ca_key: ec.EllipticCurvePrivateKey,
    ca_cert: x509.Certificate,
    names: Names,
    now: datetime,
) -> x509.Certificate:
    public = key.public_key()
    alternatives: list[x509.GeneralName] = [x509.DNSName(name) for name in sorted(names.dns)]
    alternatives += [x509.IPAddress(ip) for ip in sorted(names.ips, key=_address_key)]
    authority_key = ca_cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
    return (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, names.host[:64])]))
        .issuer_name(ca_cert.subject)
        .public_key(public)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - BACKDATE)
        .not_valid_after(now - BACKDATE + timedelta(days=SERVER_DAYS))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_key_usage(signs_certificates=False), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.SubjectAlternativeName(alternatives), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(authority_key),
            critical=False,
        )
        .sign(ca_key, hashes.SHA256())
    )


def _current_certificate(
    key_path: Path, cert_path: Path, ca_cert: x509.Certificate
) -> x509.Certificate | None:
    """The server certificate on disk if it is whole, has its key, and comes from this
    authority; None means make a new one (nobody trusts it directly, so nothing is lost)."""
    try:
        certificate = x509.load_pem_x509_certificate(cert_path.read_bytes())
        key = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
        certificate.verify_directly_issued_by(ca_cert)
    except (OSError, ValueError, TypeError, InvalidSignature):
        return None
    return certificate if _public_der(key) == _public_der(certificate) else None


def _still_good(certificate: x509.Certificate, names: Names, now: datetime) -> bool:
    if certificate.not_valid_after_utc - now < RENEW_WITHIN:
        return False
    if certificate.not_valid_before_utc > now:
        return False
    try:
        carried = certificate.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        return False
    dns = {name.lower() for name in carried.get_values_for_type(x509.DNSName)}
    ips = set(carried.get_values_for_type(x509.IPAddress))
    return names.dns <= dns and names.ips <= ips


# --- files --------------------------------------------------------------------------------


def _private_folder(folder: Path) -> None:
    folder.parent.mkdir(parents=True, exist_ok=True)
    try:
        folder.mkdir(mode=0o700)
    except FileExistsError:
        if not folder.is_dir():
            raise CertificateError(f"{folder}: is not a folder") from None
        if folder.stat().st_mode & 0o077:
            folder.chmod(0o700)  # keys live here: nobody else may list or read them


def _write(path: Path, data: bytes, mode: int) -> None:
    """Write `path` whole with `mode` from its creation (a key is never readable by others,
    not even for a moment), replacing any older file in one step."""
    partial = path.with_name(path.name + ".partial")
    partial.unlink(missing_ok=True)
    descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    with os.fdopen(descriptor, "wb") as output:
        output.write(data)
        output.flush()
        os.fsync(output.fileno())
    os.replace(partial, path)


def _key_pem(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def _public_der(owner: x509.Certificate | PrivateKeyTypes) -> bytes:
    der: bytes = owner.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return der


def _common_name(certificate: x509.Certificate) -> str:
    found = certificate.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    return str(found[0].value) if found else certificate.subject.rfc4514_string()


def _reason(error: Exception) -> str:
    if isinstance(error, FileNotFoundError):
        return "the file is missing"
    if isinstance(error, OSError):
        return error.strerror or str(error)
    return "not a PEM file, or damaged"


def _address_key(address: Address) -> tuple[int, int]:
    return (address.version, int(address))
