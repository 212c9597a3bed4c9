"""The ONLY subprocess runner of Anemone.

Every external binary is started here: argv lists only (never a shell string), an explicit
environment, a timeout, stdout/stderr streamed line by line to a callback, and the tails of both kept
for error messages. Children are put in their own process group and receive SIGKILL when the Python
process that started them dies (PR_SET_PDEATHSIG), so a killed worker leaves no restic/rclone behind.
"""

from __future__ import annotations

import ctypes
import os
import selectors
import signal
import subprocess
import time
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

LineCallback = Callable[[str, str], None]  # (stream name "stdout"|"stderr", line without newline)
TAIL_LINES = 60
_PR_SET_PDEATHSIG = 1


class ProcError(RuntimeError):
    """Base class of subprocess failures, with a message a person can act on."""


class ProcNotFound(ProcError):
    """The binary is not installed (or not on PATH)."""


class ProcTimeout(ProcError):
    """The process ran past its timeout (or was silent past its idle timeout) and was killed."""


@dataclass
class ProcResult:
    argv: list[str]
    returncode: int
    stdout_tail: list[str] = field(default_factory=list)
    stderr_tail: list[str] = field(default_factory=list)
    duration: float = 0.0

    @property
    def ok(self) -> bool:
        return self.returncode == 0

    @property
    def stdout(self) -> str:
        return "\n".join(self.stdout_tail)

    @property
    def stderr(self) -> str:
        return "\n".join(self.stderr_tail)


def _die_with_parent() -> None:  # pragma: no cover - runs in the child between fork and exec
    try:
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    except OSError:
        pass


def base_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """A small, explicit environment: PATH/HOME/locale from ours, plus what the caller gives."""
    env = {k: v for k, v in os.environ.items() if k in {"PATH", "HOME", "TMPDIR", "TZ", "USER"}}
    env.setdefault("PATH", "/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin")
    env["LANG"] = env["LC_ALL"] = "C.UTF-8"
    if extra:
        env.update(extra)
    return env


def spawn(
    argv: Sequence[str],
    *,
    env: Mapping[str, str] | None = None,
    cwd: str | os.PathLike[str] | None = None,
    stdin: int | None = subprocess.DEVNULL,
    stdout: int | None = subprocess.PIPE,
    stderr: int | None = subprocess.PIPE,
    pass_fds: Sequence[int] = (),
) -> subprocess.Popen[bytes]:
    """Start a process we manage ourselves (long-running servers, binary streams such as restic dump).
    `pass_fds`: descriptors the child inherits (a listening socket handed to a server)."""
    argv = [str(a) for a in argv]
    try:
        return subprocess.Popen(  # noqa: S603 - argv list, never a shell
            argv,
            env=base_env(env),
            cwd=cwd,
            stdin=stdin,
            stdout=stdout,
            stderr=stderr,
            start_new_session=True,
            preexec_fn=_die_with_parent,  # noqa: PLW1509
            pass_fds=tuple(pass_fds),
        )
    except FileNotFoundError as exc:
        raise ProcNotFound(f"{argv[0]} is not installed (run `make run` or `make test` to install it).") from exc


def terminate(process: subprocess.Popen[bytes], grace: float = 5.0) -> None:
    """Stop a process group politely (SIGTERM), then firmly (SIGKILL)."""
    if process.poll() is not None:
        return
    for sig, wait in ((signal.SIGTERM, grace), (signal.SIGKILL, 5.0)):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            return
        try:
            process.wait(timeout=wait)
            return
        except subprocess.TimeoutExpired:
            continue


def run(
    argv: Sequence[str],
    *,
    env: Mapping[str, str] | None = None,
    cwd: str | os.PathLike[str] | None = None,
    timeout: float | None = 3600,
    idle_timeout: float | None = None,
    on_line: LineCallback | None = None,
    input_bytes: bytes | None = None,
) -> ProcResult:
    """Run argv to completion, streaming its lines; kill it on timeout. Never raises on exit codes."""
    started = time.monotonic()
    process = spawn(argv, env=env, cwd=cwd, stdin=subprocess.PIPE if input_bytes is not None else subprocess.DEVNULL)
    if input_bytes is not None and process.stdin:
        process.stdin.write(input_bytes)
        process.stdin.close()
    tails: dict[str, deque[str]] = {"stdout": deque(maxlen=TAIL_LINES), "stderr": deque(maxlen=TAIL_LINES)}
    selector = selectors.DefaultSelector()
    buffers = {"stdout": b"", "stderr": b""}
    for name in ("stdout", "stderr"):
        stream = getattr(process, name)
        os.set_blocking(stream.fileno(), False)
        selector.register(stream, selectors.EVENT_READ, name)
    last_output = time.monotonic()
    try:
        while selector.get_map():
            now = time.monotonic()
            if timeout is not None and now - started > timeout:
                raise ProcTimeout(f"{os.path.basename(argv[0])} took longer than {timeout:.0f} s and was stopped.")
            if idle_timeout is not None and now - last_output > idle_timeout:
                raise ProcTimeout(
                    f"{os.path.basename(argv[0])} gave no sign of life for {idle_timeout:.0f} s and was stopped."
                )
            for key, _ in selector.select(timeout=0.5):
                name = key.data
                chunk = key.fileobj.read(65536)  # type: ignore[union-attr]
                if not chunk:
                    selector.unregister(key.fileobj)
                    lines, buffers[name] = [buffers[name]] if buffers[name] else [], b""
                else:
                    last_output = time.monotonic()
                    *lines, buffers[name] = (buffers[name] + chunk).split(b"\n")
                for raw in lines:
                    line = raw.decode("utf-8", "replace").rstrip("\r")
                    tails[name].append(line)
                    if on_line is not None:
                        on_line(name, line)
        returncode = process.wait(timeout=timeout)
    except BaseException:
        terminate(process, grace=2.0)
        raise
    finally:
        selector.close()
        for stream in (process.stdout, process.stderr):
            if stream:
                stream.close()
    return ProcResult(
        argv=[str(a) for a in argv],
        returncode=returncode,
        stdout_tail=list(tails["stdout"]),
        stderr_tail=list(tails["stderr"]),
        duration=time.monotonic() - started,
    )


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
