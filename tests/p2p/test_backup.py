"""P2P backups with real restic through our real SFTP endpoint on 127.0.0.1."""

from __future__ import annotations

import os
from datetime import timedelta

import pytest

from anemone.engines import restic
from anemone.files.paths import area_root
from anemone.runs.models import RunStatus
from anemone.runs.services import request as request_run
from p2p import repos
from p2p import restore as p2p_restore
from p2p.models import UserRepository
from tests.p2p.conftest import tree_digest, write_files

pytestmark = pytest.mark.django_db(transaction=True)


def run_backup(target, **options):  # type: ignore[no-untyped-def]
    run = request_run("p2p", target.pk, options=options, inline=True)
    run.refresh_from_db()
    return run


def test_it_backs_up_each_person_into_their_own_repository_and_restores_byte_identical(friend, alice, bob, tmp_path):
    write_files(alice, {"photos/2026/beach.jpg": os.urandom(300_000), "notes.txt": b"alice's notes\n"})
    write_files(bob, {"cv.pdf": os.urandom(50_000)})
    run = run_backup(friend)
    assert run.status == RunStatus.SUCCEEDED, run.message
    items = {i.user.username: i for i in run.items.all()}
    assert items["alice"].stats["files_new"] == 2 and items["alice"].stats["snapshot_id"]
    assert items["bob"].stats["files_new"] == 1
    # Each person's repository opens with their own key only.
    stored = friend.peer.name
    assert (area_root(alice, "backup").parents[2] / "incoming" / stored / repos.base_path(friend) / "alice" / "config").is_file()
    with pytest.raises(restic.WrongPassword):
        restic.snapshots(restic.Repository.over_rclone(repos.REMOTE, repos.repo_path(friend, "alice"),
                                                       bob.backup_key_plain, repos.remote_env(friend), tmp_path / "c"))
    snaps = p2p_restore.list_snapshots(friend, alice)
    assert len(snaps) == 1 and "user:alice" in snaps[0].tags
    out = tmp_path / "restored"
    restic.restore(repos.repository(friend, alice), snaps[0].id, out)
    assert tree_digest(out) == tree_digest(area_root(alice, "backup"))
    record = UserRepository.objects.get(target=friend, user=alice)
    assert record.last_snapshot_id == items["alice"].stats["snapshot_id"] and record.stored_bytes > 300_000


def test_a_second_run_without_changes_adds_no_data(friend, alice):
    write_files(alice, {f"docs/{i}.txt": os.urandom(5000) for i in range(20)})
    first = run_backup(friend)
    assert first.status == RunStatus.SUCCEEDED, first.message
    second = run_backup(friend)
    assert second.status == RunStatus.SUCCEEDED, second.message
    item = second.items.get(user=alice)
    assert item.stats["files_new"] == 0 and item.stats["files_changed"] == 0
    assert item.stats["files_unmodified"] == 20
    assert item.stats["data_added"] == 0


def test_retention_forgets_the_oldest_snapshots_and_check_passes(friend, alice):
    friend.keep_last, friend.keep_daily, friend.keep_weekly, friend.keep_monthly = 2, 0, 0, 0
    friend.save()
    ids = []
    for n in range(4):
        write_files(alice, {"counter.txt": f"{n}\n".encode()})
        UserRepository.objects.filter(user=alice).update(last_maintained_at=None)  # retention runs once a day
        run = run_backup(friend)
        assert run.status == RunStatus.SUCCEEDED, run.message
        ids.append(run.items.get(user=alice).stats["snapshot_id"])
    kept = [s.short_id for s in p2p_restore.list_snapshots(friend, alice)]
    assert sorted(kept) == sorted(ids[-2:])
    assert "2 old snapshots forgotten" not in run.items.get(user=alice).message  # one per run, not all at once
    assert "1 old snapshots forgotten" in run.items.get(user=alice).message
    assert restic.check(repos.repository(friend, alice), read_data_subset="100%").ok


def test_maintenance_runs_once_a_day_not_with_every_backup(friend, alice):
    write_files(alice, {"a.txt": b"a"})
    assert run_backup(friend).status == RunStatus.SUCCEEDED
    record = UserRepository.objects.get(user=alice)
    # A new repository is only measured: nothing to forget yet, and its data was written a moment ago.
    assert record.last_maintained_at is not None and record.last_verify_ok is None and record.snapshots_count == 1
    write_files(alice, {"b.txt": b"b"})
    assert run_backup(friend).status == RunStatus.SUCCEEDED
    again = UserRepository.objects.get(user=alice)
    assert again.last_maintained_at == record.last_maintained_at and again.snapshots_count == 1  # not re-counted yet
    UserRepository.objects.filter(user=alice).update(last_maintained_at=again.last_maintained_at - timedelta(days=1))
    write_files(alice, {"c.txt": b"c"})
    third = run_backup(friend)
    assert third.status == RunStatus.SUCCEEDED and "verified (5% of the data re-read)" in third.items.get(user=alice).message
    day_later = UserRepository.objects.get(user=alice)
    assert day_later.last_verify_ok is True and day_later.snapshots_count == 3
