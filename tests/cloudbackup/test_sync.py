"""Sync and restore against real servers: the seed's layout, history under .versions/, crypt."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

from anemone.engines import rclone
from anemone.files.paths import area_root
from anemone.runs.models import RunStatus
from cloudbackup import backends, restore, sync
from cloudbackup.models import Kind
from tests.cloudbackup.conftest import CRYPT_CANARY, make_destination, put

pytestmark = pytest.mark.django_db


def remote_files(dest) -> dict[str, bytes]:
    """What the destination holds, copied back through rclone (decrypting crypt destinations)."""
    remote = backends.remote(dest)
    with tempfile.TemporaryDirectory() as local:
        rclone.simple(["copy", remote.root, local], remote.env, config_file=remote.config_file)
        return raw_tree(Path(local))


def raw_tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*") if p.is_file()}


@pytest.fixture(params=[
    (Kind.SFTP, False), (Kind.SFTP, True), (Kind.S3, False), (Kind.S3, True), (Kind.WEBDAV, False), (Kind.WEBDAV, True),
], ids=lambda p: f"{p[0]}{'-crypt' if p[1] else ''}")
def destination(request, rclone_key, sshd, s3_server, webdav_server):
    kind, crypt = request.param
    return make_destination(kind, crypt=crypt, sshd=sshd, s3=s3_server, webdav=webdav_server)


def test_it_mirrors_each_users_backup_area_and_keeps_history(destination, alice, bob):
    put(alice, "photos/cat.jpg", b"\xff\xd8 cat " * 500)
    put(alice, "notes.txt", b"first version")
    put(bob, "taxes.pdf", b"%PDF bob")
    run = sync.request_sync(destination.pk, inline=True)
    run.refresh_from_db()
    assert run.status == RunStatus.SUCCEEDED, run.message
    files = remote_files(destination)
    assert files["backup/alice/photos/cat.jpg"] == b"\xff\xd8 cat " * 500
    assert files["backup/bob/taxes.pdf"] == b"%PDF bob"
    assert {i.user.username: i.files for i in run.items.all()} == {"admin": 0, "alice": 2, "bob": 1}

    (area_root(alice, "backup") / "notes.txt").unlink()
    put(alice, "photos/cat.jpg", b"encrypted by ransomware")
    second = sync.request_sync(destination.pk, inline=True)
    second.refresh_from_db()
    assert second.status == RunStatus.SUCCEEDED, second.message
    files = remote_files(destination)
    assert "backup/alice/notes.txt" not in files
    assert files["backup/alice/photos/cat.jpg"] == b"encrypted by ransomware"
    old = {p: c for p, c in files.items() if p.startswith(".versions/")}
    assert any(p.endswith("/alice/notes.txt") and c == b"first version" for p, c in old.items())
    assert any(p.endswith("/alice/photos/cat.jpg") and c.startswith(b"\xff\xd8") for p, c in old.items())

    if destination.has_crypt:  # nothing readable at rest on the server
        raw_root = {Kind.SFTP: Path(destination.remote_path)}.get(destination.kind)
        if raw_root is not None:
            stored = raw_tree(raw_root)
            assert stored and not any(b"cat " in c or b"%PDF" in c for c in stored.values())
            assert not any("alice" in name for name in stored)

    version = restore.versions(destination, alice)[0]
    rerun = restore.request_restore(destination, alice, path="photos", version=version, inline=True)
    rerun.refresh_from_db()
    assert rerun.status == RunStatus.SUCCEEDED, rerun.message
    restored = area_root(alice, "backup") / rerun.items.get().stats["restored_to"]
    assert (restored / "cat.jpg").read_bytes() == b"\xff\xd8 cat " * 500
    assert (area_root(alice, "backup") / "photos/cat.jpg").read_bytes() == b"encrypted by ransomware"
    assert CRYPT_CANARY not in os.environ.get("RCLONE_CONFIG_DESTCRYPT_PASSWORD", "")
