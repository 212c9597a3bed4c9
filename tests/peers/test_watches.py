"""Both friends hear about a stale backup (issue #13 item 2), with real backups and a real mail server.

We are our own friend here (tests/p2p/conftest.py `friend`): our backups log in to our own endpoint on
127.0.0.1 and land in incoming/friend/, so the hosting side (peers.hosting, the peer-silent watch) and the
sending side (the host's status file, the peer-host-lost watch) both see real restic repositories. Time is
moved the way it passes on disk: the repository's top-level files are aged with os.utime.
"""

from __future__ import annotations

import os
import shutil
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from anemone.alerts import conditions
from anemone.alerts.models import AlertChannel, Problem
from anemone.alerts.services import save_channel
from p2p import host_status
from p2p.models import UserRepository
from peers import health, host_report, hosting, services
from peers.models import Peer
from tests.p2p.conftest import write_files
from tests.p2p.test_cli import call

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def only_the_peers_watches(monkeypatch):
    """These tests count what the peers' watches tell; the core ones (a P2P target here that never made a copy
    is rightly "late" a month on) are tested in tests/alerts."""
    monkeypatch.setattr(conditions, "_WATCHES", {name: watch for name, watch in conditions._WATCHES.items()
                                                 if name.startswith("peer-")})


def age_folder(peer: Peer, days: float) -> None:
    """Every file in the peer's folder here as if last written ``days`` ago."""
    moment = (timezone.now() - timedelta(days=days)).timestamp()
    for dirpath, _dirs, names in os.walk(services.peer_root(peer)):
        for name in names:
            os.utime(Path(dirpath) / name, (moment, moment))


@pytest.fixture
def admins(smtp_server):
    save_channel(AlertChannel(name="admins", kind="email", emails="admin@example.org"))
    return smtp_server


def by_recipient(mailbox) -> dict[str, list[tuple[str, str]]]:
    told: dict[str, list[tuple[str, str]]] = {}
    for message, body in zip(mailbox.messages, mailbox.bodies(), strict=True):
        told.setdefault(message["X-Envelope-To"], []).append((str(message["Subject"]).strip(), body))
    return told


def test_a_silent_peer_is_told_to_our_admins_and_its_own_once_and_resolved_when_it_writes_again(friend, alice, admins):
    peer = friend.peer
    peer.contact_email, peer.contact_language = "bob-admin@example.net", "fr"
    services.save_peer(peer)
    write_files(alice, {"a.txt": b"first"})
    call("backup_now", "--peer", "friend", "--wait")
    assert conditions.check_all() == 0  # it just wrote
    age_folder(peer, 4)  # ...and then nothing for four days (the default threshold is 3)
    assert conditions.check_all() == 1
    assert conditions.check_all(timezone.now() + timedelta(minutes=5)) == 0  # still silent: not told again
    told = by_recipient(admins)
    assert set(told) == {"admin@example.org", "bob-admin@example.net"}
    subject, body = told["admin@example.org"][0]
    assert "friend has not backed up to" in subject and "since" in subject
    assert "check friend's server" in body and "WireGuard tunnel" in body and f"/peers/{peer.pk}/" in body
    french_subject, french_body = told["bob-admin@example.net"][0]
    assert "n’a rien sauvegardé" in french_subject or "n'a rien sauvegardé" in french_subject, french_subject
    assert "tunnel WireGuard" in french_body
    assert Problem.objects.filter(watch="peer-silent").count() == 1

    write_files(alice, {"b.txt": b"second"})
    call("backup_now", "--peer", "friend", "--wait")  # it writes again
    assert conditions.check_all() == 1
    told = by_recipient(admins)
    assert [len(told[a]) for a in ("admin@example.org", "bob-admin@example.net")] == [2, 2]
    assert told["admin@example.org"][1][0].startswith(("Resolved", "[Anemone] Resolved")) or \
        "Resolved" in told["admin@example.org"][1][0]
    assert "Résolu" in told["bob-admin@example.net"][1][0]
    assert not Problem.objects.filter(watch="peer-silent").exists()


def test_the_threshold_is_per_peer_and_zero_never_warns(friend, alice, admins, client, admin_user):
    peer = friend.peer
    write_files(alice, {"a.txt": b"first"})
    call("backup_now", "--peer", "friend", "--wait")
    age_folder(peer, 2)
    assert conditions.check_all() == 0  # 2 days < 3
    client.force_login(admin_user)
    assert "silent: it has stopped" not in client.get("/peers/").content.decode()
    Peer.objects.filter(pk=peer.pk).update(silent_after_days=1)
    assert conditions.check_all() == 1
    assert "silent: it has stopped" in client.get("/peers/").content.decode()
    Peer.objects.filter(pk=peer.pk).update(silent_after_days=0)
    assert conditions.check_all() == 1  # the "resolved": nobody watches it any more
    assert conditions.check_all(timezone.now() + timedelta(days=30)) == 0
    assert not admins.messages[0]["X-Envelope-To"].count(",")  # no contact given: our admins only


