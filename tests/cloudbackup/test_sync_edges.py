"""Edges of a sync: dry run, a missing source area, pruning old versions.

Odd file names: test_odd_names.py; secrets: test_secrets.py."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from anemone.files.paths import area_root
from anemone.runs.models import Run, RunStatus
from anemone.runs.services import request as request_run
from anemone.runs.tasks import execute as execute_run
from cloudbackup import restore, services, sync
from cloudbackup.forms import version_label
from cloudbackup.models import Kind
from tests.cloudbackup.conftest import make_destination, put

pytestmark = pytest.mark.django_db


def test_it_previews_without_changing_anything(rclone_key, sshd, alice):
    dest = make_destination(Kind.SFTP, sshd=sshd)
    put(alice, "a.txt", b"a")
    run = request_run("cloud", dest.pk, options={"dry_run": True}, inline=True)
    run.refresh_from_db()
    assert run.status == RunStatus.SUCCEEDED
    item = run.items.get(user=alice)
    assert item.stats["would_copy"] == ["a.txt"]
    assert not (Path(dest.remote_path) / "backup").exists()


def test_it_never_deletes_the_mirror_of_a_missing_area(rclone_key, sshd, alice, bob):
    dest = make_destination(Kind.SFTP, sshd=sshd)
    put(alice, "keep.txt", b"precious")
    put(bob, "b.txt", b"b")
    request_run("cloud", dest.pk, inline=True)
    shutil.rmtree(area_root(alice, "backup"))
    run = request_run("cloud", dest.pk, inline=True)
    run.refresh_from_db()
    assert run.status == RunStatus.PARTIAL
    assert "missing or unreadable" in run.message
    assert (Path(dest.remote_path) / "backup/alice/keep.txt").read_bytes() == b"precious"


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
    run = request_run("cloud", dest.pk, inline=True)
    run.refresh_from_db()
    assert run.status == RunStatus.SUCCEEDED and "1 old version folders pruned" in run.message
    assert not (versions / old).exists() and (versions / recent / "alice/f.txt").read_text() == recent


def test_a_person_lists_their_versions_and_restores_one_from_the_page(rclone_key, sshd, alice, bob, client, api):
    dest = make_destination(Kind.SFTP, sshd=sshd)
    put(alice, "a.txt", b"one")
    request_run("cloud", dest.pk, inline=True)
    put(alice, "a.txt", b"second")  # another size: same size and second as "one" would look unchanged (mtime in s)
    request_run("cloud", dest.pk, inline=True)
    stamp = restore.versions(dest, alice)[0]
    client.force_login(alice)
    page = client.get(f"/cloud/restore/?destination={dest.pk}").content.decode()
    assert f'value="{stamp}"' in page and version_label(stamp) in page and "1 version of your files" in page
    assert api(alice).get("/api/v1/cloud-restore/", {"destination": dest.name}).json() == {"versions": [stamp]}
    assert api(bob).get("/api/v1/cloud-restore/", {"destination": dest.name}).json() == {"versions": []}
    client.post("/cloud/restore/", {"destination": dest.pk, "path": "a.txt", "version": stamp})
    run = Run.objects.get(kind=restore.KIND)
    execute_run(run.pk)  # what the worker does with the queued run
    run.refresh_from_db()
    assert run.status == RunStatus.SUCCEEDED, run.message
    restored = area_root(alice, "backup") / run.items.get().stats["restored_to"]  # beside the current one
    assert restored.name == f"a (restored {stamp[:4]}-{stamp[4:6]}-{stamp[6:8]}).txt" and restored.read_bytes() == b"one"
    assert (area_root(alice, "backup") / "a.txt").read_bytes() == b"second"


def test_an_admin_restores_a_persons_files_into_that_persons_area_and_a_user_cannot(rclone_key, sshd, admin_user,
                                                                                    alice, bob, client):
    dest = make_destination(Kind.SFTP, sshd=sshd)
    services.save_destination(dest, users=[bob])  # carries bob only
    put(bob, "thesis.odt", b"bob's thesis")
    request_run("cloud", dest.pk, inline=True)
    (area_root(bob, "backup") / "thesis.odt").unlink()  # lost on the NAS
    client.force_login(admin_user)
    page = client.get(f"/cloud/restore/?person={bob.pk}&destination={dest.pk}").content.decode()
    assert "Whose files" in page and "0 versions of bob's files" in page
    refused = client.post("/cloud/restore/", {"person": alice.pk, "destination": dest.pk, "path": ""})
    assert "does not carry alice" in refused.content.decode() and not Run.objects.filter(kind=restore.KIND).exists()
    client.post("/cloud/restore/", {"person": bob.pk, "destination": dest.pk, "path": "thesis.odt"})
    run = Run.objects.get(kind=restore.KIND)
    execute_run(run.pk)
    run.refresh_from_db()
    assert run.status == RunStatus.SUCCEEDED and run.target_id == bob.pk, run.message
    assert run.items.get().stats["restored_to"] == "thesis.odt"  # back at its own path
    assert (area_root(bob, "backup") / "thesis.odt").read_bytes() == b"bob's thesis"
    assert not any(p.name.startswith("restored-") for p in area_root(admin_user, "backup").iterdir())

    client.force_login(alice)  # not an admin: the person field is not hers to use
    assert "Whose files" not in client.get("/cloud/restore/").content.decode()
    client.post("/cloud/restore/", {"person": bob.pk, "destination": dest.pk, "path": ""})
    assert Run.objects.filter(kind=restore.KIND).count() == 1  # dest does not carry alice: nothing started
