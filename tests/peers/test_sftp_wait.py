"""The `sftp` process on a server without a tunnel: one clear line, then quiet (item 12)."""

from __future__ import annotations

import threading
import time

import pytest

from anemone.engines import wireguard
from peers import services
from peers.models import Peer
from peers.sftp_endpoint import run_forever
from tests.peers.test_peering import new_ssh_key

pytestmark = pytest.mark.django_db(transaction=True)


def run_for(seconds: float, listen: str | None = None) -> list[str]:
    lines: list[str] = []
    stop = threading.Event()
    thread = threading.Thread(target=run_forever, args=(listen,), kwargs={"say": lines.append, "stop": stop, "wait": 0.1,
                                                                   "bring_up": False},  # never a tunnel on the host
                              daemon=True)
    thread.start()
    time.sleep(seconds)
    stop.set()
    thread.join(timeout=30)
    assert not thread.is_alive()
    return lines


def test_it_waits_quietly_without_peers_then_without_a_tunnel(master_key, network_trace):
    assert run_for(1.5) == ["incoming SFTP endpoint waiting: no peer yet: the endpoint starts once a friend's "
                            "server is paired"]
    services.save_peer(Peer(name="bob", wg_public_key=wireguard.generate_keypair()[1], allowed_ips="198.51.100.2/32",
                            ssh_public_key=new_ssh_key()))
    services.update_identity(vpn_address="198.51.100.1/24")  # an address this machine does not have: no tunnel
    lines = run_for(1.5)
    assert len(lines) == 1 and "198.51.100.1:2222 is not on this machine yet" in lines[0] and "wireguard up" in lines[0]
    assert network_trace.engines() == []  # no rclone started, so no bind error every 40 s
