"""restic wrapper: every restic call of Anemone (P2P repositories on peers, USB repositories on drives).

A ``Repository`` says where a repository is and how to open it: a local path, or restic's
``rclone:`` backend (DESIGN §5: rclone's SFTP client, defined by ``RCLONE_CONFIG_<NAME>_*``
variables, with the peer's host key pinned). The password travels in the environment, never argv
(``/proc/<pid>/cmdline`` is readable by everyone, ``environ`` only by the owner). ``--json`` output
is parsed into dataclasses; failures become typed errors whose message a person can act on.

restic 0.18 (Debian trixie's, unpacked into the venv by scripts/install.sh) exits 10, 11 and 12 for a
missing repository, a lock it could not take and a wrong key, and 3 when some files could not be read;
other failures are exit 1 and told apart by their words (``restic_errors``, measured messages). A live
lock is waited for by restic itself (``--retry-lock``, see ``run_unlocked``).

This module writes and maintains (init, backup, forget, check, stats, unlock) and re-exports the rest, so
callers import only ``restic``: ``restic_repo`` (Repository, the one ``call``), ``restic_snapshots`` (reading
snapshots, folders, files, restores), ``restic_repair`` (damaged packs found and repaired), ``restic_errors``, ``restic_results``, ``restic_watch``.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping
from pathlib import Path

from anemone.engines.restic_errors import (  # noqa: F401 - the wrapper's public errors
    AccessRefused,
    NoSpace,
    NothingKept,
    RepositoryLocked,
    RepositoryMissing,
    ResticError,
    SnapshotMissing,
    Stalled,
    Unreachable,
    WrongPassword,
    classify,
    stderr_signal,
)
from anemone.engines.restic_repair import DataCheck, check_data, repair_packs  # noqa: F401 - part of the wrapper
from anemone.engines.restic_repo import (  # noqa: F401 - part of the wrapper
    EXIT_INCOMPLETE,
    SHORT_ID,
    ProgressCallback,
    Repository,
    _lock_wait,
    call,
    json_lines,
)
from anemone.engines.restic_results import (  # noqa: F401 - the wrapper's public results
    BackupProgress,
    BackupSummary,
    CheckResult,
    ForgetResult,
    Node,
    RepoStats,
    Snapshot,
)
from anemone.engines.restic_snapshots import (  # noqa: F401 - part of the wrapper
    dump,
    literal_pattern,
    ls,
    parse_ls,
    parse_snapshots,
    restore,
    snapshots,
    tree,
)
from anemone.engines.restic_watch import UNREACHABLE_GRACE, PeerWatch  # noqa: F401 - part of the wrapper


def init(repo: Repository, *, timeout: float = 600) -> None:
    call(repo, ["init"], timeout=timeout)


def exists(repo: Repository, *, timeout: float = 120) -> bool:
    """Does a repository open at this location with this key? (WrongPassword and others propagate.)"""
    try:
        call(repo, ["--no-lock", "cat", "config"], timeout=timeout)
    except RepositoryMissing:
        return False
    return True


def backup(repo: Repository, cwd: Path, paths: list[str], *, tags: list[str] = (), host: str = "anemone",  # type: ignore[assignment]
           excludes: list[str] = (), on_progress: ProgressCallback | None = None,  # type: ignore[assignment]
           stall_timeout: float = 600, timeout: float = 24 * 3600) -> BackupSummary:
    """Back up ``paths`` relative to ``cwd`` (``["."]`` puts the folder's contents at the snapshot's root).

    ``stall_timeout``: restic prints a status line every second even when nothing moves, so a link
    that went silent shows as bytes and files that stop advancing; past that many seconds the process
    is stopped and ``Stalled`` raised (restic's own retries could otherwise wait for many minutes).
    """
    summary = BackupSummary()
    last_mark, last_at = [(-1, -1)], [time.monotonic()]  # lists: written by the callback below
    watch = PeerWatch(min(UNREACHABLE_GRACE, stall_timeout))

    def on_line(stream: str, line: str) -> None:
        if stream != "stdout" or not line.startswith("{"):
            return
        try:
            data = json.loads(line)
        except ValueError:
            return
        kind = data.get("message_type")
        if kind == "status":
            mark = (int(data.get("bytes_done", 0)), int(data.get("files_done", 0)))
            now = time.monotonic()
            if mark != last_mark[0]:
                last_mark[0], last_at[0] = mark, now
                watch.progress()
            elif now - last_at[0] > stall_timeout:
                raise Stalled(f"no progress for {stall_timeout:.0f} s: the server stopped answering")
            if on_progress is not None:
                on_progress(BackupProgress(
                    percent=float(data.get("percent_done", 0)), bytes_done=mark[0],
                    bytes_total=int(data.get("total_bytes", 0)), files_done=mark[1],
                    files_total=int(data.get("total_files", 0)), current=(data.get("current_files") or [""])[0]))
        elif kind == "error":
            error = data.get("error") or {}
            text = error.get("message", error) if isinstance(error, dict) else error
            summary.warnings.append(f"{data.get('item', '')}: {text}"[:500])
        elif kind == "summary":
            summary.snapshot_id = str(data.get("snapshot_id", ""))[:SHORT_ID]  # 0.18 prints the full id
            summary.data_added_packed = data.get("data_added_packed", 0)
            summary.files_new, summary.files_changed = data.get("files_new", 0), data.get("files_changed", 0)
            summary.files_unmodified, summary.dirs_new = data.get("files_unmodified", 0), data.get("dirs_new", 0)
            summary.data_added = data.get("data_added", 0)
            summary.total_files = data.get("total_files_processed", 0)
            summary.total_bytes = data.get("total_bytes_processed", 0)
            summary.duration = float(data.get("total_duration", 0.0))

    args = ["backup", "--json", "--host", host]
    for tag in tags:
        args += ["--tag", tag]
    for pattern in excludes:
        args += ["--exclude", pattern]
    call(repo, [*args, "--", *paths], cwd=cwd, on_line=on_line, ok_codes=(0, EXIT_INCOMPLETE), timeout=timeout,
          idle_timeout=stall_timeout, watch=watch)
    if not summary.snapshot_id:
        raise ResticError("restic backup ended without writing a snapshot")
    return summary


def forget(repo: Repository, keep: Mapping[str, int], *, group_by: str = "tags", prune: bool = True,
           timeout: float = 6 * 3600) -> ForgetResult:
    """Apply a retention policy (keep_last, keep_daily, ... → --keep-last ...); zero values are left out."""
    args = ["forget", "--json", "--group-by", group_by]
    for name, value in keep.items():
        if value:
            args += [f"--{name.replace('_', '-')}", str(value)]
    if len(args) == 4:  # restic would refuse; an empty policy must never reach it (PeerTarget.clean)
        raise NothingKept("the retention policy keeps nothing (every keep_* is 0): nothing was forgotten")
    if prune:
        args.append("--prune")
    lines: list[str] = []
    call(repo, args, on_line=json_lines(lines), timeout=timeout, idle_timeout=3600)
    return parse_forget(lines)


def parse_forget(lines: list[str]) -> ForgetResult:
    result = ForgetResult()
    for line in lines:
        if not line.startswith("["):
            continue
        try:
            groups = json.loads(line)
        except ValueError:
            continue
        for group in groups or []:
            result.kept += [s["id"] for s in group.get("keep") or []]
            result.removed += [s["id"] for s in group.get("remove") or []]
        break
    return result


def check(repo: Repository, *, read_data_subset: str = "", timeout: float = 24 * 3600) -> CheckResult:
    """``restic check`` (structure), plus ``--read-data-subset`` (e.g. "5%") to re-read that share of the data."""
    args = ["check"] + (["--read-data-subset", read_data_subset] if read_data_subset else [])
    lines: list[str] = []
    try:
        call(repo, args, timeout=timeout, on_line=lambda stream, line: lines.append(line), idle_timeout=3600)
    except ResticError as exc:
        if type(exc) is not ResticError:  # unreachable, locked, wrong key: not a verdict on the data
            raise
        return CheckResult(ok=False, read_data_subset=read_data_subset, output=lines[-40:])
    return CheckResult(ok=True, read_data_subset=read_data_subset, output=lines[-40:])


def stats(repo: Repository, *, mode: str = "raw-data", timeout: float = 600) -> RepoStats:
    lines: list[str] = []
    call(repo, ["--no-lock", "stats", "--json", "--mode", mode], on_line=json_lines(lines), timeout=timeout)
    for line in lines:
        if line.startswith("{"):
            data = json.loads(line)
            return RepoStats(total_size=int(data.get("total_size", 0)), snapshots_count=int(data.get("snapshots_count", 0)))
    raise ResticError("restic stats printed nothing readable")


def unlock(repo: Repository, *, timeout: float = 300) -> None:
    """Remove stale locks only (a dead process's, or older than 30 minutes); live locks stay."""
    call(repo, ["unlock"], timeout=timeout)


def run_unlocked(repo: Repository, action: Callable[[], object], *, wait: float = 600,
                 on_wait: Callable[[], None] | None = None) -> object:
    """Run ``action``; on a lock conflict remove stale locks (``unlock`` keeps live ones) and retry at once;
    if a live lock is still in the way, call ``on_wait`` and retry once more with every restic command
    waiting up to ``wait`` seconds for it (``--retry-lock``; the lock is never broken). A killed backup
    leaves a lock that blocks every later exclusive operation (forget, prune, check) until someone unlocks:
    measured with restic 0.14 and 0.18 (exit 11 even with ``--retry-lock``, the PID being dead)."""
    try:
        return action()
    except RepositoryLocked:
        unlock(repo)
    try:
        return action()
    except RepositoryLocked:
        if on_wait is not None:
            on_wait()
    token = _lock_wait.set(wait)
    try:
        return action()
    finally:
        _lock_wait.reset(token)
