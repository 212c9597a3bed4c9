"""A real django-q2 cluster runs queued runs end to end, with the configured broker.

Run by `make test` twice: once on the embedded default (SQLite + ORM broker) and once with
DATABASE_URL (PostgreSQL) and REDIS_URL (Redis broker). Everything happens in subprocesses against
a scratch database, exactly as `make run` would run the worker.
"""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def scratch_env(tmp_path):
    """Environment of a fresh server: own data dir; own PostgreSQL database when DATABASE_URL is set."""
    env = {"ANEMONE_DATA_DIR": str(tmp_path / "data"), "PATH": os.environ["PATH"], "HOME": str(tmp_path)}
    url = os.environ.get("DATABASE_URL")
    dbname = None
    if url:
        import psycopg

        dbname = f"anemone_queue_{secrets.token_hex(4)}"
        admin_url = url.rsplit("/", 1)[0] + "/postgres"
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{dbname}"')
        env["DATABASE_URL"] = url.rsplit("/", 1)[0] + f"/{dbname}"
    if os.environ.get("REDIS_URL"):
        env["REDIS_URL"] = os.environ["REDIS_URL"]
    yield env
    if dbname:
        import psycopg

        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)')


def manage(env, *args, timeout=120):
    result = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True,
                            text=True, timeout=timeout)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout.strip().splitlines()[-1] if result.stdout.strip() else ""


SHELL_START = """
from anemone.accounts import services as accounts
from anemone import crypto
from anemone.files.paths import trash_root
from anemone.runs import registry
crypto.create_master_key()
user = accounts.create_user("alice")
accounts.activate(user, "correct horse battery staple")
run = registry.get("trash").start(0, trigger="manual")
print(run.pk)
"""


def test_it_runs_a_queued_run_in_a_real_worker(scratch_env):
    manage(scratch_env, "migrate", "--noinput", "-v", "0")
    run_id = int(manage(scratch_env, "shell", "-c", SHELL_START))
    cluster = subprocess.Popen([sys.executable, "manage.py", "qcluster"], cwd=ROOT, env=scratch_env,
                               stdout=open(scratch_env["HOME"] + "/cluster.log", "w"), stderr=subprocess.STDOUT, start_new_session=True)
    try:
        status = ""
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            status = manage(scratch_env, "shell", "-c",
                            f"from anemone.runs.models import Run; print(Run.objects.get(pk={run_id}).status)")
            if status not in ("queued", "running"):
                break
            time.sleep(1)
    finally:
        os.killpg(cluster.pid, signal.SIGTERM)
        try:
            cluster.wait(timeout=10)
        except subprocess.TimeoutExpired:  # django-q2's cluster can linger after "stopping"
            os.killpg(cluster.pid, signal.SIGKILL)
            cluster.wait(timeout=10)
    assert status == "succeeded"
