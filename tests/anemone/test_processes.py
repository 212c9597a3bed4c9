"""`make run`'s processes end when it ends, however it ends (scripts/supervise.py with the real Procfile).

A real server on free ports in a temp data dir: gunicorn, the django-q2 cluster and the SFTP endpoint,
each with its own children. Stopped with SIGTERM, everything is gone within 10 s; with the supervisor
SIGKILLed (no handler runs), the processes still exit on their own.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.anemone.test_https import presented_fingerprint
from tests.fixtures.processes import ROOT, alive
from tests.fixtures.services import free_port


def parents() -> dict[int, int]:
    """pid → parent pid of every process on the machine (from /proc)."""
    found = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        found[int(stat.parent.name)] = int(fields[1])
    return found


def descendants(pid: int) -> set[int]:
    tree, found, todo = parents(), set(), [pid]
    while todo:
        current = todo.pop()
        children = {child for child, parent in tree.items() if parent == current}
        todo += list(children - found)
        found |= children
    return found


def parent_of(pid: int) -> int:
    return parents().get(pid, 0)


def command(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace").strip()
    except OSError:
        return "?"


def healthy(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


@pytest.fixture
def server(tmp_path):  # type: ignore[no-untyped-def]
    """`make run` without the install steps: migrate, then the supervisor on the Procfile; yields
    (supervisor, every process it started with their children)."""
    port, https_port = free_port(), free_port()
    env = {"ANEMONE_DATA_DIR": str(tmp_path / "data"), "HOME": str(tmp_path),
           "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}",
           "ANEMONE_BIND": f"127.0.0.1:{port}", "ANEMONE_SFTP_LISTEN": f"127.0.0.1:{free_port()}",
           "ANEMONE_SMB_LISTEN": f"127.0.0.1:{free_port()}", "ANEMONE_HTTPS_BIND": f"127.0.0.1:{https_port}"}
    for step in (["migrate", "--noinput", "-v", "0"], ["shares", "enable", "--smb"]):  # smbd runs too
        done = subprocess.run([sys.executable, "manage.py", *step], cwd=ROOT, env=env, capture_output=True, text=True,
                              timeout=180)
        assert done.returncode == 0, done.stdout + done.stderr
    log = tmp_path / "supervise.log"
    with log.open("wb") as out:
        supervisor = subprocess.Popen([sys.executable, "scripts/supervise.py", "Procfile"], cwd=ROOT, env=env,
                                      stdout=out, stderr=subprocess.STDOUT)
    started: set[int] = set()
    try:
        deadline = time.monotonic() + 180  # three Django processes starting on a loaded CI machine
        while time.monotonic() < deadline:  # web answers and the cluster has forked its workers
            started = descendants(supervisor.pid)
            cluster = {pid for pid in started if "qcluster" in command(pid)}  # its forks share the command line
            roots = [pid for pid in cluster if parent_of(pid) not in cluster]
            smbd = any(command(pid).startswith("smbd") for pid in started)
            if healthy(port) and roots and len(descendants(roots[0])) >= 3 and smbd:
                break
            time.sleep(0.5)
        else:
            lines = [line for line in log.read_text().splitlines() if "GET /health" not in line]
            pytest.fail("the server did not come up:\n" + "\n".join(lines[-40:]))
        names = ("gunicorn", "qcluster", "serve_sftp", "serve_smb", "smbd")
        assert {name for name in names if any(name in command(pid) for pid in started)} == set(names)
        assert len(presented_fingerprint(https_port)) == 95  # the https process serves its certificate
        started = descendants(supervisor.pid)  # with the https gunicorn's workers
        yield supervisor, started, log
    finally:
        for pid in started | descendants(supervisor.pid) | {supervisor.pid}:
            if alive(pid):
                os.kill(pid, signal.SIGKILL)
        supervisor.wait(timeout=10)


def wait_gone(pids: set[int], timeout: float) -> set[int]:
    deadline = time.monotonic() + timeout
    while (left := {pid for pid in pids if alive(pid)}) and time.monotonic() < deadline:
        time.sleep(0.1)
    return left


def test_sigterm_stops_every_process_within_ten_seconds(server):  # type: ignore[no-untyped-def]
    supervisor, started, log = server
    stopped_at = time.monotonic()
    supervisor.send_signal(signal.SIGTERM)
    left = wait_gone(started, 10)
    assert supervisor.wait(timeout=max(0.1, 10 - (time.monotonic() - stopped_at))) == 0
    assert not left, f"still running 10 s after SIGTERM: {[command(pid) for pid in left]}\n{log.read_text()[-2000:]}"


def test_processes_exit_on_their_own_when_the_supervisor_is_killed(server):  # type: ignore[no-untyped-def]
    supervisor, started, log = server
    supervisor.kill()  # SIGKILL: the supervisor cleans nothing up itself
    supervisor.wait(timeout=10)
    left = wait_gone(started, 15)
    assert not left, f"orphans 15 s after the supervisor was killed: {[command(pid) for pid in left]}"
