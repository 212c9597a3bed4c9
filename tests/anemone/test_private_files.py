"""The data dir and everything the product writes are the service account's only (0700 dirs, 0600 files),
whatever the umask it was started with; a system check refuses to start on a data dir or database other
accounts can read."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PEOPLE = """
from pathlib import Path
from django.conf import settings
from anemone.accounts import services
from peers.services import incoming_root
from peers.identity import get_identity
user = services.create_user("alice", email="alice@example.org")
services.activate(user, "correct horse battery staple")
get_identity()
known = Path(settings.DATA_DIR) / "p2p" / "known_hosts" / "friend"  # as p2p.repos writes it
known.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
known.write_text("host key")
(Path(settings.DATA_DIR) / "cache" / "restic" / "friend").mkdir(parents=True, exist_ok=True, mode=0o700)
(incoming_root() / "friend").mkdir(parents=True, exist_ok=True, mode=0o700)
import os
for top, dirs, files in os.walk(settings.DATA_DIR):
    for name in dirs + files:
        path = os.path.join(top, name)
        if os.stat(path).st_mode & 0o077:
            print("OPEN", oct(os.stat(path).st_mode & 0o777), path)
"""


def run(tmp_path: Path, *argv: str) -> subprocess.CompletedProcess:
    """A product command as a service manager with a loose umask (022) would start it."""
    env = {"ANEMONE_DATA_DIR": str(tmp_path / "data"), "PATH": os.environ["PATH"], "HOME": str(tmp_path)}
    return subprocess.run(list(argv), cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
                          preexec_fn=lambda: os.umask(0o022))


def open_to_others(root: Path) -> list[str]:
    return [f"{oct(p.stat().st_mode & 0o777)} {p}" for p in [root, *root.rglob("*")] if p.stat().st_mode & 0o077]


def test_everything_the_product_writes_is_private_under_umask_022(tmp_path):
    data = tmp_path / "data"
    (tmp_path / "pw").write_text("correct horse battery staple\n")
    assert run(tmp_path, sys.executable, "manage.py", "migrate", "-v", "0").returncode == 0
    setup = run(tmp_path, sys.executable, "manage.py", "setup", "--server-name", "home", "--admin", "admin",
                "--password-file", str(tmp_path / "pw"))
    assert setup.returncode == 0, setup.stderr[-2000:]
    people = run(tmp_path, sys.executable, "manage.py", "shell", "-c", PEOPLE)
    assert people.returncode == 0, people.stderr[-2000:]
    assert "OPEN" not in people.stdout, people.stdout  # checked while the database's WAL/SHM exist
    assert open_to_others(data) == []
    for name in ["anemone.sqlite3", "secret_key", "certs/master.key", "shares/alice", "incoming", "p2p", "cache"]:
        assert (data / name).exists(), name


def test_gunicorn_workers_and_plain_django_processes_write_private_files(tmp_path):
    umask = run(tmp_path, sys.executable, "-c", "import os, anemone.wsgi; print(oct(os.umask(0)))")
    assert umask.stdout.strip() == "0o77", umask.stderr[-2000:]
    # Without manage.py or wsgi (a script doing django.setup()): the database is still created 0600.
    code = ("import os, django; os.environ['DJANGO_SETTINGS_MODULE'] = 'anemone.settings'; django.setup();"
            "from django.db import connection; c = connection.cursor(); c.execute('create table t (x int)');"
            "print(oct(os.stat(connection.settings_dict['NAME'] + '-wal').st_mode & 0o777))")
    wal = run(tmp_path, sys.executable, "-c", code)
    assert wal.stdout.strip() == "0o600", wal.stderr[-2000:]
    assert open_to_others(tmp_path / "data") == []


def test_it_refuses_to_start_on_a_data_dir_or_database_others_can_read(tmp_path):
    data = tmp_path / "data"
    assert run(tmp_path, sys.executable, "manage.py", "migrate", "-v", "0").returncode == 0
    data.chmod(0o755)
    refused = run(tmp_path, sys.executable, "manage.py", "check")
    assert refused.returncode != 0 and "anemone.E004" in refused.stderr
    assert f"chmod 700 '{data}'" in refused.stderr
    data.chmod(0o700)
    (data / "anemone.sqlite3").chmod(0o644)
    refused = run(tmp_path, sys.executable, "manage.py", "check")
    assert refused.returncode != 0 and "anemone.sqlite3 can be read by other accounts" in refused.stderr
    (data / "anemone.sqlite3").chmod(0o600)
    assert run(tmp_path, sys.executable, "manage.py", "check").returncode == 0


def test_the_known_hosts_pin_of_a_cloud_sftp_destination_is_private_after_test_connection(
        data_dir, master_key, sshd, db):
    """The pinned host key file rclone reads is written by us: 0600 even in a process with umask 022."""
    from cloudbackup import backends, keys
    from cloudbackup.connection import test_connection
    from cloudbackup.models import Kind
    from tests.cloudbackup.conftest import make_destination

    old = os.umask(0o022)
    try:
        sshd.authorize(keys.generate())
        dest = make_destination(Kind.SFTP, sshd=sshd)
        result = test_connection(dest)
        dest.refresh_from_db()
        backends.remote(dest)  # what a sync builds: writes the pin for rclone
    finally:
        os.umask(old)
    assert result.ok, result.message
    hosts = backends.known_hosts_file(dest)
    assert hosts.read_text().split()[1:] == dest.host_key.split()[1:]
    assert hosts.stat().st_mode & 0o777 == 0o600


def test_a_new_key_file_is_created_0600_never_readable_by_others_even_for_an_instant(tmp_path):
    """Under umask 0 a file created without an explicit mode would be 0666; every file our key writer
    creates must already be 0600 when it gets its final name, without a chmod afterwards."""
    from anemone.engines import ssh

    seen: list[tuple[str, str, int]] = []
    folder = str(tmp_path)

    def watch(event: str, args: tuple) -> None:  # type: ignore[type-arg]
        if event == "os.rename" and str(args[0]).startswith(folder):
            seen.append((event, str(args[1]), os.stat(args[0]).st_mode & 0o777))
        elif event == "os.chmod" and isinstance(args[0], str | Path) and str(args[0]).startswith(folder):
            seen.append((event, str(args[0]), args[1]))

    sys.addaudithook(watch)  # audit hooks cannot be removed: `watch` only looks at this test's tmp_path
    old = os.umask(0)
    try:
        ssh.generate_ed25519(tmp_path / "keys" / "id_ed25519", "test")
    finally:
        os.umask(old)
    key = tmp_path / "keys" / "id_ed25519"
    assert [(e, Path(p).name, oct(m)) for e, p, m in seen] == [
        ("os.rename", "id_ed25519", "0o600"), ("os.rename", "id_ed25519.pub", "0o600")]
    assert key.stat().st_mode & 0o777 == 0o600 and (tmp_path / "keys").stat().st_mode & 0o777 == 0o700
    assert key.read_text().startswith("-----BEGIN OPENSSH PRIVATE KEY-----")


def test_a_failed_write_leaves_neither_a_temp_file_nor_a_half_written_secret(tmp_path):
    from anemone.engines.files import write_private_file

    path = tmp_path / "keys" / "secret"
    write_private_file(path, "old\n")
    with pytest.raises(TypeError):
        write_private_file(path, object())  # type: ignore[arg-type]
    assert path.read_text() == "old\n" and [p.name for p in path.parent.iterdir()] == ["secret"]
    with pytest.raises(ValueError):
        write_private_file(path, "wide", mode=0o644)
    assert path.read_text() == "old\n"
