"""Odd file names: each one round-trips (sync, then restore, byte-identical name and content) or is
named on the run — on every kind, with and without crypt, against the real servers."""

from __future__ import annotations

import os
import shutil
import unicodedata
from pathlib import Path

import pytest

from anemone.engines.rclone import printable
from anemone.files.paths import area_root
from anemone.runs.models import RunStatus
from anemone.runs.services import request as request_run
from cloudbackup import restore
from cloudbackup.models import Kind
from tests.cloudbackup.conftest import make_destination, put

pytestmark = pytest.mark.django_db

NFC, NFD = (lambda s: unicodedata.normalize("NFC", s)), (lambda s: unicodedata.normalize("NFD", s))
ODD_NAMES = [
    "with space.txt", " leading space.txt", "trailing space.txt ", "-leading-dash.txt", "--help", "-",
    "émoji 🎉.txt", NFD("naïve.txt"),
    NFC("café.txt"), NFD("café.txt"),  # twins: different bytes, equal once normalised; both are files here
    "x" * 251 + ".txt",  # 255 bytes, the longest name ext4 takes (longer still once crypt encodes it)
    "é" * 127,  # 254 bytes of UTF-8
    "new\nline.txt", "tab\there.txt",
    # Names a shell would read as commands, quotes or patterns (an outside pass saw such files neither copied nor
    # named): each is an ordinary name to rclone and the server, and must arrive or be reported.
    "$(touch canary).txt", "`id`.txt", "a;rm -rf x.txt", "a|b.txt", "a&b.txt", "'quote'.txt", '"dq".txt',
    "back\\slash.txt", "*", "?", "[a].txt", "<lt>.txt", "100%.txt", "a:b.txt", "#hash", "~tilde",
]


@pytest.fixture(params=[
    ("seed", False), (Kind.SFTP, False), (Kind.SFTP, True), (Kind.S3, False), (Kind.S3, True), (Kind.WEBDAV, False), (Kind.WEBDAV, True),
], ids=lambda p: f"{p[0]}{'-crypt' if p[1] else ''}")
def destination(request, rclone_key, sshd, sshd_seed, s3_server, webdav_server):
    kind, crypt = request.param
    if kind == "seed":  # the seed guide's server, whose account may run commands
        sshd_seed.authorize(rclone_key)
        return make_destination(Kind.SFTP, sshd=sshd_seed)
    return make_destination(kind, crypt=crypt, sshd=sshd, s3=s3_server, webdav=webdav_server)


def test_each_odd_name_round_trips_or_is_reported(destination, alice):
    assert len({n.encode() for n in ODD_NAMES}) == len(ODD_NAMES)
    for name in ODD_NAMES:
        put(alice, f"odd/{name}", name.encode())
    os.symlink("with space.txt", area_root(alice, "backup") / "odd" / "a link")
    run = request_run("cloud", destination.pk, inline=True)
    run.refresh_from_db()
    item = run.items.get(user=alice)
    again = request_run("cloud", destination.pk, inline=True)
    again.refresh_from_db()
    stats = again.items.get(user=alice).stats
    # No churn on the next sync; a name that cannot be stored keeps the run partial, never failed (users after
    # alice are still synced).
    assert again.status == RunStatus.PARTIAL and (stats["transferred"], stats["deletes"]) == (0, 0), again.message
    shutil.rmtree(area_root(alice, "backup") / "odd")  # lost on the NAS: the restore brings the files back in place
    back = restore.request_restore(destination, alice, path="odd", inline=True)
    back.refresh_from_db()
    restored = area_root(alice, "backup") / back.items.get().stats["restored_to"]
    on_disk = {p.name.encode(): p for p in restored.iterdir()}  # by bytes: NFC/NFD twins must not be confused

    lost = []
    for name in ODD_NAMES:
        path = on_disk.get(name.encode())
        if path is None or path.read_bytes() != name.encode():
            lost.append(name)
            assert f"odd/{printable(name)}: " in item.message, (name, item.message)
    assert "not copied: odd/a link: Can't follow symlink" in item.message  # a symlink is not a file: said so
    assert run.status == RunStatus.PARTIAL and item.stats["skipped"] >= 1
    assert "alice: not copied: odd/a link" in run.message  # the run's summary names it too
    if destination.kind == Kind.SFTP and not destination.has_crypt:
        assert lost == []  # a Linux server keeps every one of these names
        # No name ran as a command, here or on the server (its account's home is the test runner's).
        assert not any((where / "canary").exists() for where in (Path.home(), Path.cwd(), Path(destination.remote_path)))
    assert len(lost) <= 3, lost  # what may be lost, always reported: a crypt-lengthened name, one NFC/NFD twin
