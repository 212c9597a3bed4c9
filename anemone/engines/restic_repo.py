"""Opening and calling a restic repository: where it is (``Repository``), and the one function that runs a
restic command under a ``PeerWatch`` and turns its exit into a typed error (split from restic.py, which
re-exports what callers use)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path

from anemone.engines import proc
from anemone.engines.paths import rclone_binary, restic_binary
from anemone.engines.restic_errors import ResticError, Stalled
from anemone.engines.restic_results import BackupProgress
from anemone.engines.restic_watch import PeerWatch

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


def call(repo: Repository, args: list[str], *, cwd: Path | None = None, timeout: float = 600,
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


def json_lines(collected: list[str]) -> proc.LineCallback:
    return lambda stream, line: collected.append(line) if stream == "stdout" else None
