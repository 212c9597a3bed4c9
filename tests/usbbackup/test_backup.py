"""Real USB backups with restic onto real mounts (loop ext4, tmpfs): the whole run, then the edges."""

from __future__ import annotations

import base64
import json
import os
import subprocess

import pytest
from django.contrib.auth import get_user_model

from anemone import crypto
from anemone.files.paths import area_root, user_root
from anemone.runs.models import RunStatus
from anemone.runs.services import request as request_run
from tests.conftest import make_person
from tests.usbbackup.conftest import tree_bytes, write_tree
from usbbackup import detection, layout, repo, services
from usbbackup.models import Scope, UsbBackup

pytestmark = pytest.mark.django_db(transaction=True)  # the SQLite online backup needs no open transaction

ALICE_FILES = {"backup/photos/sea.jpg": os.urandom(70_000), "backup/notes.txt": b"milk\n",
               "data/film.mkv": os.urandom(40_000), "backup/empty-dir/.keep": b""}
BOB_FILES = {"backup/thesis.odt": os.urandom(30_000), "backup/un fichier accentué é.txt": "été".encode()}


@pytest.fixture
def people(db):  # type: ignore[no-untyped-def]
    crypto.create_master_key()
    make_person("admin", admin=True)
    alice, bob = make_person("alice"), make_person("bob")
    write_tree(user_root("alice"), ALICE_FILES)
    write_tree(user_root("bob"), BOB_FILES)
    return alice, bob


def make_job(mount, users, **fields) -> UsbBackup:  # type: ignore[no-untyped-def]
    job = UsbBackup(name=fields.pop("name", "drawer"), scope=Scope.CONFIG_USERS, include_data_area=True, **fields)
    services.set_drive(job, detection.find_mount(str(mount)))
    return services.save_job(job, users=users)


def open_drive_repo(mount, folder="anemone-backup") -> repo.Repo:  # type: ignore[no-untyped-def]
    return repo.open_repo(mount / folder, repo.repo_password())


def test_it_backs_up_adds_nothing_the_second_time_and_restores_byte_identical(people, usb_drive, tmp_path, api):
    alice, bob = people
    job = make_job(usb_drive, [alice, bob])
    run = request_run("usb", job, inline=True)
    assert run.status == RunStatus.SUCCEEDED, run.message
    folder = usb_drive / "anemone-backup"
    assert "usb_restore" in (folder / "README.txt").read_text()
    manifest = json.loads((folder / layout.MANIFEST).read_text())
    assert manifest["master_key_id"] == crypto.key_id(crypto.load_master_key()) and manifest["last_backup_at"]
    handle = open_drive_repo(usb_drive)
    tags = sorted(t for s in repo.snapshots(handle) for t in s.tags if t != "anemone")
    assert tags == ["config", "user:alice", "user:bob"]
    assert {i.label: i.status for i in run.items.all()} == {
        "configuration": "succeeded", "alice": "succeeded", "bob": "succeeded"}
    listed = api(get_user_model().objects.get(username="admin")).get(f"/api/v1/usb/backups/{job.pk}/snapshots/")
    assert sorted(t for s in listed.json() for t in s["tags"] if t != "anemone") == tags

    second = request_run("usb", job, inline=True)
    assert second.status == RunStatus.SUCCEEDED, second.message
    added = {i.label: i.stats["data_added"] for i in second.items.all()}
    assert added["alice"] == 0 and added["bob"] == 0  # the people's files were all there already

    snap = repo.latest(handle, "user:alice")
    repo.restore(handle, snap.id, tmp_path / "alice-back")
    assert tree_bytes(tmp_path / "alice-back") == tree_bytes(user_root("alice")) == {
        k: v for k, v in ALICE_FILES.items()}
    assert repo.check(handle).ok
    master = crypto.load_master_key()
    for path in usb_drive.rglob("*"):  # the master key is nowhere on the drive in clear
        if path.is_file():
            assert master not in path.read_bytes()
    with pytest.raises(repo.RepoError, match="wrong recovery kit"):
        repo.snapshots(repo.Repo(folder, repo.repo_password(b"\x02" * 32)))
    subprocess.run(["mount", "-o", "remount,ro", str(usb_drive)], check=True)  # write-protected drive
    assert detection.find_mount(str(usb_drive)).read_only
    repo.restore(handle, repo.latest(handle, "user:bob").id, tmp_path / "bob-back")
    assert tree_bytes(tmp_path / "bob-back") == BOB_FILES
    follow_the_readme(folder, tmp_path / "home")  # plain restic, as README.txt tells, on the read-only drive
    assert tree_bytes(tmp_path / "home" / "alice-files") == ALICE_FILES


