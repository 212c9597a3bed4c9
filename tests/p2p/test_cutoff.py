"""A peer cut off mid-backup: the run fails within the target's stall timeout with "peer unreachable",
and once the peer is back the next run succeeds, leaves no lock and the repository checks clean."""

from __future__ import annotations

import os
import threading
import time

import pytest
from django.db import connection

from anemone.engines import restic
from anemone.runs.models import Run, RunStatus
from anemone.runs.services import request as request_run
from p2p import backup, repos
from tests.fixtures.incoming import start_endpoint
from tests.p2p.conftest import write_files
from tests.p2p.test_failures import _locks_dir

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_peer_cut_off_mid_backup_fails_the_run_in_time_and_the_next_run_recovers(friend, alice, incoming_endpoint,
                                                                                    tmp_path):
    write_files(alice, {f"f{i}.bin": os.urandom(256 * 1024) for i in range(40)})
    friend.bandwidth_limit_kib, friend.stall_timeout_seconds = 1024, 10
    friend.save()
    run = request_run("p2p", friend.pk, queue=False)

    def work() -> None:
        try:
            backup.runs.execute(run.pk, backup.backup_body)
        finally:
            connection.close()

    worker = threading.Thread(target=work)
    worker.start()
    deadline = time.monotonic() + 60
    while not list(_locks_dir(friend, "alice").glob("*")) and time.monotonic() < deadline:
        time.sleep(0.2)
    time.sleep(2)  # mid-transfer (~10 s at 1 MiB/s)
    cut_at = time.monotonic()
    incoming_endpoint.stop.set()  # the peer's endpoint goes away with its connections
    incoming_endpoint.thread.join(timeout=30)
    worker.join(timeout=180)
    took = time.monotonic() - cut_at
    print(f"the run gave up {took:.1f} s after the cut")
    run.refresh_from_db()
    assert run.status == RunStatus.FAILED, run.message
    assert "peer unreachable" in run.message
    assert took < friend.stall_timeout_seconds + 60, f"the run took {took:.0f} s to give up"

    (tmp_path / "again").mkdir()
    again = start_endpoint(tmp_path / "again")
    try:
        friend.port, friend.bandwidth_limit_kib = again.port, 0
        friend.save()
        second = request_run("p2p", friend.pk, inline=True)
        second.refresh_from_db()
        assert second.status == RunStatus.SUCCEEDED, second.message
        assert Run.objects.filter(pk=run.pk, status=RunStatus.FAILED).exists()
        assert not list(_locks_dir(friend, "alice").iterdir())
        assert restic.check(repos.repository(friend, alice)).ok
    finally:
        again.stop.set()
        again.thread.join(timeout=30)
