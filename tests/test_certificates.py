"""The server's own certificate authority: what it and the server certificate carry, where they
are kept, and when they are made again."""

from __future__ import annotations

import ipaddress
import os
import socket
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.x509 import verification
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from heroicrun import certificates

NOW = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
IP = ipaddress.ip_address


def names(*extra_ips: str, dns: tuple[str, ...] = ()) -> certificates.Names:
    """A laptop called "laptop" at 192.168.1.20 and fd00::20, plus `extra_ips` and `dns`."""
    ips = {IP("127.0.0.1"), IP("::1"), IP("192.168.1.20"), IP("fd00::20")}
    ips |= {IP(address) for address in extra_ips}
    wanted = {"localhost", "laptop", "laptop.local", *dns}
    return certificates.Names("laptop", frozenset(wanted), frozenset(ips))


def load(path: Path) -> x509.Certificate:
    return x509.load_pem_x509_certificate(path.read_bytes())


def carried(certificate: x509.Certificate) -> tuple[set[str], set[object]]:
    san = certificate.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    return set(san.get_values_for_type(x509.DNSName)), set(san.get_values_for_type(x509.IPAddress))


def verified(
    issued: certificates.Issued, name: x509.DNSName | x509.IPAddress, now: datetime
) -> None:
    """Raises unless the server certificate is valid for `name` under the authority alone."""
    store = verification.Store([load(issued.ca_certificate)])
    verifier = verification.PolicyBuilder().store(store).time(now).build_server_verifier(name)
    verifier.verify(load(issued.server_certificate), [])


def mode(path: Path) -> int:
    return path.stat().st_mode & 0o777


def test_the_server_certificate_carries_every_name_and_address(tmp_path: Path) -> None:
    wanted = names(dns=("runs.example.org",))
    issued = certificates.ensure(tmp_path / "tls", wanted, NOW)
    server = load(issued.server_certificate)
    dns, ips = carried(server)
    assert dns == {"localhost", "laptop", "laptop.local", "runs.example.org"}
    assert ips == {IP("127.0.0.1"), IP("::1"), IP("192.168.1.20"), IP("fd00::20")}
    usage = server.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert list(usage) == [ExtendedKeyUsageOID.SERVER_AUTH]
    assert server.not_valid_after_utc - server.not_valid_before_utc <= timedelta(days=397)
    assert server.not_valid_before_utc <= NOW
    assert not server.extensions.get_extension_for_class(x509.BasicConstraints).value.ca


def test_the_authority_may_sign_server_certificates_and_nothing_below_them(tmp_path: Path) -> None:
    issued = certificates.ensure(tmp_path / "tls", names(), NOW)
    authority = load(issued.ca_certificate)
    constraints = authority.extensions.get_extension_for_class(x509.BasicConstraints)
    assert constraints.critical and constraints.value.ca and constraints.value.path_length == 0
    usage = authority.extensions.get_extension_for_class(x509.KeyUsage)
    assert usage.critical and usage.value.key_cert_sign and usage.value.crl_sign
    assert not usage.value.digital_signature
    identifier = authority.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
    server = load(issued.server_certificate)
    from_authority = server.extensions.get_extension_for_class(x509.AuthorityKeyIdentifier).value
    assert from_authority.key_identifier == identifier.digest
    name = authority.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value
    assert name == "heroicrun local CA on laptop"
    assert authority.subject == authority.issuer
    life = authority.not_valid_after_utc - authority.not_valid_before_utc
    assert life == timedelta(days=3650)


@pytest.mark.parametrize(
    "name",
    [
        x509.DNSName("localhost"),
        x509.DNSName("laptop.local"),
        x509.IPAddress(IP("192.168.1.20")),
        x509.IPAddress(IP("::1")),
    ],
    ids=str,
)
def test_the_server_certificate_verifies_against_the_authority(
    tmp_path: Path, name: x509.DNSName | x509.IPAddress
) -> None:
    issued = certificates.ensure(tmp_path / "tls", names(), NOW)
    verified(issued, name, NOW + timedelta(days=1))


