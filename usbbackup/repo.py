"""The restic repository on a drive: the only place the USB app talks to restic.

The shared wrapper ``anemone.engines.restic`` (P2P issue) did not exist while this app was written,
so the few calls needed here (init, backup, snapshots, restore, forget, check, unlock on a LOCAL
repository) go through ``anemone.engines.proc`` directly, password in the environment, never argv.
Everything else in the app uses these functions only, so moving them onto the wrapper later touches
this file alone. It also turns restic's failures into what the USB code needs: "drive full" as its
own error, snapshots with their ``user:<name>`` tag.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from anemone import crypto
from anemone.engines import proc
from anemone.engines.paths import restic_binary
from usbbackup import layout


class RepoError(Exception):
    """restic failed on the drive's repository; the message is readable as is."""


class DriveFull(RepoError):
    """The drive ran out of space while writing."""


@dataclass(frozen=True)
class Repo:
    folder: Path
    password: str

    @property
    def path(self) -> Path:
        return layout.repo_path(self.folder)


@dataclass
class Snapshot:
    id: str
    short_id: str
    time: str
    tags: list[str] = field(default_factory=list)
    paths: list[str] = field(default_factory=list)

    @property
    def tags_user(self) -> str:
        return next((t[len(layout.USER_TAG_PREFIX):] for t in self.tags if t.startswith(layout.USER_TAG_PREFIX)), "")


@dataclass
class BackupSummary:
    snapshot_id: str = ""
    files_new: int = 0
    files_changed: int = 0
    files_unmodified: int = 0
    data_added: int = 0
    total_files: int = 0
    total_bytes: int = 0
    warnings: list[str] = field(default_factory=list)


Progress = Callable[[float, int, int, str], None]  # (fraction 0..1, bytes_done, bytes_total, current file)


def repo_password(key: bytes | None = None) -> str:
    """The repository password: derived from the master key, so the recovery kit opens it."""
    return crypto.derive_secret(layout.REPO_SECRET_PURPOSE, key)


def open_repo(folder: Path, password: str) -> Repo:
    folder = Path(folder)
    if not (layout.repo_path(folder) / "config").is_file():
        raise RepoError(f"No restic repository in {folder}.")
    return Repo(folder=folder, password=password)


NO_SPACE = ("no space left on device", "disk quota exceeded", "file too large")


def _env(repo: Repo) -> dict[str, str]:
    """Repository and password by environment (never argv); local repos need no cache."""
    return {"RESTIC_REPOSITORY": str(repo.path), "RESTIC_PASSWORD": repo.password}


def _run(repo: Repo, args: list[str], *, cwd: Path | None = None, on_line=None, timeout: float = 24 * 3600,
         ok_codes: tuple[int, ...] = (0,)) -> proc.ProcResult:  # type: ignore[no-untyped-def]
    try:
        result = proc.run([restic_binary(), "--no-cache", *args], env=_env(repo), cwd=cwd, on_line=on_line,
                          timeout=timeout, idle_timeout=3600)
    except proc.ProcError as exc:
        raise RepoError(str(exc)) from exc
    if result.returncode not in ok_codes:
        raise _error(next(a for a in args if not a.startswith("-")), result)
    return result


def _error(command: str, result: proc.ProcResult) -> RepoError:
    text = "\n".join(result.stderr_tail[-15:]) or "\n".join(result.stdout_tail[-5:])
    if any(marker in text.lower() for marker in NO_SPACE):
        return DriveFull("no space left on the drive")
    if "wrong password" in text.lower():
        return RepoError("the repository does not open with this master key (wrong recovery kit?)")
    last = [line for line in result.stderr_tail if line.strip()][-3:]
    return RepoError(f"restic {command} failed (exit {result.returncode}): {' '.join(last)[-600:]}")


def is_initialised(folder: Path) -> bool:
    return (layout.repo_path(folder) / "config").is_file()


def init(folder: Path, password: str) -> Repo:
    repo = Repo(folder=Path(folder), password=password)
    _run(repo, ["init"], timeout=600)
    return repo


