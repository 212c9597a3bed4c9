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

import pytest

from tests.fixtures.processes import ROOT, manage, slow_sync_setup


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


SHELL_START = """
from anemone.accounts import services as accounts
from anemone import crypto
from anemone.files.paths import trash_root
from anemone.runs import services
crypto.create_master_key()
user = accounts.create_user("alice")
accounts.activate(user, "correct horse battery staple")
run = services.request("trash", None, trigger="manual")
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


UNLIMITED = "from cloudbackup.models import Destination; Destination.objects.update(bandwidth_limit='')"


@pytest.fixture
def own_postgres():  # type: ignore[no-untyped-def]
    """A PostgreSQL cluster for this test alone: restarting the suite's shared one would cut off other tests."""
    from tests.fixtures.services import Postgres

    server = Postgres().start()
    yield server
    server.remove()


def run_states(url: str) -> list[tuple[str, str]]:
    """(status, message) of every run, read straight from the database (no Django process needed)."""
    import psycopg

    with psycopg.connect(url, connect_timeout=5) as conn:
        return [(row[0], row[1]) for row in conn.execute("SELECT status, message FROM runs_run ORDER BY id")]


def wait_for(predicate, timeout: float) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if predicate():
                return True
        except Exception:  # noqa: S110 - the database may be restarting; ask again
            pass
        time.sleep(0.5)
    return False


def test_a_postgresql_restart_mid_run_leaves_the_run_ended_not_stuck_running(own_postgres, sshd, tmp_path):
    """The database restarts while a worker syncs: the run ends (done, or interrupted with the reason) within
    a minute, never left "running", and the same worker runs the next sync to success."""
    remote = sshd.root / "srv" / f"pg-restart-{secrets.token_hex(3)}"
    remote.mkdir(parents=True)
    url = own_postgres.create_database("anemone")
    env = {"ANEMONE_DATA_DIR": str(tmp_path / "data"), "PATH": os.environ["PATH"], "HOME": str(tmp_path),
           "DATABASE_URL": url}
    manage(env, "migrate", "--noinput", "-v", "0", timeout=300)
    sshd.authorize(manage(env, "shell", "-c", slow_sync_setup(sshd.port, remote, "256K")))
    cluster = subprocess.Popen([sys.executable, "manage.py", "qcluster"], cwd=ROOT, env=env, start_new_session=True,
                               stdout=open(tmp_path / "cluster.log", "w"), stderr=subprocess.STDOUT)
    log = lambda: (tmp_path / "cluster.log").read_text()[-4000:]  # noqa: E731
    try:
        manage(env, "cloud_sync", "offsite")
        assert wait_for(lambda: (remote / "backup/alice").exists() and any((remote / "backup/alice").iterdir()), 120), log()
        assert run_states(url)[0][0] == "running"  # 10 MiB at 256 KiB/s: some 40 s to go
        own_postgres.restart()  # fast shutdown: every connection of the worker is cut
        assert wait_for(lambda: run_states(url)[0][0] not in ("queued", "running"), 60), \
            f"the run is still {run_states(url)[0][0]!r} a minute after the restart\n{log()}"
        status, message = run_states(url)[0]
        assert status in ("succeeded", "interrupted"), (status, message)
        if status == "interrupted":
            assert "database" in message.lower(), message
        manage(env, "shell", "-c", UNLIMITED)
        manage(env, "cloud_sync", "offsite")
        assert wait_for(lambda: len(run_states(url)) == 2 and run_states(url)[1][0] == "succeeded", 180), \
            f"{run_states(url)}\n{log()}"
    finally:
        os.killpg(cluster.pid, signal.SIGTERM)
        try:
            cluster.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(cluster.pid, signal.SIGKILL)
            cluster.wait(timeout=10)
    mirror = {p.name: p.read_bytes() for p in (remote / "backup/alice").iterdir()}
    source = tmp_path / "data/shares/alice/backup"
    assert mirror == {p.name: p.read_bytes() for p in source.iterdir()}
