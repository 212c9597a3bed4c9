"""The seed's step 7, end to end: two paired servers back up their people to each other.

Alice's server carries its people's backup areas to Bob's server and Bob's to Alice's, through the
WireGuard tunnel, each person in their own restic repository opened with their own key. Then, as a
person without Anemone would: the printed plain-restic command lists the snapshot over OpenSSH's
sftp, plain restic on the receiving side's disk lists it too, a restore is byte-identical, and the
receiving side holds no plaintext.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import shlex
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.e2e.harness import Server, connect, pair, wait_for
from tests.p2p.conftest import tree_digest

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(900)]

PEOPLE = {"alice": ("alice", "carol"), "bob": ("bob", "dave")}  # server name → the people living on it
BACKUP_TIMEOUT = 300


@dataclass
class Person:
    server: Server
    username: str
    key: Path
    digests: dict[str, str]  # what we wrote: {relative path: sha256}


def fill_area(server: Server, username: str, canary: str | None) -> dict[str, str]:
    """Distinct files per person: binary files of several sizes (one empty), odd names, nested folders."""
    files = {
        f"photos/2026/{username}-beach.jpg": os.urandom(1_500_000),
        f"documents/{username} tax return.pdf": os.urandom(120_000),
        "music/été – chanson.ogg": os.urandom(700_000),
        "empty.bin": b"",
        "notes.txt": f"{username}'s notes on {server.name}\n".encode() * 50,
    }
    if canary is not None:
        files["secret/diary.txt"] = f"dear diary, the canary is {canary}\n".encode() * 20
    root = server.backup_area(username)
    for relpath, content in files.items():
        path = root / relpath
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
    assert tree_digest(root) == {rel: hashlib.sha256(data).hexdigest() for rel, data in files.items()}
    return tree_digest(root)


def add_people(server: Server, keys_dir: Path, canary: str) -> list[Person]:
    people = []
    for index, username in enumerate(PEOPLE[server.name]):
        key = server.create_person(username, keys_dir)
        assert key.read_text().strip() and len(key.read_text().splitlines()) == 1
        people.append(Person(server, username, key, fill_area(server, username, canary if index == 0 else None)))
    return people


def wait_for_tunnel_checks(me: Server, friend: Server) -> None:
    assert wait_for(lambda: all(status == "ok" for key, status in me.health(friend.name).items()
                                if key in ("wireguard", "vpn", "sftp")), 60), me.health(friend.name)


def snapshot_ids(person: Person, peer: Server) -> list[str]:
    """The person's snapshots as Anemone lists them (`snapshots --json`)."""
    result = person.server.manage("snapshots", "--peer", peer.name, "--user", person.username, "--json")
    return [snap["short_id"] for snap in json.loads(result.stdout)]


def assert_plain_restic_lists(person: Person, peer: Server, short_id: str, tmp: Path) -> None:
    """The escape hatch: the printed command, run as argv (no shell) in the sender's namespace with the
    person's key file, lists the snapshot over the tunnel; plain restic on the peer's disk lists it too."""
    printed = person.server.manage("snapshots", "--peer", peer.name, "--user", person.username,
                                   "--restic-command").stdout.strip()
    argv = shlex.split(printed)
    assert argv[0] == "restic" and argv[-1] == "snapshots", printed
    assert f"sftp:{person.server.name}@{peer.vpn_ip}:" in printed  # through the tunnel, as the sender's login
    home = tmp / f"home-{person.server.name}-{person.username}"
    home.mkdir(parents=True)
    env = {"PATH": os.environ["PATH"], "HOME": str(home), "RESTIC_PASSWORD_FILE": str(person.key)}
    listed = person.server.in_namespace(*argv, env=env, timeout=120)
    assert short_id in listed.stdout, f"{printed}\n{listed.stdout}{listed.stderr}"
    stored = peer.data_dir / "incoming" / person.server.name / person.server.name / person.username
    assert (stored / "config").is_file(), sorted(p.name for p in stored.parent.iterdir())
    local = peer.in_namespace("restic", "-r", str(stored), "--no-cache", "snapshots", "--json", env=env)
    assert [snap["short_id"] for snap in json.loads(local.stdout)] == [short_id], local.stdout


def assert_restore_is_byte_identical(person: Person, peer: Server) -> None:
    """The area is emptied (moved aside), then restored: files come back to their own paths (issue #11, item 13)."""
    area = person.server.backup_area(person.username)
    aside = area.with_name("backup-before-restore")
    os.rename(area, aside)
    area.mkdir(mode=0o700)
    person.server.manage("p2p_restore", "--peer", peer.name, "--user", person.username, "--wait", timeout=BACKUP_TIMEOUT)
    assert tree_digest(area) == person.digests
    assert tree_digest(aside) == person.digests


def assert_no_plaintext(receiver: Server, canary: str, people: list[Person]) -> None:
    """Every file under the receiving side's incoming/, read as bytes: the canary is in none of them."""
    incoming = receiver.data_dir / "incoming"
    seen = 0
    for dirpath, _dirs, names in os.walk(incoming):
        for name in names:
            path = Path(dirpath) / name
            assert canary.encode() not in path.read_bytes(), path
            assert canary not in str(path.relative_to(incoming))
            seen += 1
    # The check saw the repositories: a config, keys, an index, a snapshot and data packs per person.
    assert seen >= 5 * len(people), seen


def test_two_paired_servers_back_up_their_people_to_each_other_and_get_every_byte_back(two_servers, tmp_path):
    alice, bob = two_servers
    pair(alice, bob)
    connect(alice, bob)
    wait_for_tunnel_checks(alice, bob)
    wait_for_tunnel_checks(bob, alice)
    canaries = {server.name: f"CANARY-{server.name}-{secrets.token_hex(16)}" for server in (alice, bob)}
    people = {server.name: add_people(server, tmp_path / "keys", canaries[server.name]) for server in (alice, bob)}
    for sender, receiver in ((alice, bob), (bob, alice)):
        done = sender.manage("backup_now", "--peer", receiver.name, "--wait", check=False, timeout=BACKUP_TIMEOUT)
        assert done.returncode == 0, done.stdout + done.stderr
    for me, friend in ((alice, bob), (bob, alice)):
        health = me.manage("peer_health", friend.name, "--json", check=False)
        checks = {c["key"]: (c["status"], c["detail"]) for c in json.loads(health.stdout)[friend.name]}
        assert health.returncode == 0 and all(status == "ok" for status, _ in checks.values()), checks
        assert set(checks) == {"wireguard", "vpn", "sftp", "repository", "backup"}
        # The admin made by setup has an empty backup area: skipped by backups, not a missing repository.
        assert checks["repository"][1] == "2 repositories open with their owners' keys; nothing to back up yet for admin"
    for sender, receiver in ((alice, bob), (bob, alice)):
        for person in people[sender.name]:
            ids = snapshot_ids(person, receiver)
            assert len(ids) == 1, ids
            assert_plain_restic_lists(person, receiver, ids[0], tmp_path)
            assert_restore_is_byte_identical(person, receiver)
        assert_no_plaintext(receiver, canaries[sender.name], people[sender.name])
