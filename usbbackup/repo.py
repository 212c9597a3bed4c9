"""The restic repository on a drive: a thin USB layer over the shared wrapper ``anemone.engines.restic``.

The wrapper runs restic (argv list, password in the environment, typed errors). What is specific to
a drive lives here, so the rest of the app never imports the engine:

- where the repository is (``<mount>/<folder>/repo``, see ``layout``) and its password, derived from
  the master key so that the recovery kit alone opens it;
- the errors the USB pages need: ``DriveFull`` (its own hint: earlier snapshots are intact) and
  ``RepoError`` with words about a drive ("wrong recovery kit?"), not about a peer's server.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from anemone import crypto
from anemone.engines import restic
from anemone.runs import messages
from usbbackup import layout

Snapshot = restic.Snapshot
BackupSummary = restic.BackupSummary
BackupProgress = restic.BackupProgress
CheckResult = restic.CheckResult
Progress = Callable[[restic.BackupProgress], None]


class RepoError(Exception):
    """restic failed on the drive's repository; the message is readable as is (English).

    ``code``/``params`` say the same as data (usbbackup.hints.MESSAGES), so a run shows it in the reader's
    language; without a code the text is restic's own, kept as a parameter. ``outcome`` is restic's
    (anemone.engines.restic_errors), the key of usbbackup.hints.HINTS.
    """

    def __init__(self, text: str = "", *, code: str = "", params: dict[str, Any] | None = None,
                 outcome: str = "failed"):
        self.code: str = code or "runs.text"
        self.params: dict[str, Any] = (params or {}) if code else {"text": text}
        self.outcome = outcome
        super().__init__(text or messages.english(self.code, self.params))

    def as_message(self) -> dict[str, Any]:
        return messages.msg(self.code, **self.params)


class DriveFull(RepoError):
    """The drive ran out of space while writing."""

    def __init__(self) -> None:
        super().__init__(code="usbbackup.drive_full", outcome="no-space")


@dataclass(frozen=True)
class Repo:
    """A backup folder on a drive and the password of the repository inside it."""

    folder: Path
    password: str = field(repr=False)

    @property
    def path(self) -> Path:
        return layout.repo_path(self.folder)

    @property
    def engine(self) -> restic.Repository:
        return restic.Repository.local(self.path, self.password)


def _message(exc: restic.ResticError, repo: Repo) -> RepoError:
    """The wrapper's typed error, in words about a drive (its messages speak of a peer's server)."""
    if isinstance(exc, restic.NoSpace):
        return DriveFull()
    if isinstance(exc, restic.WrongPassword):
        return RepoError(code="usbbackup.wrong_key", outcome=exc.outcome)
    if isinstance(exc, restic.RepositoryMissing):
        return RepoError(code="usbbackup.no_repository", params={"folder": str(repo.folder)}, outcome=exc.outcome)
    if isinstance(exc, restic.RepositoryLocked):
        return RepoError(code="usbbackup.locked", outcome=exc.outcome)
    if isinstance(exc, restic.AccessRefused):
        return RepoError(code="usbbackup.refused", outcome=exc.outcome)
    if isinstance(exc, restic.Unreachable):  # Stalled included: a local drive that stops answering is failing
        return RepoError(code="usbbackup.stopped_answering", params={"error": str(exc)}, outcome=exc.outcome)
    return RepoError(str(exc), outcome=exc.outcome)


@contextmanager
def _on_drive(repo: Repo) -> Iterator[None]:
    try:
        yield
    except restic.ResticError as exc:
        raise _message(exc, repo) from exc


def repo_password(key: bytes | None = None) -> str:
    """The repository password: derived from the master key, so the recovery kit opens it."""
    return crypto.derive_secret(layout.REPO_SECRET_PURPOSE, key)


def is_initialised(folder: Path) -> bool:
    """A file test, not ``restic cat config``: it is asked on every page view of a job."""
    return (layout.repo_path(Path(folder)) / "config").is_file()


def open_repo(folder: Path, password: str) -> Repo:
    folder = Path(folder)
    if not is_initialised(folder):
        raise RepoError(code="usbbackup.no_repository_yet", params={"folder": str(folder)}, outcome="missing")
    return Repo(folder=folder, password=password)


def init(folder: Path, password: str) -> Repo:
    repo = Repo(folder=Path(folder), password=password)
    with _on_drive(repo):
        restic.init(repo.engine)
    return repo


def backup(repo: Repo, cwd: Path, paths: list[str], tags: list[str], on_progress: Progress | None = None,
           host: str = "anemone") -> BackupSummary:
    """Back up paths relative to cwd (snapshots hold them relative: restore lands in any folder)."""
    with _on_drive(repo):
        return restic.backup(repo.engine, cwd, paths, tags=tags, host=host, on_progress=on_progress)


def snapshots(repo: Repo, tag: str | None = None) -> list[Snapshot]:
    """Oldest first; without a lock, so a write-protected drive lists too."""
    with _on_drive(repo):
        return restic.snapshots(repo.engine, tags=[tag] if tag else [])


def latest(repo: Repo, tag: str) -> Snapshot | None:
    found = snapshots(repo, tag)
    return found[-1] if found else None


def user_of(snapshot: Snapshot) -> str:
    """The person a snapshot belongs to ("" for the configuration's)."""
    return snapshot.tag_value(layout.USER_TAG_PREFIX)


def restore(repo: Repo, snapshot_id: str, target: Path) -> None:
    with _on_drive(repo):
        restic.restore(repo.engine, snapshot_id, target)


def forget(repo: Repo, retention: dict[str, int]) -> None:
    """Retention per tag set: each person's snapshots and the configuration's are kept separately."""
    with _on_drive(repo):
        restic.forget(repo.engine, retention, group_by="tags", prune=True)


def check(repo: Repo) -> CheckResult:
    with _on_drive(repo):
        return restic.check(repo.engine)


def unlock(repo: Repo) -> None:
    """Remove stale locks a killed run left (restic only removes those of dead processes)."""
    locks = repo.path / "locks"
    if locks.is_dir() and any(locks.iterdir()):
        with _on_drive(repo):
            restic.unlock(repo.engine)


def list_snapshots(job, drive) -> list[Snapshot]:
    """Snapshots of a job's repository on its (mounted) drive, newest first."""
    folder = Path(drive.mount_point) / job.folder
    if not is_initialised(folder):
        return []
    return list(reversed(snapshots(open_repo(folder, repo_password()))))
