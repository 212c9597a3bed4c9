"""The seed's pairing, end to end: two servers in two namespaces, codes exchanged, checks 1–3 green."""

from __future__ import annotations

import subprocess

import pytest

from tests.e2e.harness import connect, pair, wait_for

pytestmark = pytest.mark.e2e


def vpn_address(server) -> str:  # type: ignore[no-untyped-def]
    """The server's VPN address as `manage.py identity` shows it."""
    shown = server.manage("identity").stdout
    return shown.split("vpn_address=")[1].split()[0]


def test_it_pairs_two_servers_through_invitation_codes_and_the_checks_turn_green(two_servers):
    alice, bob = two_servers
    # Two fresh servers share one default address (10.8.0.1/24; here the documentation range's .1):
    # pairing must pick distinct addresses by itself, both sides agreeing, with codes exchanged at once.
    bob.manage("identity", "--vpn-address", alice.vpn_cidr)
    pair(alice, bob)
    for server in (alice, bob):
        server.vpn_cidr = vpn_address(server)
    assert alice.vpn_cidr != bob.vpn_cidr, (alice.vpn_cidr, bob.vpn_cidr)
    assert {alice.vpn_cidr, bob.vpn_cidr} & {"198.51.100.1/24"}  # one of the two kept its address
    connect(alice, bob)
    for me, friend in ((alice, bob), (bob, alice)):
        assert wait_for(lambda me=me, friend=friend: all(
            status == "ok" for key, status in me.health(friend.name).items() if key in ("wireguard", "vpn", "sftp")), 60), \
            me.health(friend.name)
        checks = me.health(friend.name)
        # Checks 4 and 5 are real since the P2P backups: nothing to back up yet, and no backup run yet.
        assert checks["repository"] == "pending" and checks["backup"] == "fail", checks
    status = alice.manage("wireguard", "status").stdout
    assert "bob: handshake" in status
    # A login to bob's endpoint from an address other than alice's tunnel address is refused.
    key = alice.data_dir / "certs" / "p2p_key"
    outside = alice.in_namespace("sftp", "-b", "-", "-P", "2222", "-i", str(key), "-o", "StrictHostKeyChecking=no",
                                 "-o", "UserKnownHostsFile=/dev/null", "-o", "BatchMode=yes", f"alice@{bob.vpn_ip}",
                                 check=False)
    assert outside.returncode == 0  # through the tunnel, from alice's tunnel address: accepted
    direct = subprocess.run(["ip", "netns", "exec", alice.namespace, "sftp", "-b", "-", "-P", "2222", "-i", str(key),
                             "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o", "BatchMode=yes",
                             "-o", "ConnectTimeout=5", f"alice@{bob.lan_ip}"], input="ls\n", capture_output=True, text=True,
                            timeout=30)
    assert direct.returncode != 0  # the endpoint listens on the tunnel address only
