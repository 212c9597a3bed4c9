"""Start the processes of a Procfile and make sure none outlives us, however we end.

`make run` used honcho. Stopped with SIGTERM and killed a few seconds later (as a service manager or a
script does), honcho died while django-q2's `qcluster` was still finishing its stop, and the cluster ran on,
orphaned, for an hour after its data dir was gone. This supervisor keeps three promises instead:

1. SIGTERM, SIGINT (Ctrl-C) or SIGHUP stops every process within 10 s: each is asked to stop (SIGTERM to
   its leader, so gunicorn and the cluster stop in order), and whatever still runs after GRACE_SECONDS is
   killed with its whole process group (gunicorn's workers, the cluster's sentinel and workers).
2. If one process exits on its own, the others are stopped the same way and we exit with its status
   (honcho's behaviour: a half-running server is worse than a stopped one).
3. If we are killed (SIGKILL: no handler runs), the processes still end: each gets SIGTERM from the kernel
   the moment we die (PR_SET_PDEATHSIG), and a small guardian process, which only waits for our end of a
   pipe to close, kills what is left of their process groups GRACE_SECONDS later.

We also take SIGTERM when our own parent (`make`) dies. Commands are split into argv lists (no shell);
`${NAME:-default}` and `$NAME` are expanded from the environment, as in the Procfile.

Usage: python scripts/supervise.py [Procfile]
"""

from __future__ import annotations

import ctypes
import os
import re
import select
import shlex
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

GRACE_SECONDS = 6.0  # + the final kill and reaping: all gone well within the promised 10 s
PR_SET_PDEATHSIG = 1
_VARIABLE = re.compile(r"\$\{(\w+)(?::-([^}]*))?\}|\$(\w+)")
LIBC = ctypes.CDLL(None, use_errno=True)  # loaded here: a forked child must not load libraries (preexec_fn)


@dataclass
class Entry:
    name: str
    argv: list[str]


def expand(text: str, env: dict[str, str]) -> str:
    """`${NAME:-default}` (default when unset or empty) and `$NAME`, from env; nothing else is interpreted."""

    def value(match: re.Match[str]) -> str:
        name = match.group(1) or match.group(3)
        return env.get(name) or (match.group(2) or "")

    return _VARIABLE.sub(value, text)


def read_procfile(path: Path, env: dict[str, str]) -> list[Entry]:
    entries = []
    for line in path.read_text().splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        name, _, command = line.partition(":")
        entries.append(Entry(name.strip(), shlex.split(expand(command.strip(), env))))
    return entries


def set_parent_death_signal(sig: int) -> None:
    LIBC.prctl(PR_SET_PDEATHSIG, sig)


def group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def kill_groups(pgids: list[int], sig: int) -> None:
    for pgid in pgids:
        try:
            os.killpg(pgid, sig)
        except (ProcessLookupError, PermissionError):
            pass


def wait_groups_gone(pgids: list[int], timeout: float, reap: Callable[[], None] = lambda: None) -> bool:
    """Until no process of these groups is left; `reap` collects our own exited children (a zombie leader
    still counts as a member of its group)."""
    deadline = time.monotonic() + timeout
    while True:
        reap()
        if not any(group_alive(p) for p in pgids):
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.1)


def guardian(read_fd: int) -> None:
    """Runs in a forked process: collect the children's group ids until the supervisor's pipe closes, then
    make sure those groups are gone (nothing to do after a normal stop; after a SIGKILL, the clean-up)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the whole terminal group; the supervisor acts
    signal.signal(signal.SIGTERM, signal.SIG_IGN)  # we exit by ourselves once the pipe closes
    pgids: list[int] = []
    buffer = b""
    while chunk := os.read(read_fd, 4096):
        buffer += chunk
        *lines, buffer = buffer.split(b"\n")
        pgids += [int(line) for line in lines if line.strip()]
    if any(group_alive(p) for p in pgids):
        kill_groups(pgids, signal.SIGTERM)  # already sent by the kernel (parent death); harmless twice
        if not wait_groups_gone(pgids, GRACE_SECONDS):
            kill_groups(pgids, signal.SIGKILL)


def start_guardian() -> int:
    """Fork the guardian before any thread exists; returns the pipe's write end (kept open by us only)."""
    read_fd, write_fd = os.pipe()
    if os.fork() == 0:
        os.close(write_fd)
        try:
            os.setpgid(0, 0)  # out of the terminal's group and of any `kill -- -PGID` aimed at `make run`
            guardian(read_fd)
        finally:
            os._exit(0)
    os.close(read_fd)
    return write_fd