def _snapshot(data: dict) -> Snapshot:  # type: ignore[type-arg]
    return Snapshot(id=data["id"], short_id=data.get("short_id", data["id"][:8]), time=data["time"],
                    tags=data.get("tags") or [], paths=data.get("paths") or [])


def backup(repo: Repo, cwd: Path, paths: list[str], tags: list[str], on_progress: Progress | None = None,
           host: str = "anemone") -> BackupSummary:
    """Back up paths relative to cwd (snapshots hold them relative: restore lands in any folder)."""
    summary = BackupSummary()

    def on_line(stream: str, line: str) -> None:
        if stream != "stdout" or not line.startswith("{"):
            return
        try:
            data = json.loads(line)
        except ValueError:
            return
        kind = data.get("message_type")
        if kind == "status" and on_progress is not None:
            current = (data.get("current_files") or [""])[0]
            on_progress(float(data.get("percent_done", 0)), int(data.get("bytes_done", 0)),
                        int(data.get("total_bytes", 0)), current)
        elif kind == "error":
            error = data.get("error") or {}
            summary.warnings.append(f"{data.get('item', '')}: {error.get('message', error)}"[:500])
        elif kind == "summary":
            summary.snapshot_id = data.get("snapshot_id", "")
            summary.files_new, summary.files_changed = data.get("files_new", 0), data.get("files_changed", 0)
            summary.files_unmodified = data.get("files_unmodified", 0)
            summary.data_added = data.get("data_added", 0)
            summary.total_files = data.get("total_files_processed", 0)
            summary.total_bytes = data.get("total_bytes_processed", 0)

    args = ["backup", "--json", "--host", host]
    for tag in tags:
        args += ["--tag", tag]
    _run(repo, [*args, "--", *paths], cwd=cwd, on_line=on_line, ok_codes=(0, 3))
    if not summary.snapshot_id:
        raise RepoError("restic backup ended without a snapshot")
    return summary


def snapshots(repo: Repo, tag: str | None = None) -> list[Snapshot]:
    args = ["--no-lock", "snapshots", "--json"] + (["--tag", tag] if tag else [])  # works on read-only drives
    lines: list[str] = []
    _run(repo, args, on_line=lambda stream, line: lines.append(line) if stream == "stdout" else None, timeout=600)
    try:
        return [_snapshot(s) for s in json.loads("\n".join(lines) or "[]")]
    except (ValueError, KeyError) as exc:
        raise RepoError(f"unreadable snapshot list: {exc}") from exc


def latest(repo: Repo, tag: str) -> Snapshot | None:
    found = snapshots(repo, tag)
    return max(found, key=lambda s: s.time) if found else None


def restore(repo: Repo, snapshot_id: str, target: Path) -> None:
    Path(target).mkdir(parents=True, exist_ok=True)
    _run(repo, ["--no-lock", "restore", snapshot_id, "--target", str(target)])  # a read-only drive restores too


def forget(repo: Repo, retention: dict[str, int]) -> None:
    """Retention per tag set: each person's snapshots and the configuration's are kept separately."""
    args = ["forget", "--group-by", "tags", "--prune"]
    for name, value in retention.items():
        args += [f"--{name.replace('_', '-')}", str(value)]
    _run(repo, args)


def check(repo: Repo) -> None:
    _run(repo, ["check"])


def unlock(repo: Repo) -> None:
    """Remove stale locks a killed run left (restic only removes locks of dead processes)."""
    locks = repo.path / "locks"
    if locks.is_dir() and any(locks.iterdir()):
        _run(repo, ["unlock"], timeout=600)


def list_snapshots(job, drive) -> list[Snapshot]:  # type: ignore[no-untyped-def]
    """Snapshots of a job's repository on its (mounted) drive, newest first."""
    folder = Path(drive.mount_point) / job.folder
    if not is_initialised(folder):
        return []
    return sorted(snapshots(open_repo(folder, repo_password())), key=lambda s: s.time, reverse=True)
