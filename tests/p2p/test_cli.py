"""The P2P commands (the seed's backup-now.sh, snapshots, restore) and the plain-restic escape hatch."""

from __future__ import annotations

import io
import json
import os
import shlex
import shutil
import subprocess

import pytest
from django.core.management import CommandError, call_command

from anemone.files.paths import area_root
from peers.health import run_checks
from tests.p2p.conftest import tree_digest, write_files

pytestmark = pytest.mark.django_db(transaction=True)


def call(*args: str) -> str:
    """What the command printed: stdout, then stderr (where --wait draws its progress bar)."""
    out, err = io.StringIO(), io.StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue() + err.getvalue()


def test_backup_now_snapshots_and_restore_from_the_command_line(friend, alice, bob):
    write_files(alice, {"docs/a.txt": b"alice a\n", "b.bin": os.urandom(10_000)})
    write_files(bob, {"c.txt": b"bob c\n"})
    out = call("backup_now", "--peer", "friend", "--user", "alice", "--wait")
    assert "100.0% succeeded" in out and "1 person backed up to friend" in out
    listed = json.loads(call("snapshots", "--peer", "friend", "--user", "alice", "--json"))
    assert len(listed) == 1 and "user:alice" in listed[0]["tags"]
    assert "no snapshot of bob on friend yet" in call("snapshots", "--peer", "friend", "--user", "bob") or \
        pytest.fail("bob was not backed up (--user alice) but has a snapshot")
    area = area_root(alice, "backup")
    shutil.rmtree(area / "docs")
    (area / "b.bin").unlink()
    out = call("p2p_restore", "--peer", "friend", "--user", "alice", "--path", "docs", "--wait")
    assert "succeeded" in out
    assert (area / "docs" / "a.txt").read_bytes() == b"alice a\n"  # back where it was
    assert not (area / "b.bin").exists()  # only the chosen folder


def test_commands_refuse_unknown_peers_and_people_with_one_line(friend, alice):
    with pytest.raises(CommandError, match="no peer named nobody"):
        call("backup_now", "--peer", "nobody")
    with pytest.raises(CommandError, match="does not exist or does not carry"):
        call("snapshots", "--peer", "nobody", "--user", "alice")
    with pytest.raises(CommandError, match="no user named zed"):
        call("snapshots", "--peer", "friend", "--user", "zed")


def test_the_printed_plain_restic_command_lists_the_snapshots_without_anemone(friend, alice, tmp_path):
    write_files(alice, {"photo.jpg": os.urandom(20_000)})
    call("backup_now", "--peer", "friend", "--wait")
    command = call("snapshots", "--peer", "friend", "--user", "alice", "--restic-command").strip()
    assert command.startswith("restic -r sftp:")
    key_file = tmp_path / "alice.key"
    key_file.write_text(alice.backup_key_plain + "\n")
    listed = subprocess.run([*shlex.split(command), "--json"], capture_output=True, text=True, timeout=120,
                            env={"PATH": os.environ["PATH"], "HOME": str(tmp_path), "RESTIC_PASSWORD_FILE": str(key_file)})
    assert listed.returncode == 0, listed.stderr
    assert [s["tags"] for s in json.loads(listed.stdout)] == [["anemone", "user:alice"]]


def test_disaster_restore_of_everyone_from_the_peer(friend, alice, bob):
    write_files(alice, {"x/1.txt": b"one", "2.bin": os.urandom(5000)})
    write_files(bob, {"3.txt": b"three"})
    before = {p.username: tree_digest(area_root(p, "backup")) for p in (alice, bob)}
    call("backup_now", "--peer", "friend", "--wait")
    for person in (alice, bob):  # the server lost everyone's files
        for entry in area_root(person, "backup").iterdir():
            subprocess.run(["rm", "-rf", "--", str(entry)], check=True)
    write_files(bob, {"new-since.txt": b"kept"})  # bob already started again: his restore goes aside
    out = call("p2p_restore", "--peer", "friend", "--all-users", "--wait")
    assert "succeeded" in out
    assert tree_digest(area_root(alice, "backup")) == before["alice"]
    after = tree_digest(area_root(bob, "backup"))  # back in place, beside what bob wrote since
    assert {k: v for k, v in after.items() if k != "new-since.txt"} == before["bob"]
    assert (area_root(bob, "backup") / "new-since.txt").read_bytes() == b"kept"


def test_health_checks_four_and_five_turn_green_after_the_first_backup(friend, alice):
    write_files(alice, {"a.txt": b"a"})
    before = {c.key: c for c in run_checks(friend.peer, host="127.0.0.1")}
    assert before["repository"].status == "fail" and "no repository yet" in before["repository"].detail
    assert before["backup"].status == "pending" and "waiting for check 4" in before["backup"].detail
    call("backup_now", "--peer", "friend", "--wait")
    after = {c.key: c for c in run_checks(friend.peer, host="127.0.0.1")}
    assert after["repository"].status == "ok", after["repository"]
    assert after["backup"].status == "ok", after["backup"]