def pump(name: str, stream: object, width: int, lock: threading.Lock) -> None:
    """Copy a child's output line by line, prefixed with its name (as honcho did)."""
    for raw in iter(stream.readline, b""):  # type: ignore[attr-defined]
        line = raw.decode(errors="replace").rstrip("\n")
        with lock:
            sys.stdout.write(f"{time.strftime('%H:%M:%S')} {name:<{width}} | {line}\n")
            sys.stdout.flush()


class Supervisor:
    def __init__(self, entries: list[Entry], env: dict[str, str]):
        self.entries, self.env = entries, env
        self.children: dict[str, subprocess.Popen[bytes]] = {}
        self.lock = threading.Lock()
        self.stop_requested = False
        self.width = max(len(e.name) for e in entries)

    def log(self, message: str) -> None:
        with self.lock:
            sys.stdout.write(f"{time.strftime('%H:%M:%S')} {'system':<{self.width}} | {message}\n")
            sys.stdout.flush()

    def start(self, guardian_fd: int) -> None:
        """Every process first, then the output threads: preexec_fn is only safe while we have one thread."""
        for entry in self.entries:
            child = subprocess.Popen(  # noqa: S603 (argv from our own Procfile, no shell)
                entry.argv, env=self.env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT, start_new_session=True,  # its own group: killpg reaches its children
                preexec_fn=lambda: set_parent_death_signal(signal.SIGTERM),  # noqa: PLW1509
            )
            os.write(guardian_fd, f"{child.pid}\n".encode())
            self.children[entry.name] = child
        for entry in self.entries:
            child = self.children[entry.name]
            threading.Thread(target=pump, args=(entry.name, child.stdout, self.width, self.lock), daemon=True).start()
            self.log(f"{entry.name} started (pid {child.pid}): {shlex.join(entry.argv)}")

    def reap(self) -> None:
        for child in self.children.values():
            child.poll()

    def request_stop(self, signum: int, _frame: object) -> None:
        self.stop_requested = True

    def wait_first_exit(self) -> tuple[str, int] | None:
        """Until a stop is requested (None) or a child exits ((name, status))."""
        while not self.stop_requested:
            for name, child in self.children.items():
                if child.poll() is not None:
                    return name, child.returncode
            select.select([], [], [], 0.2)
        return None

    def stop_all(self) -> None:
        """SIGTERM to every leader, SIGKILL to every group still there after the grace period."""
        pgids = [child.pid for child in self.children.values()]
        for child in self.children.values():
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)
        if not wait_groups_gone(pgids, GRACE_SECONDS, self.reap):
            still = [name for name, child in self.children.items() if group_alive(child.pid)]
            self.log(f"still running after {GRACE_SECONDS:.0f} s, killed: {', '.join(still)}")
            kill_groups(pgids, signal.SIGKILL)
            wait_groups_gone(pgids, 2.0, self.reap)
        for child in self.children.values():
            child.wait()


def main(argv: list[str]) -> int:
    procfile = Path(argv[1] if len(argv) > 1 else "Procfile")
    env = dict(os.environ)
    entries = read_procfile(procfile, env)
    if not entries:
        print(f"supervise: {procfile} lists no process", file=sys.stderr)
        return 2
    set_parent_death_signal(signal.SIGTERM)  # `make run` killed: we stop our processes in order
    guardian_fd = start_guardian()
    supervisor = Supervisor(entries, env)
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(sig, supervisor.request_stop)
    supervisor.start(guardian_fd)
    exited = supervisor.wait_first_exit()
    if exited is None:
        supervisor.log("stopping every process")
    else:
        supervisor.log(f"{exited[0]} exited with status {exited[1]}: stopping the others")
    supervisor.stop_all()
    supervisor.log("all processes stopped")
    os.close(guardian_fd)
    return 0 if exited is None else (exited[1] or 1)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
