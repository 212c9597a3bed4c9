"""The host's status file (peers.hosting) through the real endpoint, with OpenSSH's sftp as the peer's client:
readable by the peer's own key, never writable by it, about that peer only, with nothing secret in it."""

from __future__ import annotations

import json
import subprocess
import time
from pathlib import Path

import pytest

from peers import hosting, services
from peers.models import Peer, ServerIdentity

pytestmark = pytest.mark.django_db(transaction=True)


def sftp_as(endpoint, client, user: str, commands: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["sftp", "-b", "-", "-P", str(endpoint.port), "-i", str(client.key_file),
         "-o", f"UserKnownHostsFile={endpoint.known_hosts}", "-o", "StrictHostKeyChecking=yes",
         "-o", "BatchMode=yes", "-o", "IdentitiesOnly=yes", f"{user}@{endpoint.host}"],
        input=commands, capture_output=True, text=True, timeout=30)


def make_repository(peer: Peer, tmp_path: Path) -> None:
    """A real restic repository in the peer's folder, as its backups leave it (one snapshot)."""
    from anemone.engines.paths import restic_binary

    repo = services.peer_root(peer) / "bob-nas" / "bob"
    source = tmp_path / "source"
    source.mkdir(exist_ok=True)
    (source / "f.txt").write_text("bob's file\n")
    env = {"RESTIC_PASSWORD": "a test repository password", "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    for argv in (["init"], ["backup", str(source)]):
        subprocess.run([restic_binary(), "-r", str(repo), "--no-cache", *argv], env=env, check=True,
                       capture_output=True, timeout=120)


def test_the_peer_reads_its_status_but_cannot_write_delete_or_rename_it(incoming_endpoint, tmp_path):
    bob = incoming_endpoint.add_peer("bob-nas", storage_cap_bytes=10_000_000)
    carol = incoming_endpoint.add_peer("carol-nas")
    make_repository(bob.peer, tmp_path)
    hosting.observe_all()
    path = hosting.status_dir(bob.peer) / hosting.STATUS_NAME
    written = path.read_text()
    status = json.loads(written)
    bob_peer = Peer.objects.get(pk=bob.peer.pk)
    assert status["stored_bytes"] == bob_peer.stored_bytes > 0
    assert status["cap_bytes"] == 10_000_000 and status["repositories"] == 1
    assert status["last_write_at"] == bob_peer.last_write_at.isoformat()
    assert set(status) == {"version", "host_time", "last_write_at", "stored_bytes", "cap_bytes", "repositories"}

    local = tmp_path / "got.json"
    got = sftp_as(incoming_endpoint, bob, hosting.STATUS_USER, f"get {hosting.STATUS_NAME} {local}\n")
    assert got.returncode == 0, got.stderr
    assert local.read_text() == written
    for attack in (f"put /etc/hostname {hosting.STATUS_NAME}", f"rm {hosting.STATUS_NAME}",
                   f"rename {hosting.STATUS_NAME} moved.json", "mkdir planted", "put /etc/hostname planted.txt"):
        result = sftp_as(incoming_endpoint, bob, hosting.STATUS_USER, attack + "\n")
        assert result.returncode != 0, attack
    assert path.read_text() == written
    assert sorted(p.name for p in path.parent.iterdir()) == [hosting.STATUS_NAME]
    # Through its normal login the file is not in its folder (where it could write anything).
    listing = sftp_as(incoming_endpoint, bob, "bob-nas", "ls -a\n")
    assert listing.returncode == 0 and hosting.STATUS_NAME not in listing.stdout and "bob-nas" in listing.stdout
    # Carol's key opens Carol's status, never Bob's.
    other = tmp_path / "carol.json"
    assert sftp_as(incoming_endpoint, carol, hosting.STATUS_USER, f"get {hosting.STATUS_NAME} {other}\n").returncode == 0
    assert json.loads(other.read_text())["stored_bytes"] == 0


def test_the_status_file_holds_no_secret_and_nothing_about_other_peers(incoming_endpoint, tmp_path, data_dir):
    bob = incoming_endpoint.add_peer("bob-nas")
    incoming_endpoint.add_peer("carol-nas")
    make_repository(bob.peer, tmp_path)
    hosting.observe_all()
    text = (hosting.status_dir(bob.peer) / hosting.STATUS_NAME).read_text()
    identity = ServerIdentity.objects.get()
    forbidden = [identity.wg_public_key, identity.ssh_public_key.split()[1], bob.public_key.split()[1],
                 bob.peer.wg_public_key, "carol", str(data_dir), "incoming", "BEGIN", "password", "key"]
    for needle in forbidden:
        assert needle not in text, needle
    assert (hosting.status_dir(bob.peer) / hosting.STATUS_NAME).stat().st_mode & 0o077 == 0


def test_the_running_endpoint_notes_a_peers_writes_and_rewrites_its_status(incoming_endpoint, tmp_path, monkeypatch):
    from peers import sftp_endpoint

    bob = incoming_endpoint.add_peer("bob-nas")
    monkeypatch.setattr(sftp_endpoint, "OBSERVE_SECONDS", 0.5)  # a minute in production
    make_repository(bob.peer, tmp_path)
    deadline = time.monotonic() + 20
    on_disk = services.folder_usage(bob.peer.folder)[0]
    status_file = hosting.status_dir(bob.peer) / hosting.STATUS_NAME

    def said() -> int | None:  # the endpoint rewrites the file just after it updates the row: wait for both
        return json.loads(status_file.read_text())["stored_bytes"] if status_file.exists() else None

    while Peer.objects.get(pk=bob.peer.pk).stored_bytes != on_disk or said() != on_disk:
        assert time.monotonic() < deadline, "the endpoint never noted the write in its row and its status file"
        time.sleep(0.2)
    peer = Peer.objects.get(pk=bob.peer.pk)
    assert peer.stored_bytes > 0 and peer.last_write_at is not None


def test_the_status_login_cannot_be_a_server_name(db):
    """A server named like the host's status login could not reach its own folder at its friends'."""
    from django.core.exceptions import ValidationError

    from anemone.accounts.forms import SetupForm
    from anemone.models import SiteSettings
    from anemone.validators import RESERVED_SERVER_NAMES
    from peers.auth_proxy import STATUS_USER

    assert STATUS_USER in RESERVED_SERVER_NAMES
    site = SiteSettings.load()
    site.server_name = STATUS_USER
    with pytest.raises(ValidationError, match="reserved"):
        site.full_clean()
    form = SetupForm(data={"server_name": "Anemone-Status"})
    assert not form.is_valid() and "reserved" in str(form.errors["server_name"])
