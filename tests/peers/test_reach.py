"""No packet to a peer's VPN address without our tunnel; pages never start network checks (item 9)."""

from __future__ import annotations

import pytest

from anemone.engines import wireguard
from anemone.runs.models import Run, RunStatus
from anemone.runs.services import request as request_run
from p2p import services as p2p_services
from peers import reach, services
from peers.models import Peer
from tests.p2p.conftest import write_files
from tests.peers.test_peering import new_ssh_key

pytestmark = pytest.mark.django_db


@pytest.fixture
def bob_peer(master_key, alice):  # type: ignore[no-untyped-def]
    """A paired peer at 198.51.100.2, carrying alice (who has files to back up); no tunnel is up."""
    write_files(alice, {"photo.jpg": b"x" * 1000})
    return services.save_peer(Peer(name="bob", wg_public_key=wireguard.generate_keypair()[1],
                                   allowed_ips="198.51.100.2/32", ssh_public_key=new_ssh_key(), endpoint="192.0.2.9:51820"))


def test_it_renders_peer_and_p2p_pages_and_api_reads_without_a_connection(client, api, admin_user, bob_peer, network_trace):
    target = p2p_services.target_for(bob_peer)
    client.force_login(admin_user)
    for url in ("/peers/", f"/peers/{bob_peer.pk}/", "/p2p/", f"/p2p/{target.pk}/"):
        assert client.get(url).status_code == 200, url
    admin_api = api(admin_user)
    for url in ("/api/v1/peers/", f"/api/v1/peers/{bob_peer.pk}/health/", "/api/v1/p2p/targets/",
                f"/api/v1/p2p/targets/{target.pk}/health/"):
        assert admin_api.get(url).status_code == 200, url
    assert network_trace.remote_connects() == [] and network_trace.engines() == []
    shown = admin_api.get(f"/api/v1/peers/{bob_peer.pk}/health/").data
    assert {c["status"] for c in shown} == {"pending"} and shown[0]["detail"] == "not checked yet"


def test_check_now_stops_at_the_first_failure_and_sends_nothing_without_a_tunnel(client, admin_user, bob_peer,
                                                                                 network_trace):
    client.force_login(admin_user)
    assert client.post(f"/peers/{bob_peer.pk}/check/").status_code == 302
    checks = Peer.objects.get(pk=bob_peer.pk).health_results
    assert [c["status"] for c in checks] == ["fail", "pending", "pending", "pending", "pending"]
    assert all(c["detail"].startswith("waiting for check 1") for c in checks[1:])
    assert network_trace.remote_connects() == [] and network_trace.engines() == []
    page = client.get(f"/peers/{bob_peer.pk}/").content.decode()
    assert "waiting for check 1" in page and "Check now" in page


def test_each_check_refuses_the_vpn_address_without_a_tunnel_even_when_called_alone(bob_peer, network_trace):
    from peers.health import check_port, check_sftp

    for check in (check_port(bob_peer), check_sftp(bob_peer)):
        assert check.status == "fail" and "not up" in check.detail and "not contacted" in check.detail
    assert network_trace.remote_connects() == []
    assert reach.needs_tunnel("198.51.100.2") and not reach.needs_tunnel("127.0.0.1")


def test_a_backup_without_a_tunnel_fails_before_any_engine_starts(bob_peer, network_trace):
    target = p2p_services.target_for(bob_peer)
    run = request_run("p2p", target.pk, inline=True)
    run = Run.objects.get(pk=run.pk)
    assert run.status == RunStatus.FAILED and "tunnel" in run.message and "not contacted" in run.message
    assert network_trace.engines() == [] and network_trace.remote_connects() == []
