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
"""

from __future__ import annotations

import json
import re
import subprocess
import time
from collections.abc import Callable, Iterator, Mapping
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path

from anemone.engines import proc
from anemone.engines.paths import rclone_binary, restic_binary
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
from anemone.engines.restic_results import (  # noqa: F401 - the wrapper's public results
    BackupProgress,
    BackupSummary,
    CheckResult,
    ForgetResult,
    Node,
    RepoStats,
    Snapshot,
)
from anemone.engines.restic_watch import UNREACHABLE_GRACE, PeerWatch  # noqa: F401 - part of the wrapper

EXIT_INCOMPLETE = 3  # snapshot written, some source files unreadable
SHORT_ID = 8  # restic's short snapshot ids: what runs and records store, and what people see

# Seconds every restic command started inside ``run_unlocked``'s retry waits for a live lock (``--retry-lock``):
# a context variable, because the commands are the caller's closures, run with the caller's Repository.
_lock_wait: ContextVar[float] = ContextVar("restic_lock_wait", default=0.0)


@dataclass(frozen=True)
class Repository:
    """Where a repository lives and how to open it. ``env`` holds the rclone remote definition, if any."""

    location: str
    password: str = field(repr=False)
    env: Mapping[str, str] = field(default_factory=dict, repr=False)
    cache_dir: Path | None = None  # None: --no-cache (local repositories gain nothing from a cache)
    limit_upload_kib: int = 0

    @classmethod
    def local(cls, path: Path | str, password: str) -> Repository:
        return cls(location=str(path), password=password)

    @classmethod
    def over_rclone(cls, remote: str, path: str, password: str, env: Mapping[str, str], cache_dir: Path,
                    limit_upload_kib: int = 0) -> Repository:
        """``rclone:<remote>:<path>``, with the remote defined by ``env`` (RCLONE_CONFIG_<REMOTE>_*)."""
        return cls(location=f"rclone:{remote}:{path}", password=password, env=dict(env), cache_dir=cache_dir,
                   limit_upload_kib=limit_upload_kib)

    @property
    def is_local(self) -> bool:
        return not self.location.startswith("rclone:")

    def process_env(self) -> dict[str, str]:
        env = {"RESTIC_REPOSITORY": self.location, "RESTIC_PASSWORD": self.password, "RCLONE_CONFIG": "/dev/null",
               **self.env}
        return env

    def global_args(self) -> list[str]:
        args = ["--no-cache"] if self.cache_dir is None else ["--cache-dir", str(self.cache_dir)]
        if not self.is_local:
            args += ["-o", f"rclone.program={rclone_binary()}"]
        if self.limit_upload_kib:
            args += ["--limit-upload", str(self.limit_upload_kib)]
        return args


ProgressCallback = Callable[[BackupProgress], None]


def _call(repo: Repository, args: list[str], *, cwd: Path | None = None, timeout: float = 600,
          on_line: proc.LineCallback | None = None, ok_codes: tuple[int, ...] = (0,),
          idle_timeout: float | None = None, watch: PeerWatch | None = None) -> proc.ProcResult:
    """Run one restic command; raise its typed error unless the exit code is in ok_codes.

    Every command runs under a ``PeerWatch``; without one from the caller, any stdout line counts as
    progress (``backup`` passes its own: its status line comes every second, moving or not)."""
    wait = _lock_wait.get()
    argv = [restic_binary(), *repo.global_args(), *(["--retry-lock", f"{wait:.0f}s"] if wait else []), *args]
    if wait and idle_timeout is not None:  # restic prints nothing while it waits for the lock
        idle_timeout = max(idle_timeout, wait + 60)
    own_watch = watch is None
    peer_watch = watch or PeerWatch()

    def watched(stream: str, line: str) -> None:
        if stream == "stderr":
            peer_watch.stderr(line)
        elif own_watch:
            peer_watch.progress()
        if on_line is not None:
            on_line(stream, line)
        peer_watch.check()

    try:
        result = proc.run(argv, env=repo.process_env(), cwd=cwd, timeout=timeout, idle_timeout=idle_timeout,
                          on_line=watched)
    except proc.ProcTimeout as exc:
        raise Stalled(f"{exc} The server may be unreachable.") from exc
    except proc.ProcError as exc:
        raise ResticError(str(exc)) from exc
    if result.returncode not in ok_codes:
        raise peer_watch.classify(result.stderr, result.returncode)
    return result


def _json_lines(collected: list[str]) -> proc.LineCallback:
    return lambda stream, line: collected.append(line) if stream == "stdout" else None


def init(repo: Repository, *, timeout: float = 600) -> None:
    _call(repo, ["init"], timeout=timeout)


def exists(repo: Repository, *, timeout: float = 120) -> bool:
    """Does a repository open at this location with this key? (WrongPassword and others propagate.)"""
    try:
        _call(repo, ["--no-lock", "cat", "config"], timeout=timeout)
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
    _call(repo, [*args, "--", *paths], cwd=cwd, on_line=on_line, ok_codes=(0, EXIT_INCOMPLETE), timeout=timeout,
          idle_timeout=stall_timeout, watch=watch)
    if not summary.snapshot_id:
        raise ResticError("restic backup ended without writing a snapshot")
    return summary


def _snapshot(data: dict) -> Snapshot:
    """One entry of ``snapshots --json``; restic >= 0.17 stores the backup's summary in the snapshot itself
    (absent from snapshots written by older restic: files and size stay None)."""
    summary = data.get("summary") or {}
    return Snapshot(id=data["id"], short_id=data["short_id"], time=data["time"],
                    hostname=data.get("hostname", ""), tags=data.get("tags") or [], paths=data.get("paths") or [],
                    files=summary.get("total_files_processed"), size=summary.get("total_bytes_processed"))


def parse_snapshots(text: str) -> list[Snapshot]:
    try:
        return [_snapshot(s) for s in json.loads(text or "[]")]
    except (ValueError, KeyError, TypeError) as exc:
        raise ResticError(f"restic printed an unreadable snapshot list ({exc})") from exc


def snapshots(repo: Repository, *, tags: list[str] = (), timeout: float = 600) -> list[Snapshot]:  # type: ignore[assignment]
    """Oldest first. ``--no-lock``: listing works on read-only media and beside a running backup."""
    lines: list[str] = []
    args = ["--no-lock", "snapshots", "--json"]
    for tag in tags:
        args += ["--tag", tag]
    _call(repo, args, on_line=_json_lines(lines), timeout=timeout)
    return sorted(parse_snapshots("\n".join(lines)), key=lambda s: s.time)


def parse_ls(lines: list[str]) -> list[Node]:
    nodes = []
    for line in lines:
        try:
            data = json.loads(line)
        except ValueError:
            continue
        if data.get("struct_type") == "node":
            nodes.append(Node(name=data.get("name", ""), type=data.get("type", ""), path=data.get("path", ""),
                              size=int(data.get("size") or 0), mtime=data.get("mtime", "")))
    return nodes


def ls(repo: Repository, snapshot_id: str, directory: str = "/", *, timeout: float = 600) -> list[Node]:
    """The direct children of ``directory`` in a snapshot (restic lists the folder itself too: dropped).
    An unknown snapshot id raises ``SnapshotMissing``; a path not in the snapshot lists nothing."""
    directory = "/" + directory.strip("/")
    lines: list[str] = []
    _call(repo, ["--no-lock", "ls", "--json", snapshot_id, "--", directory], on_line=_json_lines(lines), timeout=timeout)
    return [n for n in parse_ls(lines) if n.path != directory]


def dump(repo: Repository, snapshot_id: str, path: str, *, archive: str | None = None) -> Iterator[bytes]:
    """Stream one file (or a folder as ``archive`` "zip"/"tar") out of a snapshot, chunk by chunk.

    The caller iterates; stopping early (a closed download) stops restic. A failure after the first
    bytes can only cut the stream short, so the first chunk is read before anything is yielded.
    """
    args = [restic_binary(), *repo.global_args(), "--no-lock", "dump",
            *(["--archive", archive] if archive else []), snapshot_id, "--", path]
    process = proc.spawn(args, env=repo.process_env())
    return _stream(process)


def _stream(process: subprocess.Popen[bytes]) -> Iterator[bytes]:
    assert process.stdout is not None and process.stderr is not None
    first = process.stdout.read(65536)
    if not first:
        process.wait(timeout=600)
        error = process.stderr.read().decode("utf-8", "replace")
        process.stderr.close()
        process.stdout.close()
        if process.returncode != 0:
            raise classify(error, process.returncode)
        return iter([b""])

    def chunks() -> Iterator[bytes]:
        try:
            yield first
            while chunk := process.stdout.read(1 << 20):  # type: ignore[union-attr]
                yield chunk
            process.wait(timeout=600)
        finally:
            proc.terminate(process, grace=1.0)
            process.stdout.close()  # type: ignore[union-attr]
            process.stderr.close()  # type: ignore[union-attr]

    return chunks()


def literal_pattern(path: str) -> str:
    """A path as a restic pattern matching only itself.

    ``--include``/``--exclude`` take Go filepath.Match patterns per path component: restoring a file named
    ``*`` restored every file of its folder (issue #11, item 24). Escaping ``* ? [ \\`` with a backslash
    makes each a literal character (measured with restic 0.14 and 0.18: ``/\\*`` restores only the file ``*``).
    ``ls`` and ``dump`` take paths, not patterns: they need no escaping."""
    return re.sub(r"([*?\[\\])", r"\\\1", path)


def tree(repo: Repository, snapshot_id: str, path: str = "/", *, timeout: float = 600) -> list[Node]:
    """The node at ``path`` and everything below it (``ls --recursive``; its filter is a literal path)."""
    path = "/" + path.strip("/")
    lines: list[str] = []
    _call(repo, ["--no-lock", "ls", "--json", "--recursive", snapshot_id, "--", path], on_line=_json_lines(lines),
          timeout=timeout)
    return parse_ls(lines)


def restore(repo: Repository, snapshot_id: str, target: Path, *, include: str | None = None,
            path: str | None = None, timeout: float = 24 * 3600) -> None:
    """Restore a snapshot (or the part under ``include``, a pattern, or ``path``, a literal path) into
    ``target``; ``--no-lock`` for read-only media."""
    Path(target).mkdir(parents=True, exist_ok=True)
    args = ["--no-lock", "restore", snapshot_id, "--target", str(target)]
    if include:
        args += ["--include", include]
    if path and path.strip("/"):
        args += ["--include", literal_pattern("/" + path.strip("/"))]
    _call(repo, args, timeout=timeout, idle_timeout=3600)


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
    _call(repo, args, on_line=_json_lines(lines), timeout=timeout, idle_timeout=3600)
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
        _call(repo, args, timeout=timeout, on_line=lambda stream, line: lines.append(line), idle_timeout=3600)
    except ResticError as exc:
        if type(exc) is not ResticError:  # unreachable, locked, wrong key: not a verdict on the data
            raise
        return CheckResult(ok=False, read_data_subset=read_data_subset, output=lines[-40:])
    return CheckResult(ok=True, read_data_subset=read_data_subset, output=lines[-40:])


def stats(repo: Repository, *, mode: str = "raw-data", timeout: float = 600) -> RepoStats:
    lines: list[str] = []
    _call(repo, ["--no-lock", "stats", "--json", "--mode", mode], on_line=_json_lines(lines), timeout=timeout)
    for line in lines:
        if line.startswith("{"):
            data = json.loads(line)
            return RepoStats(total_size=int(data.get("total_size", 0)), snapshots_count=int(data.get("snapshots_count", 0)))
    raise ResticError("restic stats printed nothing readable")


def unlock(repo: Repository, *, timeout: float = 300) -> None:
    """Remove stale locks only (a dead process's, or older than 30 minutes); live locks stay."""
    _call(repo, ["unlock"], timeout=timeout)


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
