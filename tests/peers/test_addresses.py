"""Two fresh servers share the default VPN address: pairing picks distinct ones, both sides agreeing,
and a clash it cannot solve is explained in words; the My server form (item 11)."""

from __future__ import annotations

import ipaddress

import pytest

from anemone.engines import wireguard
from peers import codes, pairing, services, tunnel
from peers.identity import get_identity
from peers.models import Peer, ServerIdentity
from tests.peers.test_peering import friend_invitation

pytestmark = pytest.mark.django_db
SAME = "198.51.100.1/24"  # both servers at the same address, as two fresh ones are (10.8.0.1/24 by default)


def other_server(settled: bool = False) -> tuple[ServerIdentity, codes.Invitation]:
    """The friend's identity and the code it sends, at our very address."""
    key = wireguard.generate_keypair()[1]
    invitation = friend_invitation(wg_public_key=key, vpn_address=SAME, settled=settled)
    return ServerIdentity(wg_public_key=key, vpn_address=SAME), invitation


def ip(cidr: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address:
    return ipaddress.ip_interface(cidr).ip


@pytest.mark.parametrize("attempt", range(4))  # random keys: both orders of the keys get exercised
def test_both_sides_agree_on_who_moves_and_where(master_key, attempt):
    ours = services.update_identity(vpn_address=SAME)
    theirs, their_code = other_server()
    our_code = services.my_invitation()
    we = pairing.plan(ours, their_code)
    they = pairing.plan(theirs, our_code)  # what the friend's server computes from our code
    assert bool(we.our_new_address) != bool(they.our_new_address)  # exactly one of the two moves
    our_ip = ip(we.our_new_address or SAME)
    their_ip = ip(they.our_new_address or SAME)
    assert our_ip != their_ip
    assert ip(we.allowed_ips) == their_ip and ip(they.allowed_ips) == our_ip
    assert our_ip in ipaddress.ip_network("198.51.100.0/24") and their_ip in ipaddress.ip_network("198.51.100.0/24")


def test_pasting_a_clashing_code_moves_us_or_the_friend_and_the_tunnel_follows(client, admin_user):
    services.update_identity(vpn_address=SAME)
    _theirs, their_code = other_server(settled=True)  # the friend already has peers: we move
    client.force_login(admin_user)
    page = client.post("/peers/add/", {"code": codes.encode(their_code)}, follow=True).content.decode()
    assert "Both servers had the VPN address 198.51.100.1/24: this server now uses" in page
    moved = get_identity().vpn_address
    assert moved != SAME and moved.endswith("/24")
    assert Peer.objects.get().allowed_ips == "198.51.100.1/32"
    assert f"Address = {moved}" in tunnel.write_config().read_text()


def test_a_clash_neither_side_can_solve_is_explained_in_words(client, admin_user):
    services.update_identity(vpn_address=SAME)
    services.save_peer(services.peer_from_invitation(friend_invitation(name="carol", vpn_address="198.51.100.7/24")))
    _theirs, their_code = other_server(settled=True)
    client.force_login(admin_user)
    page = client.post("/peers/add/", {"code": codes.encode(their_code)}, follow=True).content.decode()
    assert "both use the VPN address 198.51.100.1 and both already have other peers" in page
    assert "allowed_ips:" not in page and Peer.objects.count() == 1


def test_my_server_form_saves_through_the_identity_service_and_validates(client, admin_user):
    client.force_login(admin_user)
    page = client.get("/peers/").content.decode()
    assert 'id="my-server"' in page and 'name="vpn_address"' in page
    ok = client.post("/peers/my-server/", {"endpoint": "alice.example.org:51820", "vpn_address": "203.0.113.1/24",
                                           "listen_port": 51821, "sftp_port": 2223})
    assert ok.status_code == 302
    identity = get_identity()
    assert (identity.endpoint, identity.vpn_address, identity.listen_port, identity.sftp_port) == (
        "alice.example.org:51820", "203.0.113.1/24", 51821, 2223)
    for bad, message in (({"vpn_address": "203.0.113.0/24"}, "host address"),
                         ({"vpn_address": "nonsense"}, "network size"),
                         ({"endpoint": "alice.example.org:51820\nx"}, "host:port"),
                         ({"listen_port": 0}, "greater than or equal to 1")):
        values = {"endpoint": "", "vpn_address": "203.0.113.1/24", "listen_port": 51820, "sftp_port": 2222, **bad}
        refused = client.post("/peers/my-server/", values)
        assert refused.status_code == 400 and message in refused.content.decode(), bad
    assert get_identity().vpn_address == "203.0.113.1/24"
