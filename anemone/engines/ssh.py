"""SSH keys: Ed25519 key pairs in OpenSSH format, public-key validation and fingerprints.

Used by cloud destinations (the rclone key) and peers (our P2P key). Host-key pinning helpers live
here too, so both share one implementation.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from anemone.engines.files import write_private_file

PUBLIC_KEY_RE = re.compile(r"^(ssh-ed25519|ssh-rsa) ([A-Za-z0-9+/]+={0,3})(?: ([^\r\n]*))?$")


class InvalidPublicKey(ValueError):
    pass


def generate_ed25519(path: Path, comment: str) -> str:
    """Write a new private key to `path` (0600) and `path.pub`; return the public key line."""
    key = Ed25519PrivateKey.generate()
    private = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.OpenSSH, serialization.NoEncryption()
    )
    public = key.public_key().public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH)
    line = f"{public.decode()} {comment}".strip()
    write_private_file(path, private)
    write_private_file(path.with_name(path.name + ".pub"), line + "\n")
    return line


def read_public_key(path: Path) -> str:
    return path.with_name(path.name + ".pub").read_text().strip()


def parse_public_key(line: str) -> tuple[str, bytes, str]:
    """(type, blob, comment) of an OpenSSH public key line, or InvalidPublicKey with a clear reason."""
    match = PUBLIC_KEY_RE.match(line.strip())
    if not match:
        raise InvalidPublicKey("Expected an OpenSSH public key: 'ssh-ed25519 AAAA…' or 'ssh-rsa AAAA…'.")
    key_type, data, comment = match.group(1), match.group(2), match.group(3) or ""
    try:
        blob = base64.b64decode(data, validate=True)
    except binascii.Error as exc:
        raise InvalidPublicKey("The key's base64 is damaged.") from exc
    name_len = int.from_bytes(blob[:4], "big") if len(blob) >= 4 else -1
    if name_len <= 0 or blob[4:4 + name_len].decode(errors="replace") != key_type:
        raise InvalidPublicKey("The key's content does not match its type (truncated or damaged).")
    if key_type == "ssh-ed25519" and len(blob) != 51:
        raise InvalidPublicKey("An ssh-ed25519 key must hold exactly 32 key bytes.")
    return key_type, blob, comment


def fingerprint(line_or_blob: str | bytes) -> str:
    """OpenSSH-style SHA256 fingerprint ('SHA256:...')."""
    blob = line_or_blob if isinstance(line_or_blob, bytes) else parse_public_key(line_or_blob)[1]
    digest = base64.b64encode(hashlib.sha256(blob).digest()).decode().rstrip("=")
    return f"SHA256:{digest}"


# --- host keys: fetch, pin (trust on first use), compare -------------------------------------------

class HostUnreachable(OSError):
    """Nothing answered SSH at host:port (refused, timeout, unknown name)."""


def known_hosts_host(host: str, port: int) -> str:
    return host if port == 22 else f"[{host}]:{port}"


class HostKeyTypeGone(HostUnreachable):
    """The server answered but no longer offers a host key of the asked (pinned) type."""


def fetch_host_key(host: str, port: int, timeout: float = 10.0, algorithms: list[str] | None = None) -> str:
    """The server's host key as a known_hosts line, read with paramiko (no login attempted).

    `algorithms` asks for one key type (that of a pinned key: see host_key_algorithms); without it
    paramiko's preference picks (Ed25519 first)."""
    import socket

    import paramiko

    try:
        sock = socket.create_connection((host, port), timeout=timeout)
    except TimeoutError as exc:
        raise HostUnreachable(f"{host}:{port} did not answer within {timeout:.0f} s") from exc
    except ConnectionRefusedError as exc:
        raise HostUnreachable(f"connection refused by {host}:{port}") from exc
    except OSError as exc:
        raise HostUnreachable(f"{host}:{port} cannot be reached ({exc.strerror or exc})") from exc
    transport = paramiko.Transport(sock)
    if algorithms:
        options = transport.get_security_options()
        options.key_types = [a for a in algorithms if a in options.key_types] or list(options.key_types)
    try:
        transport.banner_timeout = timeout
        transport.start_client(timeout=timeout)
        key = transport.get_remote_server_key()
    except paramiko.IncompatiblePeer as exc:
        raise HostKeyTypeGone(f"{host}:{port} no longer offers a {' or '.join(algorithms or [])} host key") from exc
    except (paramiko.SSHException, EOFError, OSError) as exc:
        raise HostUnreachable(f"{host}:{port} does not speak SSH") from exc
    finally:
        transport.close()
    return f"{known_hosts_host(host, port)} {key.get_name()} {key.get_base64()}"


def host_key_algorithms(known_hosts_line: str) -> str:
    """The SSH host key algorithms that make a client ask the server for the pinned key's type.

    A stock OpenSSH server offers RSA, ECDSA and Ed25519 host keys; paramiko (which pins) prefers
    Ed25519 and Go's SSH (rclone) ECDSA, so without this a pinned key looks "changed" on the first sync
    (measured: knownhosts: key mismatch). An RSA key is signed with SHA-2 today, SHA-1 ("ssh-rsa") by old servers.
    """
    key_type = known_hosts_line.split()[1]
    return "rsa-sha2-512 rsa-sha2-256 ssh-rsa" if key_type == "ssh-rsa" else key_type


def host_key_fingerprint(known_hosts_line: str) -> str:
    """SHA256 fingerprint of the key in a known_hosts line."""
    _host, key_type, data = known_hosts_line.split()[:3]
    return fingerprint(f"{key_type} {data}")
