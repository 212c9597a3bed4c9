"""Each way a P2P backup goes wrong gives its named outcome, with real restic and a real endpoint."""

from __future__ import annotations

import os
import signal
import time

import pytest

from anemone.engines import proc, restic
from anemone.engines.paths import restic_binary
from anemone.runs.models import RunStatus
from anemone.runs.services import request as request_run
from p2p import backup, repos
from p2p.models import UserRepository
from tests.fixtures.sshd import free_port
from tests.p2p.conftest import write_files

pytestmark = pytest.mark.django_db(transaction=True)


def run_backup(target):  # type: ignore[no-untyped-def]
    run = request_run("p2p", target.pk, inline=True)
    run.refresh_from_db()
    return run


def test_a_missing_repository_is_created_by_the_first_run(friend, alice):
    write_files(alice, {"a.txt": b"first"})
    run = run_backup(friend)
    assert run.status == RunStatus.SUCCEEDED, run.message
    assert "alice: no repository on friend yet; creating it" in run.log_tail
    assert UserRepository.objects.get(user=alice).initialised_at is not None


def test_a_repository_made_with_another_key_fails_that_person_only(friend, alice, bob):
    write_files(alice, {"a.txt": b"alice"})
    write_files(bob, {"b.txt": b"bob"})
    restic.init(restic.Repository.over_rclone(repos.REMOTE, repos.repo_path(friend, "alice"), bob.backup_key_plain,
                                              repos.remote_env(friend), repos.cache_dir(friend)))
    run = run_backup(friend)
    assert run.status == RunStatus.PARTIAL
    items = {i.user.username: i for i in run.items.all()}
    assert items["alice"].status == RunStatus.FAILED
    assert "does not open with this key" in items["alice"].message
    assert items["bob"].status == RunStatus.SUCCEEDED


def test_an_unreachable_peer_fails_the_run_with_peer_unreachable(friend, alice):
    write_files(alice, {"a.txt": b"a"})
    friend.port = free_port()  # nothing listens there
    friend.save()
    started = time.monotonic()
    run = run_backup(friend)
    assert run.status == RunStatus.FAILED
    assert "peer unreachable" in run.message and "Backing up alice to friend" in run.message
    assert time.monotonic() - started < 60


def _slow_backup(target, person, tmp_path, size: int):  # type: ignore[no-untyped-def]
    """After a first backup, another restic process writing to the person's repository for a while (a live
    lock), started once its lock file is on the peer. Returns (repository, process)."""
    write_files(person, {"a.txt": b"a"})
    assert run_backup(target).status == RunStatus.SUCCEEDED
    repo = repos.repository(target, person)
    (tmp_path / "big").mkdir()
    (tmp_path / "big" / "blob").write_bytes(os.urandom(size))
    process = proc.spawn([restic_binary(), *repo.global_args(), "--limit-upload", "200", "backup",
                          str(tmp_path / "big")], env=repo.process_env())
    deadline = time.monotonic() + 30
    while not list(_locks_dir(target, person.username).iterdir()) and time.monotonic() < deadline:
        time.sleep(0.2)
    return repo, process


def test_a_stale_lock_is_removed_and_retention_still_runs(friend, alice, tmp_path):
    repo, crashed = _slow_backup(friend, alice, tmp_path, 4_000_000)
    friend_locks = _locks_dir(friend, "alice")
    os.killpg(crashed.pid, signal.SIGKILL)  # the process dies, its lock stays on the peer
    crashed.wait()
    assert list(friend_locks.iterdir()), "the killed restic should have left its lock"
    UserRepository.objects.filter(user=alice).update(last_maintained_at=None)
    write_files(alice, {"b.txt": b"b"})
    run = run_backup(friend)
    assert run.status == RunStatus.SUCCEEDED, run.message
    assert UserRepository.objects.get(user=alice).last_maintained_at is not None  # forget ran despite the lock
    assert not list(friend_locks.iterdir())
    assert restic.check(repo).ok


def test_a_live_lock_is_waited_for_and_never_broken(friend, alice, tmp_path, monkeypatch):
    repo, other = _slow_backup(friend, alice, tmp_path, 3_000_000)
    try:
        UserRepository.objects.filter(user=alice).update(last_maintained_at=None)
        monkeypatch.setattr(backup, "LOCK_WAIT_SECONDS", 1)
        run = run_backup(friend)
        assert run.status == RunStatus.PARTIAL  # the new snapshot is saved; retention waits for the other process
        assert "locked by another restic process" in run.message
        assert other.poll() is None, "the other restic must still be running: its lock was not broken"
    finally:
        other.wait(timeout=120)
    assert other.returncode == 0
    assert len(restic.snapshots(repo)) == 3


def _locks_dir(target, username: str):  # type: ignore[no-untyped-def]
    return repo_dir(target, username) / "locks"


def repo_dir(target, username: str):  # type: ignore[no-untyped-def]
    """Where the person's repository lands at the peer (our own endpoint in these tests)."""
    from peers.services import peer_root

    return peer_root(target.peer) / repos.repo_path(target, username)
