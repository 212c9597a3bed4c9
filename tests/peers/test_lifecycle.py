"""Peer lifecycle through one service, whatever the door (item 10): reads never write; saving creates the
P2P target and schedule; disabling and removing unschedule; cached logins revoked, tunnel re-synced."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django_q.models import Schedule

from anemone.engines import wireguard
from anemone.runs.models import Run
from anemone.runs.tasks import scheduled_run
from p2p import backup
from p2p.models import PeerTarget
from peers import codes, services, tunnel
from peers.models import Peer
from tests.peers.test_peering import friend_invitation, new_ssh_key

pytestmark = pytest.mark.django_db


def schedule_of(target_id: int) -> Schedule | None:
    return Schedule.objects.filter(name=f"{backup.KIND}:{target_id}").first()


def new_peer(name: str = "bob", ip: str = "198.51.100.2") -> Peer:
    return Peer(name=name, wg_public_key=wireguard.generate_keypair()[1], allowed_ips=f"{ip}/32",
                ssh_public_key=new_ssh_key(name))


def test_reading_peers_and_targets_creates_nothing(api, admin_user):
    Peer.objects.create(name="legacy", wg_public_key=wireguard.generate_keypair()[1], allowed_ips="198.51.100.7/32",
                        ssh_public_key=new_ssh_key())
    for url in ("/api/v1/peers/", "/api/v1/p2p/targets/"):
        assert api(admin_user).get(url).status_code == 200
    assert PeerTarget.objects.count() == 0 and not Schedule.objects.filter(name__startswith="p2p:").exists()


def test_pairing_through_the_api_creates_the_target_and_its_schedule(api, admin_user):
    response = api(admin_user).post("/api/v1/peers/", {"code": codes.encode(friend_invitation())}, format="json")
    assert response.status_code == 201, response.data
    target = PeerTarget.objects.get(peer__name="bob")
    assert schedule_of(target.pk) is not None


def test_disabling_in_the_portal_unschedules_and_a_firing_queues_nothing(client, admin_user, master_key,
                                                                       django_capture_on_commit_callbacks):
    peer = services.save_peer(new_peer())
    target = PeerTarget.objects.get(peer=peer)
    services.write_index()
    client.force_login(admin_user)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/peers/{peer.pk}/toggle/")
    assert Peer.objects.get(pk=peer.pk).enabled is False
    assert schedule_of(target.pk) is None
    assert services.restart_marker().exists()  # the endpoint drops its cached logins
    assert scheduled_run(backup.KIND, target.pk) is None  # a stale firing: nothing queued, not re-created
    assert not Run.objects.filter(kind=backup.KIND).exists() and schedule_of(target.pk) is None
    call_command("ensure_schedules", stdout=io.StringIO())
    assert schedule_of(target.pk) is None  # a re-sync keeps a disabled peer unscheduled


def test_removing_through_the_api_leaves_no_orphan_schedule(api, admin_user):
    peer = services.save_peer(new_peer())
    target_id = PeerTarget.objects.get(peer=peer).pk
    assert api(admin_user).delete(f"/api/v1/peers/{peer.pk}/").status_code == 204
    assert schedule_of(target_id) is None and not PeerTarget.objects.filter(pk=target_id).exists()
    assert scheduled_run(backup.KIND, target_id) is None  # an old firing: no DoesNotExist


def test_the_django_admin_goes_through_the_service(client, admin_user, django_capture_on_commit_callbacks):
    peer = services.save_peer(new_peer())
    other = services.save_peer(new_peer("carol", "198.51.100.3"))
    target = PeerTarget.objects.get(peer=peer)
    services.restart_marker().unlink(missing_ok=True)
    client.force_login(admin_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/admin/peers/peer/", {"action": "disable_selected", "_selected_action": [peer.pk]})
    assert response.status_code == 302
    assert schedule_of(target.pk) is None and services.restart_marker().exists()
    assert "bob" not in services.index_path().read_text()  # the endpoint's index no longer lets it in
    assert peer.wg_public_key not in tunnel.config_path().read_text()  # the tunnel was re-synced without it
    other_target = PeerTarget.objects.get(peer=other)
    client.post(f"/admin/peers/peer/{other.pk}/delete/", {"post": "yes"})
    assert not Peer.objects.filter(pk=other.pk).exists() and schedule_of(other_target.pk) is None


def test_the_cli_pairs_through_the_service_too(master_key):
    call_command("add_peer", "--code", codes.encode(friend_invitation()), stdout=io.StringIO())
    target = PeerTarget.objects.get(peer__name="bob")
    assert schedule_of(target.pk) is not None
