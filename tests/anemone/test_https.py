"""HTTPS by default (issue #15, item 1): the server's own certificate, checked by fingerprint against a real
gunicorn serving it (`manage.py serve_https`, the `https` process of `make run`); an admin's own
certificate installed only when it fits its key and is valid; Secure cookies over HTTPS; plain HTTP on the
LAN redirected."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import socket
import ssl
import subprocess
import sys
import time

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from django.core.management import call_command
from django.core.management.base import CommandError

from anemone import tls
from tests.anemone.test_queue import scratch_env  # noqa: F401 - the fixture: own data dir, own database
from tests.anemone.test_ready import _stop
from tests.fixtures.processes import ROOT, manage
from tests.fixtures.sshd import free_port


def presented_fingerprint(port: int, timeout: float = 60.0) -> str:
    """The SHA-256 fingerprint of the certificate the server presents, as a browser's warning page shows it
    (no CA trusts it: the person compares the fingerprint)."""
    context = ssl.create_default_context()
    context.check_hostname, context.verify_mode = False, ssl.CERT_NONE
    deadline = time.monotonic() + timeout
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=5) as raw, \
                    context.wrap_socket(raw, server_hostname="localhost") as tls_socket:
                der = tls_socket.getpeercert(binary_form=True)
                return ":".join(f"{b:02X}" for b in hashlib.sha256(der).digest())
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)


def test_serve_https_makes_a_certificate_and_serves_the_portal_with_it(scratch_env, tmp_path):  # noqa: F811
    manage(scratch_env, "migrate", "--noinput", "-v", "0", timeout=300)
    port = free_port()
    log = tmp_path / "https.log"
    server = subprocess.Popen([sys.executable, "manage.py", "serve_https", "--bind", f"127.0.0.1:{port}"], cwd=ROOT,
                              env=scratch_env, stdout=log.open("w"), stderr=subprocess.STDOUT, start_new_session=True)
    try:
        seen = presented_fingerprint(port)
        shown = manage(scratch_env, "certificate", "show")  # last line: who made it
        printed = subprocess.run([sys.executable, "manage.py", "certificate", "show"], cwd=ROOT, env=scratch_env,
                                 capture_output=True, text=True, timeout=60).stdout
        assert f"fingerprint SHA-256 {seen}" in printed and shown == "made by this server"
        assert seen in log.read_text()  # what `make run` prints is what the browser will be shown
        import requests

        context_file = tmp_path / "data" / "certs" / "portal.crt"
        answer = requests.get(f"https://127.0.0.1:{port}/login/", verify=str(context_file), timeout=30)
        assert answer.status_code == 200
        assert "secure" in answer.headers["Set-Cookie"].lower()  # the CSRF cookie never travels over HTTP
        assert oct((tmp_path / "data" / "certs" / "portal.key").stat().st_mode & 0o777) == "0o600"
    finally:
        _stop(server)


def test_the_certificate_covers_this_machine_and_a_new_one_changes_the_fingerprint(db, settings, tmp_path):
    first = tls.ensure()
    assert first.self_made and {"localhost", "127.0.0.1", socket.gethostname()} <= set(first.names)
    assert first.not_after > dt.datetime.now(dt.UTC) + dt.timedelta(days=3000)
    assert tls.ensure().fingerprint == first.fingerprint  # made once, kept
    again = tls.generate(["nas.example.org", "192.0.2.10"])
    assert again.fingerprint != first.fingerprint and again.names == ["nas.example.org", "192.0.2.10"]


def _own_pair(days: int = 90, *, mismatched: bool = False) -> tuple[bytes, bytes]:
    """A certificate signed by a CA of ours, and its key, as an admin's Let's Encrypt files would be."""
    ca_key, key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Family CA")])
    now = dt.datetime.now(dt.UTC)
    leaf = (x509.CertificateBuilder().subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "nas.example.org")]))
            .issuer_name(ca_name).public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=days))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName("nas.example.org")]), critical=False)
            .sign(ca_key, hashes.SHA256()))
    used_key = ec.generate_private_key(ec.SECP256R1()) if mismatched else key
    return (leaf.public_bytes(serialization.Encoding.PEM),
            used_key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                   serialization.NoEncryption()))


def test_an_admins_own_certificate_is_installed_only_when_it_fits(db, tmp_path):
    made = tls.ensure()
    for pair, reason in ((_own_pair(mismatched=True), "does not belong"), (_own_pair(days=-1), "not valid now"),
                         ((b"not a certificate", b""), "not a PEM certificate")):
        (tmp_path / "c.pem").write_bytes(pair[0])
        (tmp_path / "k.pem").write_bytes(pair[1])
        with pytest.raises(CommandError, match=reason):
            call_command("certificate", "install", str(tmp_path / "c.pem"), str(tmp_path / "k.pem"))
        assert tls.info().fingerprint == made.fingerprint  # nothing replaced
    certificate, key = _own_pair()
    (tmp_path / "c.pem").write_bytes(certificate)
    (tmp_path / "k.pem").write_bytes(key)
    out = io.StringIO()
    call_command("certificate", "install", str(tmp_path / "c.pem"), str(tmp_path / "k.pem"), stdout=out)
    assert "installed by an admin" in out.getvalue() and "nas.example.org" in out.getvalue()
    assert not tls.info().self_made


def test_cookies_are_secure_over_https_and_plain_on_loopback_http(client, admin_user):
    assert client.get("/login/", secure=True).cookies["csrftoken"]["secure"] is True
    assert not client.get("/login/").cookies["csrftoken"]["secure"]  # scripts on this machine, plain HTTP


def test_plain_http_on_the_lan_redirects_to_https(client, admin_user, settings):
    settings.SERVER_BIND = "0.0.0.0:8000"  # an admin opened plain HTTP to the LAN
    answer = client.get("/login/?next=/files/", REMOTE_ADDR="198.51.100.7", HTTP_HOST="nas.local:8000")
    assert answer.status_code == 301 and answer["Location"] == "https://nas.local:8443/login/?next=/files/"
    assert "Set-Cookie" not in answer  # nothing handed out in clear
    assert client.get("/health", REMOTE_ADDR="198.51.100.7").status_code == 200
    assert client.get("/login/", REMOTE_ADDR="127.0.0.1").status_code == 200  # this machine: served
    settings.SERVER_BIND = "127.0.0.1:8000"
    assert client.get("/login/", REMOTE_ADDR="198.51.100.7").status_code == 200  # behind a proxy
    settings.SERVER_BIND, settings.HTTPS_BIND = "0.0.0.0:8000", ""
    assert client.get("/login/", REMOTE_ADDR="198.51.100.7").status_code == 200  # HTTPS turned off
