"""/ready: 200 only when the database answers, a worker's heartbeat is live, the incoming SFTP endpoint accepts
connections (when peers exist) and the data disk has room; else 503 naming each failing check.

The worker is a real `manage.py qcluster` and the web a real gunicorn (the Procfile's `web`), in a scratch
server of their own, with the configured broker: the ORM broker on SQLite, Redis under `make test`'s second
pass. The SFTP endpoint is the product's own (rclone serve sftp + the auth proxy) on 127.0.0.1.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest
import requests

from tests.anemone.test_metrics import parse
from tests.anemone.test_queue import scratch_env  # noqa: F401 - the fixture: own data dir, own database
from tests.fixtures.processes import ROOT, manage
from tests.fixtures.sshd import free_port


def ready(client) -> tuple[int, dict]:  # type: ignore[no-untyped-def]
    response = client.get("/ready")
    assert response["Content-Type"] == "application/json"
    return response.status_code, json.loads(response.content)


@pytest.mark.django_db
def test_without_a_worker_it_is_not_ready_and_says_which_check(admin_user, client, settings):
    status, body = ready(client)
    assert status == 503
    assert body["status"] == "not ready"
    assert body["failing"] == ["worker"]
    assert body["checks"]["database"] == {"status": "ok"}
    assert body["checks"]["disk"] == {"status": "ok"}
    assert "qcluster" in body["checks"]["worker"]["reason"]
    assert "sftp" not in body["checks"]  # no peer: nothing to serve, nothing to check
    assert str(settings.DATA_DIR) not in json.dumps(body)


@pytest.mark.django_db
def test_a_nearly_full_disk_is_not_ready(admin_user, client, settings):
    settings.ANEMONE_READY_MIN_FREE_PERCENT, settings.ANEMONE_READY_MIN_FREE_BYTES = 100, 1024**5
    status, body = ready(client)
    assert status == 503
    assert set(body["failing"]) == {"worker", "disk"}
    assert "free on the data disk" in body["checks"]["disk"]["reason"]
    assert str(settings.DATA_DIR) not in json.dumps(body)
    settings.ANEMONE_READY_MIN_FREE_BYTES = 0  # 0 turns the check off
    assert "disk" not in ready(client)[1]["failing"]


@pytest.mark.django_db
def test_in_french_the_reasons_are_french(admin_user, client):
    response = client.get("/ready", HTTP_ACCEPT_LANGUAGE="fr")
    body = json.loads(response.content)
    assert response.status_code == 503
    assert "Aucun signe de vie" in body["checks"]["worker"]["reason"], body
    assert body["failing"] == ["worker"]  # the check names stay the same words for scripts


def test_with_peers_the_incoming_endpoint_must_answer(incoming_endpoint, admin_user, client, settings):
    incoming_endpoint.add_peer("bob-house")
    settings.SFTP_LISTEN = f"127.0.0.1:{incoming_endpoint.port}"
    status, body = ready(client)
    assert body["checks"]["sftp"] == {"status": "ok"}, body
    assert body["failing"] == ["worker"]
    incoming_endpoint.stop.set()  # the sftp process stops: its port closes
    incoming_endpoint.thread.join(timeout=30)
    status, body = ready(client)
    assert status == 503
    assert set(body["failing"]) == {"worker", "sftp"}
    assert "SFTP" in body["checks"]["sftp"]["reason"]


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:  # django-q2's cluster can linger after "stopping"
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


def _poll(url: str, want: int, timeout: float) -> requests.Response:
    deadline = time.monotonic() + timeout
    while True:
        try:
            response = requests.get(url, timeout=10)
            if response.status_code == want or time.monotonic() > deadline:
                return response
        except requests.ConnectionError:
            if time.monotonic() > deadline:
                raise
        time.sleep(0.5)


def test_a_real_worker_makes_a_real_server_ready_and_its_end_makes_it_not_ready(scratch_env):  # noqa: F811
    manage(scratch_env, "migrate", "--noinput", "-v", "0", timeout=300)
    port = free_port()
    home = scratch_env["HOME"]
    web = subprocess.Popen([sys.executable, "-m", "gunicorn", "anemone.wsgi:application", "--bind", f"127.0.0.1:{port}",
                            "--workers", "2", "--no-control-socket"], cwd=ROOT, env=scratch_env,
                           stdout=open(f"{home}/web.log", "w"), stderr=subprocess.STDOUT, start_new_session=True)
    cluster = None
    base = f"http://127.0.0.1:{port}"
    try:
        assert _poll(f"{base}/health", 200, 60).status_code == 200
        response = requests.get(f"{base}/ready", timeout=10)
        assert response.status_code == 503
        assert response.json()["failing"] == ["worker"]

        cluster = subprocess.Popen([sys.executable, "manage.py", "qcluster"], cwd=ROOT, env=scratch_env,
                                   stdout=open(f"{home}/cluster.log", "w"), stderr=subprocess.STDOUT,
                                   start_new_session=True)
        response = _poll(f"{base}/ready", 200, 60)
        assert response.status_code == 200, response.text + open(f"{home}/cluster.log").read()[-3000:]
        assert response.json() == {"status": "ready", "failing": [],
                                   "checks": {"database": {"status": "ok"}, "worker": {"status": "ok"},
                                              "disk": {"status": "ok"}}}
        for _attempt in range(4):  # whichever of the two gunicorn workers answers sees the heartbeat
            samples = parse(requests.get(f"{base}/metrics", timeout=10).text)
            assert samples[("anemone_worker_clusters", frozenset())] == 1

        _stop(cluster)
        response = _poll(f"{base}/ready", 503, 30)
        assert response.status_code == 503
        assert response.json()["failing"] == ["worker"]
    finally:
        if cluster is not None:
            _stop(cluster)
        _stop(web)