def test_a_peer_that_never_wrote_is_not_silent(incoming_endpoint, admins):
    incoming_endpoint.add_peer("newcomer")
    assert conditions.check_all(timezone.now() + timedelta(days=30)) == 0


def test_hosting_notes_the_last_write_and_bytes_from_the_top_level_files_only(friend, alice):
    write_files(alice, {"a.bin": os.urandom(200_000)})
    call("backup_now", "--peer", "friend", "--wait")
    peer = hosting.observe(Peer.objects.get(pk=friend.peer.pk))
    root = services.peer_root(peer)
    snapshots = list(root.glob("*/alice/snapshots/*"))
    assert len(snapshots) == 1
    assert abs(peer.last_write_at.timestamp() - max(p.stat().st_mtime for p in root.glob("*/alice/*/*")
                                                    if p.parent.name != "data")) < 1
    assert peer.stored_bytes == services.folder_usage(peer.folder)[0] > 200_000
    assert Peer.objects.get(pk=peer.pk).stored_bytes == peer.stored_bytes
    newest, repositories = hosting.newest_write(root)
    assert repositories == 1 and newest is not None


def test_the_host_losing_our_backups_is_a_finding_and_a_failed_host_check(friend, alice, admins):
    write_files(alice, {"a.txt": b"first"})
    call("backup_now", "--peer", "friend", "--wait")
    peer = Peer.objects.get(pk=friend.peer.pk)
    hosting.observe(peer)  # the host notes our write (its endpoint does so every minute)
    time.sleep(2.5)  # the endpoint's listing of the status view, cached by rclone (DIR_CACHE_TIME), expires
    host_status.read(friend)
    peer.refresh_from_db()
    assert host_report.as_check(peer).status == "ok", host_report.as_check(peer)
    assert conditions.check_all() == 0
    # Two hours later the host's backup disk is gone (unmounted: an empty folder) and it says so.
    UserRepository.objects.filter(target=friend).update(last_snapshot_at=timezone.now() - timedelta(hours=2))
    for child in services.peer_root(peer).iterdir():
        shutil.rmtree(child)
    hosting.observe(peer)
    time.sleep(2.5)
    host_status.read(friend)
    peer.refresh_from_db()
    assert peer.host_status["stored_bytes"] == 0 and peer.host_status["last_write_at"] is None
    check = host_report.as_check(peer)
    assert check.status == "fail" and "may be gone" in check.shown_detail
    assert conditions.check_all() == 1
    subject = admins.subjects()[-1]
    assert "friend may have lost our backups" in subject
    assert admins.messages[-1]["X-Envelope-To"] == "admin@example.org"


def test_a_peer_failing_every_check_for_24_hours_is_told_once(incoming_endpoint, admins):
    client = incoming_endpoint.add_peer("faraway")
    peer = client.peer
    health.check_now(peer)  # no tunnel here: check 1 fails, nothing is sent (tests/peers/test_reach.py)
    peer.refresh_from_db()
    first = peer.unreachable_since
    assert first is not None
    health.check_now(peer)
    peer.refresh_from_db()
    assert peer.unreachable_since == first  # continuously failing: the first failure is kept
    assert conditions.check_all(first + timedelta(hours=23)) == 0
    assert conditions.check_all(first + timedelta(hours=25)) == 1
    assert conditions.check_all(first + timedelta(hours=26)) == 0
    subject, body = admins.subjects()[0], admins.bodies()[0]
    assert "Peer faraway unreachable for 24 hours" in subject
    assert "WireGuard" in body and "cannot run" in body
    Peer.objects.filter(pk=peer.pk).update(unreachable_since=None)  # a check that logged in clears it
    assert conditions.check_all(first + timedelta(hours=27)) == 1
    assert "Resolved" in admins.subjects()[1] or "resolved" in admins.subjects()[1].lower()


def test_a_check_that_logs_in_clears_the_failing_since(friend):
    peer = Peer.objects.get(pk=friend.peer.pk)
    Peer.objects.filter(pk=peer.pk).update(unreachable_since=timezone.now() - timedelta(days=2))
    checks = health.check_now(peer, host="127.0.0.1")
    assert health.reached(checks)
    peer.refresh_from_db()
    assert peer.unreachable_since is None
    assert peer.host_status_read_at is not None  # and the host's status was read after the login
