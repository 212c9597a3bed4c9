"""A sync whose process is SIGKILLed mid-transfer ends "interrupted", leaves no rclone behind, and the
next run completes with a correct remote. Everything runs as separate processes on a file database,
as in production."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from tests.fixtures.processes import ROOT, alive, manage, slow_sync_setup


def rclone_children(pid: int) -> list[int]:
    found = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            fields = dict(line.split(":\t", 1) for line in status.read_text().splitlines() if ":\t" in line)
            cmdline = (status.parent / "cmdline").read_bytes()
        except OSError:
            continue
        if b"rclone" in cmdline and b"sync" in cmdline and fields.get("PPid", "").strip() == str(pid):
            found.append(int(status.parent.name))
    return found


def test_it_recovers_from_a_killed_sync(sshd, tmp_path):
    remote = sshd.root / "srv" / "killed"
    remote.mkdir()
    env = {"ANEMONE_DATA_DIR": str(tmp_path / "data"), "PATH": os.environ["PATH"], "HOME": str(tmp_path)}
    manage(env, "migrate", "--noinput", "-v", "0")
    public = manage(env, "shell", "-c", slow_sync_setup(sshd.port, remote, "1M"))
    sshd.authorize(public)
    worker = subprocess.Popen([sys.executable, "manage.py", "cloud_sync", "offsite", "--wait"], cwd=ROOT, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not (remote / "backup/alice").exists():
            time.sleep(0.2)
        time.sleep(2)  # mid-transfer: the bandwidth limit makes the whole sync take ~10 s
        children = rclone_children(worker.pid)
        assert children, "rclone should be running"
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(timeout=10)
    finally:
        if worker.poll() is None:
            os.killpg(worker.pid, signal.SIGKILL)
    time.sleep(1)
    assert not any(alive(pid) for pid in children), "rclone outlived its worker"
    source = tmp_path / "data/shares/alice/backup"
    half = {p.name for p in (remote / "backup/alice").iterdir()}
    assert half != {p.name for p in source.iterdir()}, "the kill came too late: nothing was left half done"
    # What the minute-by-minute reaper task (django-q2 schedule) does, run once here:
    status = manage(env, "shell", "-c", "from anemone.runs.tasks import reap; from anemone.runs.models import Run;"
                                        " reap(); run = Run.objects.get();"
                                        " print(run.status, *run.items.values_list('status', flat=True))")
    assert status == "interrupted interrupted"
    manage(env, "shell", "-c", "from cloudbackup.models import Destination; Destination.objects.update(bandwidth_limit='')")
    assert "succeeded: 1 person, " in manage(env, "cloud_sync", "offsite", "--wait", timeout=300)  # exit 0: the run succeeded
    mirror = {p.name: p.read_bytes() for p in (remote / "backup/alice").iterdir()}
    assert mirror == {p.name: p.read_bytes() for p in source.iterdir()}  # nothing missing, no partial leftovers
