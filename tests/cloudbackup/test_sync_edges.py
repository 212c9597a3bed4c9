"""Edges of a sync: dry run, a missing source area, odd file names, secrets never exposed."""

from __future__ import annotations

import logging
import shutil
import threading
import unicodedata
from pathlib import Path

import pytest

from anemone.files.paths import area_root
from anemone.runs.models import RunStatus
from cloudbackup import restore, sync
from cloudbackup.models import Kind
from tests.cloudbackup.conftest import CRYPT_CANARY, make_destination, put

pytestmark = pytest.mark.django_db


def test_it_previews_without_changing_anything(rclone_key, sshd, alice):
    dest = make_destination(Kind.SFTP, sshd=sshd)
    put(alice, "a.txt", b"a")
    run = sync.request_sync(dest.pk, dry_run=True, inline=True)
    run.refresh_from_db()
    assert run.status == RunStatus.SUCCEEDED
    item = run.items.get(user=alice)
    assert item.stats["would_copy"] == ["a.txt"]
    assert not (Path(dest.remote_path) / "backup").exists()


def test_it_never_deletes_the_mirror_of_a_missing_area(rclone_key, sshd, alice, bob):
    dest = make_destination(Kind.SFTP, sshd=sshd)
    put(alice, "keep.txt", b"precious")
    put(bob, "b.txt", b"b")
    sync.request_sync(dest.pk, inline=True)
    shutil.rmtree(area_root(alice, "backup"))
    run = sync.request_sync(dest.pk, inline=True)
    run.refresh_from_db()
    assert run.status == RunStatus.PARTIAL
    assert "missing or unreadable" in run.message
    assert (Path(dest.remote_path) / "backup/alice/keep.txt").read_bytes() == b"precious"


ODD_NAMES = [
    "with space.txt", "-leading-dash.txt", "--help", "émoji 🎉.txt", unicodedata.normalize("NFC", "café.txt"),
    unicodedata.normalize("NFD", "naïve.txt"), "x" * 200 + ".txt", "new\nline.txt", "tab\there.txt",
]


def test_it_round_trips_odd_names_or_reports_them(rclone_key, sshd, alice):
    dest = make_destination(Kind.SFTP, sshd=sshd)
    for name in ODD_NAMES:
        put(alice, f"odd/{name}", name.encode())
    run = sync.request_sync(dest.pk, inline=True)
    run.refresh_from_db()
    reported = run.items.get(user=alice).message
    back = restore.request_restore(dest, alice, path="odd", inline=True)
    back.refresh_from_db()
    restored = area_root(alice, "backup") / back.items.get().stats["restored_to"]
    for name in ODD_NAMES:
        copied = (restored / name).exists() and (restored / name).read_bytes() == name.encode()
        assert copied or name.split("\n")[0] in reported, name


def test_it_keeps_secrets_out_of_argv_logs_api_and_admin(rclone_key, s3_server, sshd, alice, admin_user, client, caplog):
    dest = make_destination(Kind.S3, crypt=True, s3=s3_server)
    for i in range(200):
        put(alice, f"many/{i}.bin", bytes(1000))
    seen_argv: list[str] = []
    stop = threading.Event()

    def watch() -> None:
        while not stop.is_set():
            for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
                try:
                    seen_argv.append(cmdline.read_bytes().decode(errors="replace"))
                except OSError:
                    continue

    watcher = threading.Thread(target=watch)
    watcher.start()
    with caplog.at_level(logging.DEBUG):
        run = sync.request_sync(dest.pk, inline=True)
    stop.set()
    watcher.join()
    run.refresh_from_db()
    assert run.status == RunStatus.SUCCEEDED, run.message
    assert any("rclone" in a and "sync" in a for a in seen_argv)  # we did watch the sync
    canaries = [s3_server.secret, CRYPT_CANARY]
    client.force_login(admin_user)
    pages = [client.get(f"/admin/cloudbackup/destination/{dest.pk}/change/").content.decode(),
             client.get(f"/api/v1/cloud/destinations/{dest.pk}/").content.decode(),
             client.get(f"/api/v1/runs/{run.pk}/").content.decode(), caplog.text, run.log_tail, run.message]
    ours = [a for a in seen_argv if "\x00serve\x00" not in a]  # the S3 stand-in itself takes its key in argv
    for canary in canaries:
        assert not any(canary in a for a in ours)
        assert not any(canary in page for page in pages)


def test_it_prunes_version_folders_older_than_the_retention(rclone_key, sshd, alice):
    from datetime import UTC, datetime, timedelta

    dest = make_destination(Kind.SFTP, sshd=sshd, retention_days=30)
    versions = Path(dest.remote_path) / ".versions"
    old = (datetime.now(UTC) - timedelta(days=31)).strftime(sync.VERSION_FORMAT)
    recent = (datetime.now(UTC) - timedelta(days=29)).strftime(sync.VERSION_FORMAT)
    for stamp in (old, recent):
        (versions / stamp / "alice").mkdir(parents=True)
        (versions / stamp / "alice" / "f.txt").write_text(stamp)
    put(alice, "a.txt", b"a")
    run = sync.request_sync(dest.pk, inline=True)
    run.refresh_from_db()
    assert run.status == RunStatus.SUCCEEDED and "1 old version folders pruned" in run.message
    assert not (versions / old).exists() and (versions / recent / "alice/f.txt").read_text() == recent
