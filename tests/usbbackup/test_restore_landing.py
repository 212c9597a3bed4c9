"""USB restores of people's files follow the same rule as P2P and cloud (issue #11, item 13): files go back to
their own paths, a file changed since is kept and the restored one lands beside it, and a restore that does
not fit the person's quota is refused with the figures, leaving nothing behind. Real restic on a real drive."""

from __future__ import annotations

import os
import shutil

import pytest

from anemone.files.landing import STAGE_PREFIX
from anemone.files.paths import area_root, user_root
from anemone.runs.services import request as request_run
from tests.usbbackup.conftest import tree_bytes
from tests.usbbackup.test_backup import ALICE_FILES, BOB_FILES, make_job, open_drive_repo, people  # noqa: F401
from usbbackup import restore

pytestmark = pytest.mark.django_db(transaction=True)


def test_people_come_back_in_place_and_a_restore_over_quota_is_refused(people, usb_drive):  # noqa: F811
    alice, bob = people
    run = request_run("usb", make_job(usb_drive, [alice, bob]), inline=True)
    assert run.status == "succeeded", run.message
    shutil.rmtree(area_root(alice, "backup") / "photos")  # lost
    (area_root(alice, "backup") / "notes.txt").write_bytes(b"eggs, written since\n")  # changed since
    for entry in area_root(bob, "backup").iterdir():  # bob lost everything, and his quota is now small
        entry.unlink()
    bob.quota_backup_bytes = 10_000
    bob.save()

    result = restore.restore_users(open_drive_repo(usb_drive), restore.RestoreResult())

    assert result.users == ["alice"]
    assert len(result.user_errors) == 1 and result.user_errors[0].startswith("bob: Not enough space"), result.user_errors
    assert "needed" in result.user_errors[0] and "9.8\xa0KB" in result.user_errors[0]
    assert tree_bytes(area_root(bob, "backup")) == {}  # nothing landed for bob, not even part of it
    day = restore.latest_per_user(open_drive_repo(usb_drive))["alice"].time[:10]
    expected = {k.removeprefix("backup/"): v for k, v in ALICE_FILES.items() if k.startswith("backup/")}
    expected.update({"notes.txt": b"eggs, written since\n", f"notes (restored {day}).txt": ALICE_FILES["backup/notes.txt"]})
    assert tree_bytes(area_root(alice, "backup")) == expected
    assert tree_bytes(area_root(alice, "data")) == {"film.mkv": ALICE_FILES["data/film.mkv"]}
    assert [p.name for p in user_root("alice").iterdir() if p.name.startswith(STAGE_PREFIX)] == []
    assert not any(p.name.startswith("restored-") for p in area_root(alice, "backup").iterdir())
    alice.refresh_from_db()
    assert alice.usage_backup_bytes == sum(len(v) for v in expected.values())  # counted once, from the disk
    assert os.path.getsize(area_root(alice, "data") / "film.mkv") == 40_000
    assert BOB_FILES  # bob's snapshot is still whole on the drive for when his quota is raised
