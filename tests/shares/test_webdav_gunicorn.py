"""WebDAV served the way `make run` serves it: a real gunicorn with the Procfile's two workers. A lock taken
through one worker holds in the other (locks live in the database), and the device-password login works in
both; the portal beside it still answers."""

from __future__ import annotations

import subprocess
import sys

import requests

from tests.anemone.test_queue import scratch_env  # noqa: F401 - the fixture: own data dir, own database
from tests.anemone.test_ready import _poll, _stop
from tests.fixtures.processes import ROOT, manage
from tests.fixtures.sshd import free_port

SETUP = """
from anemone import crypto
from anemone.accounts import services as accounts
from anemone.shares import services
crypto.create_master_key()
alice = accounts.create_user("alice")
accounts.activate(alice, "correct horse battery staple")
print(services.create(alice, "phone")[1])
"""

LOCK_BODY = ('<?xml version="1.0"?><lockinfo xmlns="DAV:"><lockscope><exclusive/></lockscope>'
             '<locktype><write/></locktype><owner>phone</owner></lockinfo>')


def test_a_lock_taken_through_one_worker_holds_in_every_worker(scratch_env, tmp_path):  # noqa: F811
    manage(scratch_env, "migrate", "--noinput", "-v", "0", timeout=300)
    password = manage(scratch_env, "shell", "-c", SETUP)
    manage(scratch_env, "shares", "enable", "--webdav")
    port = free_port()
    web = subprocess.Popen([sys.executable, "-m", "gunicorn", "anemone.wsgi:application", "--bind", f"127.0.0.1:{port}",
                            "--workers", "2", "--threads", "4", "--no-control-socket"], cwd=ROOT, env=scratch_env,
                           stdout=open(tmp_path / "web.log", "w"), stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    auth = ("alice", password)
    try:
        assert _poll(f"{base}/health", 200, 60).status_code == 200
        url = f"{base}/dav/alice/data/report.odt"
        assert requests.put(url, data=b"v1", auth=auth, timeout=10).status_code == 201
        locked = requests.request("LOCK", url, data=LOCK_BODY, auth=auth, timeout=10,
                                  headers={"Timeout": "Second-600", "Content-Type": "application/xml"})
        assert locked.status_code == 200, locked.text
        token = locked.headers["Lock-Token"].strip("<>")
        refused = {requests.put(url, data=b"v2", auth=auth, timeout=10).status_code for _ in range(12)}
        assert refused == {423}  # 12 tries spread over both workers: every one sees the lock
        allowed = requests.put(url, data=b"v2", auth=auth, timeout=10, headers={"If": f"(<{token}>)"})
        assert allowed.status_code in (200, 204)
        assert requests.get(url, auth=auth, timeout=10).content == b"v2"
        unlocked = requests.request("UNLOCK", url, auth=auth, timeout=10, headers={"Lock-Token": f"<{token}>"})
        assert unlocked.status_code == 204
        assert requests.put(url, data=b"v3", auth=auth, timeout=10).status_code in (200, 204)
        assert requests.get(f"{base}/health", timeout=10).status_code == 200
    finally:
        _stop(web)
