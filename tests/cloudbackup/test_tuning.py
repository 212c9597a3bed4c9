"""The sync's rclone tuning, checked on the server where it matters: the seed's server, whose backup
account may run commands. By default rclone checks each upload there by running `md5sum` over a new
SSH session (one per file: what made 50,000 small files slow, bench/RESULTS.md); Anemone's remote
says `shell_type none`, so it only ever speaks SFTP."""

from __future__ import annotations

import pytest

from anemone.engines import rclone
from anemone.files.paths import area_root
from anemone.runs.models import RunStatus
from anemone.runs.services import request as request_run
from cloudbackup import backends, keys
from cloudbackup.models import Kind
from tests.cloudbackup.conftest import make_destination, put
from tests.fixtures.sshd import start_sshd, stop_sshd

pytestmark = pytest.mark.django_db
COMMAND = "Starting session: command"  # what sshd logs (LogLevel VERBOSE) for each exec request


def test_a_sync_runs_no_command_on_a_server_that_would_allow_them(rclone_key, alice, tmp_path):
    server = start_sshd(tmp_path / "seed", shell=True, log_level="VERBOSE")
    log = tmp_path / "seed" / "sshd.log"
    try:
        server.authorize(keys.public_key())
        dest = make_destination(Kind.SFTP, sshd=server)
        for i in range(20):
            put(alice, f"f{i}.txt", b"x" * i)
        run = request_run("cloud", dest.pk, inline=True)
        run.refresh_from_db()
        assert run.status == RunStatus.SUCCEEDED, run.message
        assert run.items.get(user=alice).files == 20
        assert "Starting session: subsystem 'sftp'" in log.read_text()
        assert COMMAND not in log.read_text()

        # The same server and remote with rclone's default shell detection: one md5sum per uploaded file.
        remote = backends.base_remote(dest)
        env = {k: v for k, v in remote.env.items() if not k.endswith("_SHELL_TYPE")}
        rclone.simple(["copy", str(area_root(alice, "backup")), remote.path("raw-defaults")], env)
        assert log.read_text().count(COMMAND) >= 20
    finally:
        stop_sshd(server)
