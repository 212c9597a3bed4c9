"""What the restic wrapper returns: plain dataclasses filled from restic's ``--json`` output."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Snapshot:
    id: str
    short_id: str
    time: str
    hostname: str = ""
    tags: list[str] = field(default_factory=list)
    paths: list[str] = field(default_factory=list)
    files: int | None = None  # files and bytes the backup read (the snapshot's summary; None before restic 0.17)
    size: int | None = None

    def tag_value(self, prefix: str) -> str:
        """The value of the first ``<prefix><value>`` tag, e.g. tag_value("user:") → "alice"."""
        return next((t[len(prefix):] for t in self.tags if t.startswith(prefix)), "")


@dataclass
class Node:
    """One entry of ``restic ls``: a file or a folder inside a snapshot (path is absolute in the snapshot)."""

    name: str
    type: str
    path: str
    size: int = 0
    mtime: str = ""


@dataclass
class BackupProgress:
    percent: float  # 0..1
    bytes_done: int
    bytes_total: int
    files_done: int
    files_total: int
    current: str


@dataclass
class BackupSummary:
    snapshot_id: str = ""  # the short id (8 hex digits)
    files_new: int = 0
    files_changed: int = 0
    files_unmodified: int = 0
    dirs_new: int = 0
    data_added: int = 0
    data_added_packed: int = 0  # what the repository grew by, compressed as stored
    total_files: int = 0
    total_bytes: int = 0
    duration: float = 0.0
    warnings: list[str] = field(default_factory=list)  # files restic could not read (exit 3)


@dataclass
class RepoStats:
    total_size: int = 0
    snapshots_count: int = 0


@dataclass
class ForgetResult:
    kept: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)


@dataclass
class CheckResult:
    ok: bool
    read_data_subset: str
    output: list[str]
