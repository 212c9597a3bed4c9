"""`manage.py cloud_destination` and `cloud_sync` as scripts use them."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from cloudbackup import keys
from cloudbackup.models import Destination

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    """What the command printed: stdout, then stderr (where --wait draws its progress bar)."""
    out, err = io.StringIO(), io.StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue() + err.getvalue()


def test_it_adds_tests_syncs_lists_and_removes_from_the_command_line(rclone_key, sshd, alice, tmp_path):
    remote = sshd.root / "srv" / "cli"
    remote.mkdir()
    crypt = tmp_path / "crypt"
    crypt.write_text("a crypt password\n")
    assert "added" in run("cloud_destination", "add", "nightly", "--kind", "sftp", "--host", sshd.host, "--port",
                          str(sshd.port), "--user", "root", "--remote-path", str(remote), "--users", "alice",
                          "--crypt-password-file", str(crypt))
    assert "successful" in run("cloud_destination", "test", "nightly")
    assert "nightly\tsftp\tenabled, encrypted" in run("cloud_destination", "list")
    (Path(keys.key_path()).parent.parent / "shares/alice/backup/a.txt").write_text("a")
    out = run("cloud_sync", "nightly", "--wait")
    assert "100.0%" in out and "1 file copied" in out
    assert (remote / "backup").exists() is False  # encrypted names only
    assert "removed" in run("cloud_destination", "remove", "nightly")
    assert not Destination.objects.exists()


@pytest.mark.parametrize("args, message", [
    (["--kind", "sftp", "--user", "root"], "need: host"),
    (["--kind", "sftp", "--host=-oProxyCommand=x", "--user", "root"], "host name"),
    (["--kind", "sftp", "--host", "example.org", "--user", "root", "--remote-path", "a:b"], "':'"),
    (["--kind", "s3", "--bucket", "Bad_Bucket", "--access-key", "k"], "bucket"),
    (["--kind", "sftp", "--host", "example.org", "--user", "root", "--bwlimit", "fast"], "bandwidth"),
])
def test_it_refuses_bad_input_with_one_clear_line(master_key, args, message):
    with pytest.raises(CommandError, match=message):
        run("cloud_destination", "add", "bad", *args)


def test_it_refuses_an_unknown_destination(db):
    with pytest.raises(CommandError, match="no destination named nowhere"):
        run("cloud_sync", "nowhere")
