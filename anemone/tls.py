"""The portal's HTTPS certificate: made by the server itself, or the admin's own (Let's Encrypt, a company CA).

A home server has no name a public CA would certify, so by default it makes its own certificate once
(ECDSA P-256, valid ten years: long-lived on purpose, so the exception a browser asks for is asked once)
for its name, ``localhost``, its portal address and the addresses given. Browsers warn about such a
certificate; people check that the SHA-256 fingerprint the browser shows is the one the server prints
(``make run``, ``manage.py certificate show``, Settings) and accept it. An admin's own certificate and key
replace it with ``manage.py certificate install`` (docs/operations.md, Let's Encrypt).

Files: ``DATA_DIR/certs/portal.crt`` (the chain, PEM) and ``portal.key``, both 0600, beside the master key.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import socket
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from django.conf import settings

from anemone.engines.files import write_private_file

VALID_DAYS = 3650
SELF_MADE_ORGANIZATION = "Anemone (made by this server)"


class CertificateRefused(ValueError):
    """An admin's certificate and key that cannot serve the portal; the message says why."""


@dataclass(frozen=True)
class CertificateInfo:
    fingerprint: str  # SHA-256 of the certificate, "AB:CD:…", as browsers show it
    subject: str
    names: list[str]
    not_after: dt.datetime
    self_made: bool


def certificate_path() -> Path:
    return Path(settings.DATA_DIR) / "certs" / "portal.crt"


def key_path() -> Path:
    return Path(settings.DATA_DIR) / "certs" / "portal.key"


def default_names() -> list[str]:
    """The names the self-made certificate covers: this machine's name, localhost, loopback, and the host
    of the portal address when one is set."""
    from anemone.models import SiteSettings

    names = [socket.gethostname(), "localhost", "127.0.0.1", "::1"]
    try:
        host = SiteSettings.load().portal_address().split("://", 1)[-1].split("/", 1)[0]
    except Exception:  # no database yet (first start): the machine's names are enough
        host = ""
    host = host.rsplit(":", 1)[0] if host.count(":") == 1 else host.strip("[]")
    if host and host not in names:
        names.insert(0, host)
    return names


def _alt_name(name: str) -> x509.GeneralName:
    try:
        return x509.IPAddress(ipaddress.ip_address(name))
    except ValueError:
        return x509.DNSName(name)


def generate(names: list[str] | None = None) -> CertificateInfo:
    """Make and store a new self-signed certificate and key (replacing what is there)."""
    names = names or default_names()
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, names[0][:64]),
                         x509.NameAttribute(NameOID.ORGANIZATION_NAME, SELF_MADE_ORGANIZATION)])
    now = dt.datetime.now(dt.UTC)
    certificate = (
        x509.CertificateBuilder().subject_name(subject).issuer_name(subject).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=VALID_DAYS))
        .add_extension(x509.SubjectAlternativeName([_alt_name(n) for n in dict.fromkeys(names)]), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .sign(key, hashes.SHA256())
    )
    write_private_file(key_path(), key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                 serialization.NoEncryption()), mode=0o600)
    write_private_file(certificate_path(), certificate.public_bytes(serialization.Encoding.PEM), mode=0o600)
    return info()


def ensure() -> CertificateInfo:
    """The certificate in place, made now if there is none (first start of `make run`)."""
    if certificate_path().exists() and key_path().exists():
        return info()
    return generate()


def _load_chain(pem: bytes) -> list[x509.Certificate]:
    try:
        chain = x509.load_pem_x509_certificates(pem)
    except ValueError:
        raise CertificateRefused("The certificate file is not a PEM certificate.") from None
    return chain


def info() -> CertificateInfo:
    leaf = _load_chain(certificate_path().read_bytes())[0]
    try:
        names = [str(n.value) for n in leaf.extensions.get_extension_for_class(x509.SubjectAlternativeName).value]
    except x509.ExtensionNotFound:
        names = []
    organization = leaf.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)
    return CertificateInfo(
        fingerprint=fingerprint(leaf), subject=leaf.subject.rfc4514_string(), names=names,
        not_after=leaf.not_valid_after_utc,
        self_made=leaf.issuer == leaf.subject and bool(organization) and organization[0].value == SELF_MADE_ORGANIZATION)


def fingerprint(certificate: x509.Certificate) -> str:
    return ":".join(f"{byte:02X}" for byte in certificate.fingerprint(hashes.SHA256()))


def install(certificate_pem: bytes, key_pem: bytes) -> CertificateInfo:
    """Use an admin's own certificate (with its chain) and key, after checking they belong together and
    the certificate is valid now. Nothing is replaced when they are refused."""
    chain = _load_chain(certificate_pem)
    try:
        key = serialization.load_pem_private_key(key_pem, password=None)
    except (ValueError, TypeError):
        raise CertificateRefused("The key file is not an unencrypted PEM private key.") from None
    leaf = chain[0]
    public = serialization.PublicFormat.SubjectPublicKeyInfo
    if key.public_key().public_bytes(serialization.Encoding.DER, public) != \
            leaf.public_key().public_bytes(serialization.Encoding.DER, public):
        raise CertificateRefused("The key does not belong to the certificate.")
    now = dt.datetime.now(dt.UTC)
    if not leaf.not_valid_before_utc <= now <= leaf.not_valid_after_utc:
        raise CertificateRefused(f"The certificate is not valid now (valid {leaf.not_valid_before_utc:%Y-%m-%d} to "
                                 f"{leaf.not_valid_after_utc:%Y-%m-%d}).")
    write_private_file(key_path(), key_pem, mode=0o600)
    write_private_file(certificate_path(), b"".join(c.public_bytes(serialization.Encoding.PEM) for c in chain), mode=0o600)
    return info()
