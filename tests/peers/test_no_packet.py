"""With no tunnel, nothing the product runs connects to a peer's VPN address — traced with strace in a
network namespace holding only `lo`, children (restic, rclone) included (item 9)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SETUP = """
from anemone import crypto
from anemone.accounts import services as accounts
from anemone.engines.wireguard import generate_keypair
from anemone.files.paths import area_root
from peers import services
from peers.models import Peer
from tests.peers.test_peering import new_ssh_key
crypto.create_master_key()
alice = accounts.create_user("alice", is_admin=True)
accounts.activate(alice, "correct horse battery staple")
(area_root(alice, "backup") / "photo.jpg").write_bytes(b"x" * 1000)
services.save_peer(Peer(name="bob", wg_public_key=generate_keypair()[1], allowed_ips="198.51.100.2/32",
                        ssh_public_key=new_ssh_key()))
"""


def manage(env: dict[str, str], *args: str, trace: Path | None = None) -> subprocess.CompletedProcess:
    prefix = ["unshare", "--net", "strace", "-f", "-qq", "-e", "trace=connect", "-o", str(trace)] if trace else []
    return subprocess.run([*prefix, sys.executable, str(ROOT / "manage.py"), *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300)


def inet_connects(trace: Path) -> list[str]:
    """connect() calls to an IP address other than loopback."""
    lines = trace.read_text().splitlines()
    return [line for line in lines if re.search(r"sin6?_addr", line) and not re.search(r'"(127\.|::1")', line)
            and "inet_addr(\"127." not in line]


def test_no_connect_to_a_peer_leaves_any_process_without_a_tunnel(tmp_path):
    if os.geteuid() != 0 or not shutil.which("strace") or not shutil.which("unshare"):
        pytest.fail("this test needs root, strace and unshare (make test installs strace)")
    data_dir = tmp_path / "server"
    data_dir.mkdir(mode=0o700)
    env = {"ANEMONE_DATA_DIR": str(data_dir), "PATH": os.environ["PATH"], "HOME": str(tmp_path),
           "PYTHONPATH": str(ROOT)}
    assert manage(env, "migrate", "--noinput", "-v", "0").returncode == 0
    setup = manage(env, "shell", "-c", SETUP)
    assert setup.returncode == 0, setup.stderr
    health = manage(env, "peer_health", "bob", "--json", trace=tmp_path / "health.trace")
    assert health.returncode != 0 and '"status": "fail"' in health.stdout and "not up" in health.stdout
    backup = manage(env, "backup_now", "--peer", "bob", "--wait", trace=tmp_path / "backup.trace")
    assert backup.returncode == 1 and "not contacted" in backup.stdout + backup.stderr, backup.stdout + backup.stderr
    for name in ("health.trace", "backup.trace"):
        assert (tmp_path / name).is_file() and inet_connects(tmp_path / name) == [], name
