"""Pairing: invitation codes, field validation, WireGuard config and status, commands, health checks."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from anemone.engines import wireguard
from peers import codes, services, tunnel
from peers.health import run_checks
from peers.identity import get_identity
from peers.models import Peer

pytestmark = pytest.mark.django_db

# Recorded from wireguard-go in a test namespace (`wg show wgprobe0 dump`); the interface's private key
# field is replaced by a public one.
REAL_DUMP = (
    "wrEn2VCoUR5gt8b74ifEeqjYc1gqB8+D4axVSN6JpWk=\twrEn2VCoUR5gt8b74ifEeqjYc1gqB8+D4axVSN6JpWk=\t51999\toff\n"
    "HYA2uP8wuLtWTTN/CthJZlu5bGiO8vvm4tMI1mtH3n8=\t(none)\t203.0.113.7:51820\t198.51.100.2/32\t0\t0\t0\t25\n"
    "Y2xvdWRzY2xvdWRzY2xvdWRzY2xvdWRzY2xvdWRzMTI=\t(none)\t192.0.2.9:51820\t198.51.100.3/32\t1795512345\t10240\t20480\toff\n"
)


def new_ssh_key(comment: str = "bob") -> str:
    """A fresh OpenSSH ed25519 public key line (each peer has its own key: one key, one peer)."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    public = Ed25519PrivateKey.generate().public_key().public_bytes(serialization.Encoding.OpenSSH,
                                                                     serialization.PublicFormat.OpenSSH)
    return f"{public.decode()} {comment}"


def friend_invitation(**changes) -> codes.Invitation:
    values = {"name": "bob", "endpoint": "bob.example.org:51820", "wg_public_key": wireguard.generate_keypair()[1],
              "ssh_public_key": new_ssh_key(),
              "vpn_address": "198.51.100.2/24", "sftp_port": 2222}
    values.update(changes)
    return codes.Invitation(**values)


def test_it_round_trips_an_invitation_code_with_only_public_data(master_key):
    invitation = services.my_invitation()
    code = codes.encode(invitation)
    assert code.startswith("ANEMONE1-") and "\n" not in code
    assert codes.decode(code) == invitation
    assert codes.decode(code[:20] + "\n" + code[20:]) == invitation  # pasted with a line break


@pytest.mark.parametrize("damage, message", [
    (lambda c: c[:-10], "incomplete|damaged"), (lambda c: c[:30], "incomplete|damaged"),
    (lambda c: c.replace("ANEMONE1", "ANEMONE9"), "version 9"), (lambda c: "hello", "not an Anemone invitation"),
    (lambda c: c[:15] + ("A" if c[15] != "A" else "B") + c[16:], "damaged"),
])
def test_it_explains_a_damaged_code(damage, message):
    with pytest.raises(codes.CodeInvalid, match=message):
        codes.decode(damage(codes.encode(friend_invitation())))


@pytest.mark.parametrize("field, value, message", [
    ("wg_public_key", "not-a-key", "44 characters"), ("wg_public_key", "AAAA", "44 characters"),
    ("ssh_public_key", "ssh-dss AAAAB3", "OpenSSH public key"), ("ssh_public_key", "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIEmK", "damaged|truncated|match|32 key bytes"),
    ("allowed_ips", "198.51.100.300/32", "CIDR"), ("allowed_ips", "10.8.0.1/32", "our own"),
    ("endpoint", "bob.example.org", "host:port"), ("name", "Bob Server", "Lowercase"),
])
def test_it_validates_every_field_with_a_clear_message(master_key, field, value, message):
    get_identity()
    peer = services.peer_from_invitation(friend_invitation())
    setattr(peer, field, value)
    with pytest.raises(ValidationError, match=message):
        peer.full_clean()


def test_it_refuses_a_vpn_address_already_used_by_another_peer(master_key):
    services.save_peer(services.peer_from_invitation(friend_invitation()))
    with pytest.raises(ValidationError, match="clashes with peer bob"):
        services.save_peer(services.peer_from_invitation(friend_invitation(name="carol")))


def test_it_renders_the_wireguard_config_with_one_section_per_enabled_peer(master_key, data_dir):
    services.save_peer(services.peer_from_invitation(friend_invitation()))
    services.save_peer(services.peer_from_invitation(friend_invitation(name="carol", vpn_address="198.51.100.3/24")))
    Peer.objects.filter(name="carol").update(enabled=False)
    path = tunnel.write_config()
    text = path.read_text()
    assert path.stat().st_mode & 0o777 == 0o600
    assert "Address = 10.8.0.1/24" in text and "ListenPort = 51820" in text
    assert text.count("[Peer]") == 1 and "AllowedIPs = 198.51.100.2/32" in text and "PersistentKeepalive = 25" in text
    assert "Endpoint = bob.example.org:51820" in text
    assert "Address" not in tunnel.render(wg_quick=False)  # wg syncconf refuses wg-quick keys


