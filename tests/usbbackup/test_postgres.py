"""The PostgreSQL path of the configuration snapshot: pg_dump on server A, pg_restore on server B.

Two scratch databases on the PostgreSQL of DATABASE_URL (in `make test`, the suite's own throwaway
cluster; without it, one started for this module), each driven through `manage.py` in a subprocess with
its own data dir, as two real servers would be.
"""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def base_url():  # type: ignore[no-untyped-def]
    """postgres://…:port (no database): DATABASE_URL's server, else a throwaway one (never the machine's)."""
    if os.environ.get("DATABASE_URL"):
        yield os.environ["DATABASE_URL"].rsplit("/", 1)[0]
        return
    from tests.fixtures.services import Postgres

    server = Postgres().start()
    try:
        yield server.url("").rstrip("/")
    finally:
        server.remove()


@pytest.fixture
def two_databases(tmp_path, base_url):  # type: ignore[no-untyped-def]
    import psycopg

    BASE_URL = base_url
    names = [f"anemone_usb_{secrets.token_hex(4)}" for _ in range(2)]
    with psycopg.connect(BASE_URL + "/postgres", autocommit=True) as conn:
        for name in names:
            conn.execute(f'CREATE DATABASE "{name}"')
    envs = [{"ANEMONE_DATA_DIR": str(tmp_path / f"data-{i}"), "PATH": os.environ["PATH"], "HOME": str(tmp_path),
             "DATABASE_URL": f"{BASE_URL}/{name}"} for i, name in enumerate(names)]
    yield envs
    with psycopg.connect(BASE_URL + "/postgres", autocommit=True) as conn:
        for name in names:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def manage(env, *args):  # type: ignore[no-untyped-def]
    result = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True,
                            text=True, timeout=180)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout.strip()


def test_it_dumps_and_restores_a_postgresql_database(two_databases, tmp_path):
    server_a, server_b = two_databases
    manage(server_a, "migrate", "--noinput", "-v", "0")
    staged = manage(server_a, "shell", "-c", (
        "from anemone import crypto; from anemone.accounts import services as s\n"
        "crypto.create_master_key(); u = s.create_user('alice'); s.activate(u, 'correct horse battery staple')\n"
        "from usbbackup import services, snapshot; print(services.config_size()); print(snapshot.stage_config(1).folder)"))
    estimate, stage = int(staged.splitlines()[-2]), Path(staged.splitlines()[-1])
    dumped = (stage / "database.pgdump").stat().st_size
    # The free-space check on the USB page: the estimate covers the real dump, without refusing a small drive.
    assert 0 < dumped <= estimate < 4 * 2**20, (dumped, estimate)
    copy = tmp_path / "stage"
    shutil.copytree(stage, copy)
    manage(server_b, "migrate", "--noinput", "-v", "0")
    out = manage(server_b, "shell", "-c", (
        f"from pathlib import Path; from usbbackup.restore import restore_database\n"
        f"restore_database(Path('{copy}'))\n"
        "from django.contrib.auth import authenticate\n"
        "print(authenticate(username='alice', password='correct horse battery staple') is not None)"))
    assert out.splitlines()[-1] == "True"