def test_a_name_the_certificate_lacks_does_not_verify(tmp_path: Path) -> None:
    issued = certificates.ensure(tmp_path / "tls", names(), NOW)
    with pytest.raises(verification.VerificationError):
        verified(issued, x509.DNSName("elsewhere.example.org"), NOW + timedelta(days=1))


def test_keys_are_readable_by_their_owner_only(tmp_path: Path) -> None:
    umask = os.umask(0o022)
    try:
        issued = certificates.ensure(tmp_path / "tls", names(), NOW)
    finally:
        os.umask(umask)
    assert mode(issued.folder) == 0o700
    assert mode(issued.folder / "ca.key") == 0o600
    assert mode(issued.server_key) == 0o600
    assert mode(issued.ca_certificate) == 0o644
    assert mode(issued.server_certificate) == 0o644
    assert sorted(path.name for path in issued.folder.iterdir()) == [
        "ca.crt",
        "ca.key",
        "server.crt",
        "server.key",
    ]


def test_a_folder_open_to_others_is_closed(tmp_path: Path) -> None:
    folder = tmp_path / "tls"
    folder.mkdir(mode=0o755)
    folder.chmod(0o755)
    certificates.ensure(folder, names(), NOW)
    assert mode(folder) == 0o700


def test_a_second_start_reuses_both(tmp_path: Path) -> None:
    first = certificates.ensure(tmp_path / "tls", names(), NOW)
    before = {path.name: path.read_bytes() for path in first.folder.iterdir()}
    again = certificates.ensure(tmp_path / "tls", names(), NOW + timedelta(days=100))
    assert first.new_authority and first.new_certificate
    assert not again.new_authority and not again.new_certificate
    assert {path.name: path.read_bytes() for path in again.folder.iterdir()} == before


def test_a_new_address_gets_a_new_certificate_from_the_same_authority(tmp_path: Path) -> None:
    first = certificates.ensure(tmp_path / "tls", names(), NOW)
    authority = first.ca_certificate.read_bytes()
    old_server = first.server_certificate.read_bytes()
    moved = certificates.ensure(tmp_path / "tls", names("10.0.0.7"), NOW + timedelta(days=2))
    assert moved.new_certificate and not moved.new_authority
    assert moved.ca_certificate.read_bytes() == authority
    assert moved.server_certificate.read_bytes() != old_server
    assert IP("10.0.0.7") in carried(load(moved.server_certificate))[1]
    verified(moved, x509.IPAddress(IP("10.0.0.7")), NOW + timedelta(days=3))
    assert mode(moved.server_key) == 0o600


def test_a_certificate_near_its_end_is_made_again(tmp_path: Path) -> None:
    first = certificates.ensure(tmp_path / "tls", names(), NOW)
    end = load(first.server_certificate).not_valid_after_utc
    month_left = certificates.ensure(tmp_path / "tls", names(), end - timedelta(days=31))
    assert not month_left.new_certificate
    renewed = certificates.ensure(tmp_path / "tls", names(), end - timedelta(days=29))
    assert renewed.new_certificate and not renewed.new_authority
    assert load(renewed.server_certificate).not_valid_after_utc > end
    assert renewed.ca_certificate.read_bytes() == first.ca_certificate.read_bytes()


def test_a_damaged_server_certificate_is_made_again(tmp_path: Path) -> None:
    first = certificates.ensure(tmp_path / "tls", names(), NOW)
    first.server_certificate.write_text("not a certificate")
    again = certificates.ensure(tmp_path / "tls", names(), NOW)
    assert again.new_certificate and not again.new_authority
    verified(again, x509.DNSName("laptop"), NOW)


