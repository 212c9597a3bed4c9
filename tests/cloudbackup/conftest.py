"""Destinations against the real test servers (sshd, rclone serve s3/webdav)."""

from __future__ import annotations

import secrets
from pathlib import Path

import pytest

from anemone.files.paths import area_root
from cloudbackup import keys, services
from cloudbackup.models import Destination, Kind

CRYPT_CANARY = "crypt-canary-5d21"


@pytest.fixture
def rclone_key(data_dir, master_key, sshd):
    public = keys.generate()
    sshd.authorize(public)
    return public


def make_destination(kind: str, *, crypt: bool = False, sshd=None, s3=None, webdav=None, **extra) -> Destination:
    name = f"{kind}-{secrets.token_hex(3)}"
    dest = Destination(name=name, kind=kind, retention_days=30)
    secrets_ = {"crypt_password": CRYPT_CANARY if crypt else None}
    if kind == Kind.SFTP:
        (sshd.root / "srv" / name).mkdir(parents=True)
        dest.host, dest.port, dest.username, dest.remote_path = sshd.host, sshd.port, "root", str(sshd.root / "srv" / name)
    elif kind == Kind.S3:
        dest.endpoint, dest.bucket, dest.access_key, dest.remote_path = s3.url, "family", s3.user, name
        secrets_["secret"] = s3.secret
    elif kind == Kind.WEBDAV:
        dest.url, dest.username, dest.remote_path = webdav.url, webdav.user, name
        secrets_["password"] = webdav.secret
    for key, value in extra.items():
        setattr(dest, key, value)
    return services.save_destination(dest, secrets=secrets_)


def put(user, relpath: str, content: bytes) -> None:
    path = area_root(user, "backup") / relpath
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)


def tree(root: Path) -> dict[str, bytes]:
    """Every file under root: relative path → bytes (empty when root does not exist)."""
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def server_root(dest: Destination, *, sshd=None, s3=None, webdav=None) -> Path:
    """Where the test server stores the destination's files on disk (what its admin would see)."""
    if dest.kind == Kind.SFTP:
        return Path(dest.remote_path)
    if dest.kind == Kind.S3:
        return s3.root / dest.bucket / dest.remote_path
    return webdav.root / dest.remote_path
