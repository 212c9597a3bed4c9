"""SIGKILL of the worker at random moments of a P2P backup, as separate processes on a file database (as
in production): each time the Run ends "interrupted", no restic or rclone is left behind, and finally a
run succeeds and `restic check` passes."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

from tests.cloudbackup.test_kill import alive, manage
from tests.fixtures.sshd import free_port, wait_listening

ROOT = Path(__file__).resolve().parents[2]

SETUP = """
import os
from anemone import crypto
from anemone.accounts import services as accounts
from anemone.accounts.setup import mark_setup_done
from anemone.engines.wireguard import generate_keypair
from anemone.files.paths import area_root
from p2p import services
from peers import services as peer_services
from peers.identity import get_identity
from peers.models import Peer
crypto.create_master_key()
mark_setup_done()  # `serve_sftp` waits until setup is done
alice = accounts.create_user("alice", is_admin=True)
accounts.activate(alice, "correct horse battery staple")
for i in range(48):
    (area_root(alice, "backup") / f"f{i:02d}.bin").write_bytes(os.urandom(256 * 1024))
peer = peer_services.save_peer(Peer(name="friend", wg_public_key=generate_keypair()[1], allowed_ips="198.51.100.9/32",
                                    ssh_public_key=get_identity().ssh_public_key))
target = services.target_for(peer)
target.host, target.port, target.bandwidth_limit_kib = "127.0.0.1", PORT, 1024
services.save_target(target)
"""

CHECK = """
from anemone.accounts.models import User
from anemone.engines import restic
from p2p import repos, services
print(restic.check(repos.repository(services.find_target("friend"), User.objects.get(username="alice"))).ok)
"""


def engine_processes(data_dir: Path, restic_command: str | None = None) -> list[int]:
    """restic and its rclone child for this data dir's P2P repository (found by their environment); with
    `restic_command`, only a restic running that command (a run after an interrupted one first clears the stale
    lock with a short-lived restic: waiting for "any restic" could catch that one just as it ends)."""
    marker = f"RCLONE_CONFIG_ANEMONEPEER_KEY_FILE={data_dir}".encode()
    found = []
    for environ in Path("/proc").glob("[0-9]*/environ"):
        try:
            if marker not in environ.read_bytes() or not alive(int(environ.parent.name)):
                continue
            argv = (environ.parent / "cmdline").read_bytes().split(b"\0")
            if restic_command is None or (argv[0].endswith(b"restic") and restic_command.encode() in argv):
                found.append(int(environ.parent.name))
        except OSError:
            continue
    return found


def test_a_backup_killed_at_random_moments_is_interrupted_and_the_next_run_succeeds(tmp_path):
    data_dir = tmp_path / "data"
    env = {"ANEMONE_DATA_DIR": str(data_dir), "PATH": os.environ["PATH"], "HOME": str(tmp_path)}
    manage(env, "migrate", "--noinput", "-v", "0")
    port = free_port()
    manage(env, "shell", "-c", SETUP.replace("PORT", str(port)))
    endpoint = subprocess.Popen([sys.executable, "manage.py", "serve_sftp", "--listen", f"127.0.0.1:{port}"], cwd=ROOT,
                                env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    assert wait_listening(port, 30), "the endpoint should listen before the first backup (else: 'peer unreachable')"
    rng = random.Random(os.getpid())
    try:
        for attempt in range(3):
            output = tmp_path / f"worker-{attempt}.log"
            with output.open("wb") as log:
                worker = subprocess.Popen([sys.executable, "manage.py", "backup_now", "--peer", "friend", "--wait"],
                                          cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
            deadline = time.monotonic() + 60
            while not engine_processes(data_dir, "backup") and time.monotonic() < deadline and worker.poll() is None:
                time.sleep(0.05)
            assert engine_processes(data_dir, "backup"), f"attempt {attempt}: restic backup should be running; the worker " \
                f"{'exited ' + str(worker.returncode) if worker.poll() is not None else 'runs'}: {output.read_text()[-2000:]}"
            time.sleep(rng.uniform(0.2, 5.0))  # somewhere in the ~12 s the bandwidth limit gives the backup
            os.kill(worker.pid, signal.SIGKILL)
            worker.wait(timeout=10)
            deadline = time.monotonic() + 15
            while engine_processes(data_dir) and time.monotonic() < deadline:
                time.sleep(0.2)
            assert not engine_processes(data_dir), f"attempt {attempt}: restic or rclone outlived the worker"
            status = manage(env, "shell", "-c", "from anemone.runs.services import reap_stale; from anemone.runs.models"
                                                " import Run; reap_stale(); run = Run.objects.first(); print(run.status, run.message)")
            assert status.startswith("interrupted"), f"attempt {attempt}: {status}; the worker said: {output.read_text()[-2000:]}"
        manage(env, "shell", "-c", "from p2p.models import PeerTarget; PeerTarget.objects.update(bandwidth_limit_kib=0)")
        assert "1 person backed up to friend" in manage(env, "backup_now", "--peer", "friend", "--wait", timeout=300)
        assert manage(env, "shell", "-c", CHECK, timeout=300) == "True"
    finally:
        os.killpg(endpoint.pid, signal.SIGTERM)
        endpoint.wait(timeout=30)