@pytest.mark.parametrize(
    ("damage", "named"),
    [
        ("ca.crt garbled", "ca.crt"),
        ("ca.crt missing", "ca.crt"),
        ("ca.key garbled", "ca.key"),
        ("ca.key missing", "ca.key"),
        ("ca.key of another authority", "ca.key"),
    ],
)
def test_a_damaged_authority_is_never_replaced_silently(
    tmp_path: Path, damage: str, named: str
) -> None:
    folder = tmp_path / "tls"
    certificates.ensure(folder, names(), NOW)
    if damage.endswith("garbled"):
        (folder / named).write_text("-----BEGIN nonsense")
    elif damage.endswith("missing"):
        (folder / named).unlink()
    else:
        other = certificates.ensure(tmp_path / "other", names(), NOW)
        (folder / "ca.key").write_bytes((other.folder / "ca.key").read_bytes())
    kept = {path.name: path.read_bytes() for path in folder.iterdir()}
    with pytest.raises(certificates.CertificateError) as raised:
        certificates.ensure(folder, names(), NOW)
    message = str(raised.value)
    assert message.startswith(f"{folder / named}: ")
    assert f"delete the folder {folder}" in message
    assert {path.name: path.read_bytes() for path in folder.iterdir()} == kept


def test_lan_addresses_leave_out_loopback_link_local_and_repeats(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def resolved(host: str, port: object) -> list[tuple[object, ...]]:
        assert host == "laptop"
        found = ["127.0.1.1", "fe80::1%wlan0", "192.168.1.20", "fd00::20", "192.168.1.20"]
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, 0)) for address in found]

    monkeypatch.setattr(socket, "getaddrinfo", resolved)
    monkeypatch.setattr(certificates, "default_route_address", lambda: "192.168.1.20")
    assert certificates.lan_addresses("laptop") == [IP("192.168.1.20"), IP("fd00::20")]


def test_wanted_names_add_the_host_its_local_name_and_the_extra_ones(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(certificates, "lan_addresses", lambda host: [IP("192.168.1.20")])
    wanted = certificates.wanted_names(
        ["Runs.Example.org.", "10.1.2.3", "[fd00::1]", " "], hostname="Laptop.lan"
    )
    assert wanted.host == "laptop.lan"
    assert wanted.dns == {"localhost", "laptop.lan", "laptop.local", "runs.example.org"}
    assert wanted.ips == {
        IP("127.0.0.1"),
        IP("::1"),
        IP("192.168.1.20"),
        IP("10.1.2.3"),
        IP("fd00::1"),
    }
    assert wanted.sorted()[:4] == ["laptop.lan", "laptop.local", "localhost", "runs.example.org"]


@pytest.mark.parametrize("bad", ["bad name", "*.example.org", "-x.example.org", "a..b"])
def test_an_extra_name_that_is_no_host_name_is_refused(
    monkeypatch: pytest.MonkeyPatch, bad: str
) -> None:
    monkeypatch.setattr(certificates, "lan_addresses", lambda host: [])
    with pytest.raises(certificates.CertificateError, match="is neither a host name nor an"):
        certificates.wanted_names([bad], hostname="laptop")


def test_a_host_name_no_certificate_can_carry_is_left_out(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(certificates, "lan_addresses", lambda host: [IP("192.168.1.20")])
    assert certificates.wanted_names([], hostname="Ann's laptop").dns == {"localhost"}
    international = certificates.wanted_names(["δρόμος.home.arpa"], hostname="Λάπτοπ")
    assert international.dns == {
        "localhost",
        "xn--hxa3andbw",
        "xn--hxa3andbw.local",
        "xn--pxaqjgm5c.home.arpa",
    }


def test_the_fingerprint_is_the_one_phones_show(tmp_path: Path) -> None:
    issued = certificates.ensure(tmp_path / "tls", names(), NOW)
    authority = certificates.read_authority(issued.ca_certificate)
    digest = load(issued.ca_certificate).fingerprint(hashes.SHA256())
    assert authority.fingerprint_sha256 == ":".join(f"{byte:02X}" for byte in digest)
    assert authority.common_name == "heroicrun local CA on laptop"
    assert authority.pem.startswith(b"-----BEGIN CERTIFICATE-----")
