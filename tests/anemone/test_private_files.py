"""The data dir and everything the product writes are the service account's only (0700 dirs, 0600 files),
whatever the umask it was started with; a system check refuses to start on a data dir or database other
accounts can read."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

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
