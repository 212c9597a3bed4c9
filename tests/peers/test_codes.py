"""Forged invitation codes and the WireGuard renderer (items 25, 22, 28): every field checked like the form,
nothing can add a line to the tunnel's configuration."""

from __future__ import annotations

import base64
import json

import pytest
from django.core.exceptions import ValidationError

from anemone.engines import wireguard
from peers import codes, services, tunnel
from peers.models import Peer
from tests.peers.test_peering import friend_invitation, new_ssh_key

pytestmark = pytest.mark.django_db


def forge(**fields) -> str:  # type: ignore[no-untyped-def]
    """A code with a valid checksum around whatever JSON a forger wants."""
    data = {**codes.asdict(friend_invitation()), **fields}
    payload = base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")
    return f"{codes.PREFIX}-{payload}-{codes._checksum(payload)}"


INJECTION = "\n[Peer]\nPublicKey = " + wireguard.generate_keypair()[1] + "\nAllowedIPs = 0.0.0.0/0"


@pytest.mark.parametrize("field, value, message", [
    ("endpoint", "bob.example.org:51820" + INJECTION, "endpoint"),
    ("vpn_address", "198.51.100.2/24" + INJECTION, "vpn_address"),
    ("wg_public_key", wireguard.generate_keypair()[1] + INJECTION, "wg_public_key"),
    ("ssh_public_key", new_ssh_key() + "\nssh-ed25519 AAAA", "ssh_public_key"),
    ("name", "bob\nevil", "name"), ("name", "-bob", "name"),
    ("sftp_port", 70000, "sftp_port"), ("sftp_port", "2222", "sftp_port"), ("endpoint", "bob:99999", "endpoint"),
    ("vpn_address", "198.51.100.0/24", "vpn_address"), ("name", {"x": 1}, "name"),
])
def test_a_forged_code_is_refused_with_the_field_named(field, value, message):
    with pytest.raises(codes.CodeInvalid, match=message):
        codes.decode(forge(**{field: value}))


def test_a_forged_code_leaves_the_tunnel_of_other_peers_intact(client, admin_user):
    services.save_peer(services.peer_from_invitation(friend_invitation(name="carol", vpn_address="198.51.100.3/24")))
    before = tunnel.write_config().read_text()
    client.force_login(admin_user)
    response = client.post("/peers/add/", {"code": forge(endpoint="bob.example.org:51820" + INJECTION)}, follow=True)
    assert "The code&#x27;s field endpoint is refused" in response.content.decode()
    assert Peer.objects.count() == 1 and tunnel.write_config().read_text() == before
    assert before.count("[Peer]") == 1 and "0.0.0.0/0" not in before


def test_the_renderer_cannot_be_injected_and_leaves_a_bad_row_out(master_key):
    good = services.save_peer(services.peer_from_invitation(friend_invitation(name="carol", vpn_address="198.51.100.3/24")))
    bad = services.save_peer(services.peer_from_invitation(friend_invitation()))
    Peer.objects.filter(pk=bad.pk).update(endpoint="x:1" + INJECTION)  # a row written behind the validators' back
    text = tunnel.render()
    assert text.count("[Peer]") == 1 and good.wg_public_key in text and "0.0.0.0/0" not in text
    for section in (wireguard.PeerSection("x", good.wg_public_key, "198.51.100.4/32\nDNS = 1.1.1.1"),
                    wireguard.PeerSection("x", good.wg_public_key + "\n", "198.51.100.4/32"),
                    wireguard.PeerSection("x", good.wg_public_key, "198.51.100.4/32", "host:1\nPostUp = id")):
        with pytest.raises(wireguard.InvalidConfigValue):
            wireguard.render_peer(section)
    assert wireguard.render_peer(wireguard.PeerSection("a\nb", good.wg_public_key, "198.51.100.4/32"))[1] == "# peer"


@pytest.mark.parametrize("field, value, message", [
    ("name", "bob\n", "Lowercase|line breaks"), ("name", "-bob", "cannot start with|Lowercase"),
    ("storage_cap_bytes", -1, "greater than or equal to 0"),
])
def test_peer_names_and_the_storage_cap_follow_the_shared_rules_at_every_door(api, admin_user, field, value, message):
    peer = services.peer_from_invitation(friend_invitation())
    setattr(peer, field, value)
    with pytest.raises(ValidationError, match=message):
        services.save_peer(peer)
    created = api(admin_user).post("/api/v1/peers/", {"code": codes.encode(friend_invitation())}, format="json")
    response = api(admin_user).patch(f"/api/v1/peers/{created.data['id']}/", {field: value}, format="json")
    assert response.status_code == 400 and field in response.data
