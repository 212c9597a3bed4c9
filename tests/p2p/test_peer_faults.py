"""Peer faults that must end clearly (issue #11, item 27): the peer's endpoint SIGKILLed mid-backup, and the
friend's disk full — with real restic, our real endpoint, and a real full filesystem (a small tmpfs)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.db import connection

from anemone.engines import restic
from anemone.runs.models import RunStatus
from anemone.runs.services import request as request_run
from p2p import backup, repos
from p2p.health import check_backup
from p2p.models import UserRepository
from tests.fixtures.incoming import start_endpoint
from tests.p2p.conftest import write_files
from tests.p2p.test_failures import _locks_dir

pytestmark = pytest.mark.django_db(transaction=True)


def endpoint_server_pid(port: int) -> int:
    """The `rclone serve sftp` process listening on 127.0.0.1:port: the peer's real server."""
    wanted = f"127.0.0.1:{port}".encode()
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            argv = cmdline.read_bytes().split(b"\0")
        except OSError:
            continue
        if b"serve" in argv and b"sftp" in argv and wanted in argv:
            return int(cmdline.parent.name)
    raise AssertionError(f"no rclone serve sftp on port {port}")


class SilentRelay:
    """A relay on 127.0.0.1 in front of the endpoint; after ``go_silent()`` it is a peer whose power went:
    nothing more is forwarded and nothing is closed (no reset, no end of stream), new connections hang."""

    def __init__(self, upstream: int) -> None:
        self.upstream, self.silent = upstream, threading.Event()
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        self.sockets: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def go_silent(self) -> None:
        self.silent.set()

    def close(self) -> None:
        for sock in [self.server, *self.sockets]:
            sock.close()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.server.accept()
            except OSError:
                return
            self.sockets.append(client)
            if self.silent.is_set():
                continue
            upstream = socket.create_connection(("127.0.0.1", self.upstream))
            self.sockets.append(upstream)
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    def _pipe(self, a: socket.socket, b: socket.socket) -> None:
        while True:
            try:
                data = a.recv(65536)
                if not data or self.silent.is_set():
                    return
                b.sendall(data)
            except OSError:
                return


def _run_in_thread(run_pk: int) -> threading.Thread:
    def work() -> None:
        try:
            backup.runs.execute(run_pk, backup.backup_body)
        finally:
            connection.close()

    worker = threading.Thread(target=work)
    worker.start()
    return worker


def test_an_endpoint_killed_mid_backup_fails_the_run_quickly_and_the_next_run_recovers(friend, alice,
                                                                                      incoming_endpoint, tmp_path):
    write_files(alice, {f"f{i}.bin": os.urandom(256 * 1024) for i in range(40)})
    friend.bandwidth_limit_kib = 1024  # ~10 s of transfer; the stall timeout stays at its default (300 s)
    friend.save()
    assert friend.stall_timeout_seconds >= 300
    run = request_run("p2p", friend.pk, queue=False)
    worker = _run_in_thread(run.pk)
    deadline = time.monotonic() + 60
    while not list(_locks_dir(friend, "alice").glob("*")) and time.monotonic() < deadline:
        time.sleep(0.2)
    time.sleep(2)  # mid-transfer
    killed_at = time.monotonic()
    os.kill(endpoint_server_pid(incoming_endpoint.port), signal.SIGKILL)  # no goodbye: the process just dies
    worker.join(timeout=400)
    took = time.monotonic() - killed_at
    run.refresh_from_db()
    assert run.status == RunStatus.FAILED, run.message
    assert "peer unreachable" in run.message, run.message
    assert "500" not in run.message
    assert took < 45, f"the run took {took:.0f} s to give up (it was 364 s before)"

    (tmp_path / "again").mkdir()
    again = start_endpoint(tmp_path / "again")
    try:
        friend.port, friend.bandwidth_limit_kib = again.port, 0
        friend.save()
        second = request_run("p2p", friend.pk, inline=True)
        second.refresh_from_db()
        assert second.status == RunStatus.SUCCEEDED, second.message
        assert not list(_locks_dir(friend, "alice").iterdir())
        assert restic.check(repos.repository(friend, alice)).ok
    finally:
        again.stop.set()
        again.thread.join(timeout=30)


def test_a_peer_gone_silent_mid_backup_fails_within_the_stall_timeout(friend, alice, incoming_endpoint):
    """A power cut at the friend's: no reset, no refusal, just silence. The stall watchdog ends the run."""
    write_files(alice, {f"f{i}.bin": os.urandom(256 * 1024) for i in range(40)})
    relay = SilentRelay(incoming_endpoint.port)
    friend.port, friend.bandwidth_limit_kib, friend.stall_timeout_seconds = relay.port, 1024, 20
    friend.save()
    run = request_run("p2p", friend.pk, queue=False)
    worker = _run_in_thread(run.pk)
    try:
        deadline = time.monotonic() + 60
        while not list(_locks_dir(friend, "alice").glob("*")) and time.monotonic() < deadline:
            time.sleep(0.2)
        time.sleep(2)
        silent_at = time.monotonic()
        relay.go_silent()
        worker.join(timeout=200)
        took = time.monotonic() - silent_at
    finally:
        relay.close()
    run.refresh_from_db()
    assert run.status == RunStatus.FAILED and "peer unreachable" in run.message, run.message
    assert took < friend.stall_timeout_seconds + 20, f"{took:.0f} s for a stall timeout of 20 s"


@pytest.fixture
def full_disk_at_friend(friend) -> Iterator[Path]:
    """The friend's storage for us on a 1 MiB filesystem of its own (root mounts it; always unmounted)."""
    from peers.services import peer_root

    folder = peer_root(friend.peer)
    folder.mkdir(parents=True, exist_ok=True)
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m,mode=0700", "anemone-test-full", str(folder)], check=True)
    try:
        yield folder
    finally:
        if subprocess.run(["umount", str(folder)], check=False).returncode != 0:
            subprocess.run(["umount", "-l", str(folder)], check=False)


def test_a_full_disk_at_the_friend_says_so_in_the_run_and_the_checklist(friend, alice, bob, full_disk_at_friend):
    write_files(alice, {f"f{i}.bin": os.urandom(256 * 1024) for i in range(12)})  # 3 MiB into 1 MiB
    write_files(bob, {"b.txt": b"bob"})
    started = time.monotonic()
    run = request_run("p2p", friend.pk, inline=True)
    took = time.monotonic() - started
    run.refresh_from_db()
    assert run.status == RunStatus.FAILED, run.message
    first_line = run.message.splitlines()[0]
    assert "the friend's disk is full" in first_line, run.message
    assert "ask your friend to free space" in first_line
    assert "500" not in run.message
    assert took < 60, f"{took:.0f} s: restic's retries were waited out"
    check = check_backup(friend.peer)
    assert check.status == "fail" and "the friend's disk is full" in check.detail, check
    problem = UserRepository.objects.get(target=friend, user=alice).problem
    assert "the friend's disk is full" in problem