def test_it_parses_real_wg_show_dump_output():
    peers = wireguard.parse_dump(REAL_DUMP)
    assert [p.endpoint for p in peers] == ["203.0.113.7:51820", "192.0.2.9:51820"]
    assert peers[0].latest_handshake is None and peers[0].keepalive == 25
    assert peers[1].latest_handshake == datetime.fromtimestamp(1795512345, tz=UTC)
    assert (peers[1].rx_bytes, peers[1].tx_bytes, peers[1].keepalive) == (10240, 20480, 0)


def test_it_pairs_from_the_command_line(master_key):
    code = io.StringIO()
    call_command("peer_info", "--code", stdout=code)
    assert codes.decode(code.getvalue().strip()).wg_public_key == get_identity().wg_public_key
    friend = codes.encode(friend_invitation())
    out = io.StringIO()
    call_command("add_peer", "--code", friend, stdout=out)
    assert "peer bob added" in out.getvalue()
    assert Peer.objects.get(name="bob").allowed_ips == "198.51.100.2/32"
    with pytest.raises(CommandError, match="damaged"):
        call_command("add_peer", "--code", friend[:-3] + "zzz")
    info = io.StringIO()
    call_command("peer_info", stdout=info)
    for item in ("WireGuard public key", "SSH public key", "VPN address", "Endpoint"):
        assert item in info.getvalue()


def test_it_changes_the_identity_and_refuses_bad_values(master_key):
    call_command("identity", "--endpoint", "alice.example.org:51820", "--vpn-address", "203.0.113.1/24", stdout=io.StringIO())
    assert get_identity().endpoint == "alice.example.org:51820" and get_identity().vpn_ip == "203.0.113.1"
    with pytest.raises(CommandError, match="vpn-address"):
        call_command("identity", "--vpn-address", "nonsense")


@pytest.mark.django_db(transaction=True)
def test_it_checks_sftp_through_a_real_endpoint(incoming_endpoint):
    """Here the "peer" is ourselves: our key is allowed on our endpoint, its host key is our key."""
    identity = get_identity()
    me = services.save_peer(Peer(name="self", wg_public_key=wireguard.generate_keypair()[1],
                                 allowed_ips="198.51.100.9/32", ssh_public_key=identity.ssh_public_key,
                                 sftp_port=incoming_endpoint.port))
    checks = {c.key: c for c in run_checks(me, host="127.0.0.1")}
    assert checks["vpn"].status == "ok" and checks["sftp"].status == "ok", checks
    assert checks["wireguard"].status == "fail" and checks["wireguard"].fix
    assert checks["repository"].status == "pending"
    with pytest.raises(CommandError, match="not all green"):
        call_command("peer_health", "self", "--host", "127.0.0.1", stdout=io.StringIO())


def test_it_deletes_what_a_peer_stored_only_with_its_name_typed(client, admin_user):
    peer = services.save_peer(services.peer_from_invitation(friend_invitation()))
    stored = services.incoming_root() / "bob" / "repo" / "data.bin"
    stored.parent.mkdir(parents=True)
    stored.write_bytes(b"x" * 100)
    assert services.folder_usage("bob")[0] == 100
    client.force_login(admin_user)
    client.post(f"/peers/{peer.pk}/delete-data/", {"confirm_name": "bo"})
    assert stored.exists()
    client.post(f"/peers/{peer.pk}/delete-data/", {"confirm_name": "bob"})
    assert not stored.exists() and Peer.objects.filter(name="bob").exists()


def test_it_adds_a_peer_from_a_code_through_the_api(api, admin_user, alice):
    response = api(admin_user).post("/api/v1/peers/", {"code": codes.encode(friend_invitation())}, format="json")
    assert response.status_code == 201, response.data
    assert response.data["name"] == "bob" and response.data["tunnel"] is None
    assert api(alice).get("/api/v1/peers/").status_code == 403
    bad = api(admin_user).post("/api/v1/peers/", {"code": "ANEMONE1-xx-00000000"}, format="json")
    assert bad.status_code == 400 and "damaged" in str(bad.data)
    health = api(admin_user).get(f"/api/v1/peers/{response.data['id']}/health/")
    assert [c["key"] for c in health.data] == ["wireguard", "vpn", "sftp", "repository", "backup"]
