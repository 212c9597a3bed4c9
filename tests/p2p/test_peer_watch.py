"""restic's stderr read while it runs (anemone.engines.restic.PeerWatch), on the lines measured with restic 0.14
and rclone 1.75 in tests/p2p/test_peer_faults.py: quick, no server needed."""

from __future__ import annotations

import pytest

from anemone.engines import restic

GONE = ("rclone: 2026/12/02 05:42:37 ERROR : data/d4/d497: Post request put error: Put mkParentDir failed: mkdir "
        "dirExists failed: dirExists: couldn't connect SSH: dial tcp 127.0.0.1:35641: connect: connection refused")
FULL = ('rclone: 2026/12/02 05:45:33 ERROR : data/2f/2fe2: Post request put error: Update Close failed: sftp: "write '
        '/srv/incoming/friend/anemone/alice/data/2f/2fe2: no space left on device" (SSH_FX_FAILURE)')
RETRY = "Save(<data/d497c7a9ff>) returned error, retrying after 720.254544ms: server response unexpected: 500 Internal Server Error (500)"


class Clock:
    """Seconds that pass when the test says so (sleeps on a loaded machine made these tests flaky)."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def test_a_server_that_stays_gone_stops_restic_after_the_grace():
    clock = Clock()
    watch = restic.PeerWatch(grace=20, clock=clock)
    watch.stderr(GONE)
    watch.check()  # not yet
    clock.sleep(15)
    watch.stderr(GONE)
    clock.sleep(15)
    with pytest.raises(restic.Unreachable):
        watch.check()


def test_a_blip_that_restic_got_over_is_forgotten():
    clock = Clock()
    watch = restic.PeerWatch(grace=20, clock=clock)
    watch.stderr(GONE)
    clock.sleep(30)  # no word of failure since
    watch.check()
    watch.stderr(GONE)
    watch.progress()  # bytes moved again
    clock.sleep(30)
    watch.check()


def test_a_full_disk_stops_restic_at_once_and_a_final_500_is_named_for_what_it_was():
    watch = restic.PeerWatch()
    with pytest.raises(restic.NoSpace):
        watch.stderr(FULL)
    assert isinstance(watch.classify(f"{RETRY}\nFatal: unable to save snapshot: server response unexpected: 500", 1),
                      restic.NoSpace)


def test_restic_own_lines_and_source_file_names_are_not_signals():
    assert restic.stderr_signal(RETRY) is None
    assert restic.stderr_signal("error: open /srv/backup/connection refused.txt: permission denied") is None
