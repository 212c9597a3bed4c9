"""The restic wrapper against the real restic 0.18 of the venv, on local repositories: the behaviours it relies on
(exit codes, short ids, the snapshot's own summary, unknown ids, locks held by live and dead processes)."""

from __future__ import annotations

import os
import signal
import subprocess
import threading
import time
from pathlib import Path

import pytest

from anemone.engines import restic
from anemone.engines.paths import restic_binary


@pytest.fixture
def repo(tmp_path: Path) -> restic.Repository:
    repository = restic.Repository.local(tmp_path / "repo", "a good key")
    restic.init(repository)
    return repository


@pytest.fixture
def source(tmp_path: Path) -> Path:
    folder = tmp_path / "source"
    (folder / "docs").mkdir(parents=True)
    (folder / "docs" / "a.txt").write_bytes(b"hello")
    (folder / "b.bin").write_bytes(os.urandom(20_000))
    return folder


def test_a_backup_names_its_snapshot_by_the_short_id_the_list_shows(repo, source):
    summary = restic.backup(repo, source, ["."], tags=["anemone", "user:alice"])
    [snapshot] = restic.snapshots(repo)
    assert summary.snapshot_id == snapshot.short_id == snapshot.id[:8] and len(snapshot.id) == 64
    assert (summary.files_new, summary.total_files, summary.total_bytes) == (2, 2, 20_005)
    assert summary.data_added_packed > 20_000  # random bytes: stored about as large
    assert (snapshot.files, snapshot.size) == (2, 20_005)  # the snapshot's own summary, no run needed
    assert snapshot.tag_value("user:") == "alice"


def test_an_unknown_snapshot_is_not_found_and_an_unknown_path_lists_nothing(repo, source):
    summary = restic.backup(repo, source, ["."])
    assert [n.name for n in restic.ls(repo, summary.snapshot_id, "/docs")] == ["a.txt"]
    assert restic.ls(repo, summary.snapshot_id, "/nowhere") == []
    for unknown in ("deadbeef", "0" * 64):
        with pytest.raises(restic.SnapshotMissing) as missing:
            restic.ls(repo, unknown, "/")
        assert isinstance(missing.value, FileNotFoundError) and missing.value.outcome == "not-found"
    with pytest.raises(FileNotFoundError, match="No such snapshot"):
        b"".join(restic.dump(repo, "deadbeef", "/", archive="zip"))


def test_a_missing_repository_and_a_wrong_key_are_told_by_exit_code(repo, tmp_path):
    assert restic.exists(repo) and not restic.exists(restic.Repository.local(tmp_path / "none", "k"))
    with pytest.raises(restic.WrongPassword):
        restic.snapshots(restic.Repository.local(repo.location, "not the key"))
    with pytest.raises(restic.RepositoryMissing):
        restic.snapshots(restic.Repository.local(tmp_path / "none", "k"))


def _holding_a_lock(repo: restic.Repository) -> subprocess.Popen[bytes]:
    """A real `restic backup --stdin` that holds its (shared) lock until its stdin is closed."""
    process = subprocess.Popen([restic_binary(), "--no-cache", "backup", "--stdin", "--stdin-filename", "held"],
                               env={**os.environ, **repo.process_env()}, stdin=subprocess.PIPE,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    locks = Path(repo.location) / "locks"
    deadline = time.monotonic() + 20
    while not any(locks.iterdir()) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert any(locks.iterdir()), "restic did not take its lock"
    time.sleep(1.0)  # the lock file is written, then checked against others: killed half-way, it is no lock
    return process


def test_a_dead_processs_lock_is_removed_and_the_exclusive_command_runs(repo, source):
    restic.backup(repo, source, ["."])
    holder = _holding_a_lock(repo)
    holder.send_signal(signal.SIGKILL)
    holder.wait()
    with pytest.raises(restic.RepositoryLocked):  # restic 0.18 does not step over a dead process's lock itself
        restic.forget(repo, {"keep_last": 1})
    waited: list[bool] = []
    result = restic.run_unlocked(repo, lambda: restic.forget(repo, {"keep_last": 1}), wait=30,
                                 on_wait=lambda: waited.append(True))
    assert result.kept and not waited  # type: ignore[attr-defined]
    assert not any((Path(repo.location) / "locks").iterdir())


def test_a_live_lock_is_waited_for_by_restic_never_broken(repo, source):
    restic.backup(repo, source, ["."])
    holder = _holding_a_lock(repo)
    holder.stdin.write(b"what the live backup reads")  # type: ignore[union-attr]
    release = threading.Timer(4.0, lambda: holder.stdin.close())  # type: ignore[union-attr]
    release.start()
    waited: list[bool] = []
    started = time.monotonic()
    try:
        result = restic.run_unlocked(repo, lambda: restic.forget(repo, {"keep_last": 1}), wait=60,
                                     on_wait=lambda: waited.append(True))
    finally:
        release.join()
        holder.wait(timeout=30)
    assert holder.returncode == 0  # the live backup finished: its lock was not broken
    assert waited == [True] and time.monotonic() - started >= 3.5
    assert len(result.kept) == 1 and len(result.removed) == 1  # type: ignore[attr-defined]
