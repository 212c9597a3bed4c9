"""Sync and restore against real servers: the seed's layout, history under .versions/, crypt.

For each kind, with and without crypt, the remote is compared byte for byte with the source three
ways: read back through rclone (decrypting), on the server's own disk (plain destinations: the seed's
`backup/{username}/` layout is what the server's admin sees), and after a restore into the area.
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

import pytest

from anemone.engines import rclone
from anemone.files.paths import area_root
from anemone.runs.models import RunStatus
from anemone.runs.services import request as request_run
from cloudbackup import backends, restore
from cloudbackup.models import Kind
from tests.cloudbackup.conftest import make_destination, put, server_root, tree

pytestmark = pytest.mark.django_db
STAMP = r"\d{8}T\d{6}Z"


def remote_files(dest) -> dict[str, bytes]:
    """What the destination holds, copied back through rclone (decrypting crypt destinations)."""
    remote = backends.remote(dest)
    with tempfile.TemporaryDirectory() as local:
        rclone.simple(["copy", remote.root, local, *backends.name_flags(dest)], remote.env,
                      config_file=remote.config_file)
        return tree(Path(local))


def sources(*people) -> dict[str, bytes]:
    """The source areas in the seed's layout: backup/{username}/<path> → bytes."""
    return {f"backup/{p.username}/{rel}": data for p in people for rel, data in tree(area_root(p, "backup")).items()}


def mirror(files: dict[str, bytes]) -> dict[str, bytes]:
    return {path: data for path, data in files.items() if path.startswith("backup/")}


def synced(dest):  # type: ignore[no-untyped-def]
    run = request_run("cloud", dest.pk, inline=True)
    run.refresh_from_db()
    assert run.status == RunStatus.SUCCEEDED, run.message
    return run


@pytest.fixture(params=[
    (Kind.SFTP, False), (Kind.SFTP, True), (Kind.S3, False), (Kind.S3, True), (Kind.WEBDAV, False), (Kind.WEBDAV, True),
], ids=lambda p: f"{p[0]}{'-crypt' if p[1] else ''}")
def destination(request, rclone_key, sshd, s3_server, webdav_server):
    kind, crypt = request.param
    dest = make_destination(kind, crypt=crypt, sshd=sshd, s3=s3_server, webdav=webdav_server)
    dest.server_root = server_root(dest, sshd=sshd, s3=s3_server, webdav=webdav_server)
    return dest


def test_it_mirrors_each_users_backup_area_and_keeps_history(destination, admin_user, alice, bob):
    cat = b"\xff\xd8 cat " * 500
    put(alice, "photos/cat.jpg", cat)
    put(alice, "notes.txt", b"first version")
    put(alice, "deep/er/and/deeper/file with space.txt", b"deep")
    put(bob, "taxes.pdf", b"%PDF bob")
    run = synced(destination)
    assert mirror(remote_files(destination)) == sources(admin_user, alice, bob)
    assert {i.user.username: i.files for i in run.items.all()} == {"admin": 0, "alice": 3, "bob": 1}
    stored = tree(destination.server_root)
    if destination.has_crypt:  # the server sees neither names nor contents
        assert stored and not any(b"cat " in c or b"%PDF" in c for c in stored.values())
        assert not any("alice" in name or "notes" in name for name in stored)
    else:  # the seed's layout, as the server's admin sees it on disk
        assert {f"backup/{path}": data for path, data in tree(destination.server_root / "backup").items()} == \
            sources(admin_user, alice, bob)

    (area_root(alice, "backup") / "notes.txt").unlink()
    put(alice, "photos/cat.jpg", b"encrypted by ransomware")
    second = synced(destination)
    assert second.items.get(user=alice).stats["deletes"] >= 1  # S3 counts the moves into .versions/ too
    files = remote_files(destination)
    assert mirror(files) == sources(admin_user, alice, bob)
    assert "backup/alice/notes.txt" not in files
    old = {p: c for p, c in files.items() if p.startswith(".versions/")}
    assert len(old) == 2 and all(re.fullmatch(rf"\.versions/{STAMP}/alice/.+", p) for p in old), sorted(old)
    assert {p.split("/", 2)[2]: c for p, c in old.items()} == {"alice/notes.txt": b"first version",
                                                               "alice/photos/cat.jpg": cat}
    stamp = next(iter(old)).split("/")[1]
    assert restore.versions(destination, alice) == [stamp] and restore.versions(destination, bob) == []

    everything = restore.request_restore(destination, alice, inline=True)
    everything.refresh_from_db()
    assert everything.status == RunStatus.SUCCEEDED, everything.message
    restored = area_root(alice, "backup") / everything.items.get().stats["restored_to"]
    assert tree(restored) == {"photos/cat.jpg": b"encrypted by ransomware",
                              "deep/er/and/deeper/file with space.txt": b"deep"}

    rerun = restore.request_restore(destination, alice, path="photos", version=stamp, inline=True)
    rerun.refresh_from_db()
    assert rerun.status == RunStatus.SUCCEEDED, rerun.message
    day = f"{stamp[:4]}-{stamp[4:6]}-{stamp[6:8]}"  # the good copy lands beside the encrypted one
    assert tree(area_root(alice, "backup") / rerun.items.get().stats["restored_to"]) == {
        "cat.jpg": b"encrypted by ransomware", f"cat (restored {day}).jpg": cat}
    assert (area_root(alice, "backup") / "photos/cat.jpg").read_bytes() == b"encrypted by ransomware"