def follow_the_readme(folder, home) -> None:  # type: ignore[no-untyped-def]
    """Run README.txt's "WITHOUT Anemone" commands verbatim (KEY replaced by the kit's master key)."""
    text = (folder / layout.README).read_text()
    section = text[text.index("WITHOUT Anemone"):text.index('The "config" snapshots')]
    script = "\n".join(line for line in section.splitlines() if line.startswith("  "))
    script = script.replace("'KEY'", "'" + base64.b64encode(crypto.load_master_key()).decode() + "'")
    home.mkdir()
    result = subprocess.run(["bash", "-euo", "pipefail", "-c", script], cwd=folder, capture_output=True, text=True,
                            env={"HOME": str(home), "PATH": os.environ["PATH"]}, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "user:alice" in result.stdout  # the snapshots listing


def test_it_recognises_the_drive_by_uuid_wherever_it_is_mounted_next(people, mounts):
    alice, _bob = people
    first = mounts.ext4("BACKUP1", label="BACKUP1")
    job = make_job(first, [alice])
    assert request_run("usb", job, inline=True).status == RunStatus.SUCCEEDED
    image = mounts.images[first]
    mounts.umount(first)
    elsewhere = mounts.ext4("sdb1 on another day", image=image)
    run = request_run("usb", job, inline=True)
    assert run.status == RunStatus.SUCCEEDED, run.message
    assert str(elsewhere) in run.message
    job.refresh_from_db()
    assert job.last_mount_point == str(elsewhere)
    assert len(repo.snapshots(open_drive_repo(elsewhere))) == 4  # two runs × (config + alice)


def test_it_skips_when_the_drive_is_absent_and_writes_nothing(people, mounts):
    alice, _bob = people
    point = mounts.ext4("stick", label="STICK")
    job = make_job(point, [alice])
    image = mounts.images[point]
    mounts.umount(point)
    run = request_run("usb", job, inline=True)
    assert run.status == RunStatus.SKIPPED and run.message.startswith("drive absent")
    assert "STICK" in run.message and run.items.count() == 0
    assert list(point.iterdir()) == []  # the empty mount point, a folder of the root disk: untouched
    mounts.ext4("stick", image=image)
    assert sorted(p.name for p in point.iterdir()) == ["lost+found"]  # and the drive itself got nothing


def test_it_stops_cleanly_when_the_drive_fills_up(people, mounts):
    alice, bob = people
    small = mounts.tmpfs("small", size="5m")
    job = make_job(small, [alice, bob])
    assert request_run("usb", job, inline=True).status == RunStatus.SUCCEEDED
    handle = open_drive_repo(small)
    before = sorted(s.id for s in repo.snapshots(handle))
    huge = area_root(alice, "data") / "huge.bin"
    huge.write_bytes(os.urandom(6 * 2**20))
    run = request_run("usb", job, inline=True)
    assert run.status == RunStatus.FAILED
    assert "Writing to the drive" in run.message and "the drive is full while backing up alice" in run.message
    assert "Earlier snapshots on the drive are intact" in run.message
    items = {i.label: i.status for i in run.items.all()}
    assert items == {"configuration": RunStatus.SUCCEEDED, "alice": RunStatus.FAILED}  # mid-run; bob not begun
    after = repo.snapshots(handle)
    assert set(before) <= {s.id for s in after}  # every earlier snapshot is still there
    assert len([s for s in after if "user:alice" in s.tags]) == 1  # and no half-made one of alice
    assert repo.check(handle).ok
    huge.unlink()  # what the message says to do: free space (here: back up less), run again
    again = request_run("usb", job, inline=True)
    assert again.status == RunStatus.SUCCEEDED, again.message


def test_it_refuses_a_folder_holding_another_servers_backup(people, usb_drive):
    alice, _bob = people
    folder = usb_drive / "anemone-backup"
    folder.mkdir()
    layout.write_manifest(folder, layout.Manifest(server_name="neighbour", master_key_id="deadbeef", job="x"))
    run = request_run("usb", make_job(usb_drive, [alice]), inline=True)
    assert run.status == RunStatus.FAILED and "neighbour" in run.message
    assert sorted(p.name for p in folder.iterdir()) == [layout.MANIFEST]


def test_it_refuses_a_folder_that_is_a_symlink_off_the_drive(people, usb_drive, tmp_path):
    alice, _bob = people
    outside = tmp_path / "root-disk"
    outside.mkdir()
    (usb_drive / "anemone-backup").symlink_to(outside)
    run = request_run("usb", make_job(usb_drive, [alice]), inline=True)
    assert run.status == RunStatus.FAILED and "Drive" in run.message
    assert list(outside.iterdir()) == []


def test_it_applies_retention_per_person_and_for_the_config(people, usb_drive):
    alice, _bob = people
    job = make_job(usb_drive, [alice], keep_last=1, keep_daily=0, keep_weekly=0, keep_monthly=0)
    for i in range(2):
        (area_root(alice, "backup") / f"day{i}.txt").write_text(str(i))
        run = request_run("usb", job, inline=True)
        assert run.status == RunStatus.SUCCEEDED, run.message
    kept = {s.short_id: [t for t in s.tags if t != "anemone"] for s in repo.snapshots(open_drive_repo(usb_drive))}
    tag_of = {"configuration": "config", "alice": "user:alice"}
    assert kept == {i.stats["snapshot_id"]: [tag_of[i.label]] for i in run.items.all()}  # the last run's only
