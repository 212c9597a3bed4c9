"""The master key and sealing of secrets at rest (AES-256-GCM).

The master key lives in DATA_DIR/certs/master.key (0600). It is created by setup and handed to the
admin once as the recovery kit: with it, sealed values (users' backup keys, cloud passwords) can be
opened again on a fresh install. Sealed text looks like ``v1:<key id>:<base64(nonce+ciphertext)>``;
the key id lets us tell "wrong master key" from "corrupted value".
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings

from anemone.engines.files import write_private_file

PREFIX = "v1"


class MasterKeyMissing(RuntimeError):
    """Setup has not created the master key yet (or the data dir lost it)."""


class SealError(ValueError):
    """A sealed value cannot be opened with this server's master key."""


def master_key_path() -> Path:
    return Path(settings.DATA_DIR) / "certs" / "master.key"


def create_master_key() -> bytes:
    """Create the master key once; refuse to replace an existing one (it would orphan every secret)."""
    path = master_key_path()
    if path.exists():
        return load_master_key()
    key = AESGCM.generate_key(bit_length=256)
    write_private_file(path, base64.b64encode(key).decode() + "\n")
    return key


def install_master_key(encoded: str) -> bytes:
    """Put a master key from a recovery kit in place (import of an existing installation)."""
    key = decode_key(encoded)
    write_private_file(master_key_path(), base64.b64encode(key).decode() + "\n")
    return key


def decode_key(encoded: str) -> bytes:
    try:
        key = base64.b64decode(encoded.strip(), validate=True)
    except ValueError as exc:
        raise SealError("The master key is not valid base64.") from exc
    if len(key) != 32:
        raise SealError("The master key must be 32 bytes.")
    return key


def load_master_key() -> bytes:
    path = master_key_path()
    if not path.exists():
        raise MasterKeyMissing(f"No master key at {path}: finish setup first.")
    return decode_key(path.read_text())


def key_id(key: bytes) -> str:
    return hashlib.sha256(b"anemone-key-id" + key).hexdigest()[:8]


def seal(plaintext: str, key: bytes | None = None) -> str:
    key = key or load_master_key()
    nonce = secrets.token_bytes(12)
    box = AESGCM(key).encrypt(nonce, plaintext.encode(), PREFIX.encode())
    return f"{PREFIX}:{key_id(key)}:{base64.b64encode(nonce + box).decode()}"


def unseal(sealed: str, key: bytes | None = None) -> str:
    key = key or load_master_key()
    try:
        prefix, kid, payload = sealed.split(":", 2)
    except ValueError as exc:
        raise SealError("This value is not a sealed secret.") from exc
    if prefix != PREFIX:
        raise SealError(f"Unknown sealed format {prefix!r}.")
    if kid != key_id(key):
        raise SealError("This secret was sealed with another master key (restore the recovery kit).")
    raw = base64.b64decode(payload)
    try:
        return AESGCM(key).decrypt(raw[:12], raw[12:], PREFIX.encode()).decode()
    except InvalidTag as exc:
        raise SealError("This sealed secret is corrupted.") from exc


def derive_secret(purpose: str, key: bytes | None = None) -> str:
    """A stable secret for one purpose (e.g. the USB repository password), recoverable from the kit."""
    key = key or load_master_key()
    return hashlib.sha256(b"anemone:" + purpose.encode() + b":" + key).hexdigest()


def new_backup_key() -> str:
    """A user's backup key: 32 random bytes, URL-safe text (it is also a restic password)."""
    return secrets.token_urlsafe(32)


def recovery_kit_text(server_name: str) -> str:
    key = base64.b64encode(load_master_key()).decode()
    return (
        "ANEMONE RECOVERY KIT\n"
        "====================\n\n"
        f"Server: {server_name}\n"
        f"Master key id: {key_id(load_master_key())}\n\n"
        f"Master key: {key}\n\n"
        "Keep this page somewhere safe and offline (printed, or in a password manager).\n"
        "It opens this server's sealed secrets and its USB backups: with it, a fresh install can\n"
        "import everything from a USB backup (Setup > Import an existing installation, or\n"
        "`manage.py usb_restore`). Without it, encrypted backups of the configuration cannot be read.\n"
    )


def recovery_kit_path() -> Path:
    return Path(settings.DATA_DIR) / "certs" / "recovery-kit.txt"
