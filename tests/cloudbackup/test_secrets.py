"""Canary secrets (S3 secret, WebDAV and SFTP passwords, crypt password) never show: not in any
process's command line while syncs and tests run (what `ps` shows everyone), not in API responses,
admin or portal forms, the database, logs, run messages or command output."""

from __future__ import annotations

import io
import logging
import subprocess
import threading
from pathlib import Path

import pytest
from django.core.management import call_command

from anemone.runs.models import Run, RunStatus
from anemone.runs.services import request as request_run
from cloudbackup import connection, services
from cloudbackup.models import Destination, Kind
from tests.cloudbackup.conftest import CRYPT_CANARY, make_destination, put

pytestmark = pytest.mark.django_db
SFTP_CANARY = "sftp-pass-canary-30c9"


class ArgvWatcher:
    """Reads every process's command line (/proc/*/cmdline, what `ps` reads) until stopped; runs `ps` too."""

    def __init__(self) -> None:
        self.seen: list[str] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch)

    def _watch(self) -> None:
        rounds = 0
        while not self._stop.is_set():
            for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
                try:
                    self.seen.append(cmdline.read_bytes().replace(b"\0", b" ").decode(errors="replace"))
                except OSError:
                    continue
            if rounds % 10 == 0:
                self.seen += subprocess.run(["ps", "-eww", "-o", "args="], capture_output=True, text=True).stdout.splitlines()
            rounds += 1

    def __enter__(self) -> ArgvWatcher:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def test_it_keeps_secrets_out_of_argv_api_forms_database_and_logs(rclone_key, s3_server, webdav_server, sshd, alice,
                                                                  admin_user, client, caplog, tmp_path):
    s3 = make_destination(Kind.S3, crypt=True, s3=s3_server)
    dav = make_destination(Kind.WEBDAV, webdav=webdav_server)
    ssh = make_destination(Kind.SFTP, sshd=sshd, key_path="")
    services.apply_secrets(ssh, {"password": SFTP_CANARY})
    ssh.save()
    for i in range(300):
        put(alice, f"many/{i}.bin", bytes(1000))
    out, err = io.StringIO(), io.StringIO()
    with caplog.at_level(logging.DEBUG), ArgvWatcher() as watcher:
        call_command("cloud_sync", s3.name, "--wait", stdout=out, stderr=err)  # the CLI path, inline
        request_run("cloud", dav.pk, inline=True)
        refused = connection.test_connection(ssh)  # the server refuses passwords: an error path
        ssh_run = request_run("cloud", ssh.pk, inline=True)
    runs = list(Run.objects.all())
    assert {r.target_id: r.status for r in runs if r.target_id in (s3.pk, dav.pk)} == \
        {s3.pk: RunStatus.SUCCEEDED, dav.pk: RunStatus.SUCCEEDED}, [r.message for r in runs]
    assert refused.outcome == "auth_refused" and Run.objects.get(pk=ssh_run.pk).status == RunStatus.FAILED
    assert any("rclone" in a and " sync " in a for a in watcher.seen)  # we did watch the syncs
    assert any(a.startswith("ps ") for a in watcher.seen)

    client.force_login(admin_user)

    def page(url: str, method: str = "get") -> str:
        response = getattr(client, method)(url)
        assert response.status_code == 200, url
        return response.content.decode()

    shown = [out.getvalue(), err.getvalue(), caplog.text, refused.message, str(list(Destination.objects.values())),
             page(f"/api/v1/cloud/destinations/{ssh.pk}/test/", "post"), page("/api/v1/cloud/destinations/"),
             page("/api/v1/runs/"), page("/cloud/"), page("/cloud/restore/"), page("/admin/cloudbackup/destination/")]
    for run in runs:
        shown += [run.message, run.log_tail, *[i.message for i in run.items.all()], page(f"/api/v1/runs/{run.pk}/"),
                  page(f"/runs/{run.pk}/")]
    for dest in (s3, dav, ssh):
        shown += [page(f"/api/v1/cloud/destinations/{dest.pk}/"), page(f"/admin/cloudbackup/destination/{dest.pk}/change/"),
                  page(f"/cloud/{dest.pk}/"), page(f"/cloud/{dest.pk}/edit/")]
    # The S3 and WebDAV stand-ins take their own credentials in argv: they are the server, not us.
    ours = [a for a in watcher.seen if " serve s3 " not in a and " serve webdav " not in a]
    for canary in (s3_server.secret, webdav_server.secret, SFTP_CANARY, CRYPT_CANARY):
        assert not [a for a in ours if canary in a], canary
        assert not [page for page in shown if canary in page], canary
