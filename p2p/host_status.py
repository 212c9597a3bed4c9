"""Read what the host says about our folder there: its status file (peers.hosting), over SFTP.

The file is shown read-only to our key when it logs in as peers.hosting.STATUS_USER, so it goes through
the same rclone remote as our repositories (p2p.repos.remote_env), with that user name: no second client.
Read at the start of each P2P backup (before we write, so the host has had time to see our previous
backup) and after each health check that logged in; peers.host_report keeps it and judges it. A host
running an older Anemone has no such file: that is said ("publishes no status"), never an alarm.
"""

from __future__ import annotations

import json
import logging

from anemone.engines import rclone
from p2p import repos
from p2p.models import PeerTarget
from peers import host_report, reach
from peers.hosting import STATUS_NAME, STATUS_USER
from peers.models import Peer

log = logging.getLogger(__name__)


def read(target: PeerTarget) -> dict:
    """Fetch, check and store the host's status of our folder; returns what was stored."""
    peer = target.peer
    try:
        reach.require_tunnel(repos.host(target))
        env = repos.remote_env(target)
        env[f"RCLONE_CONFIG_{repos.REMOTE.upper()}_USER"] = STATUS_USER
        text = rclone.simple(["cat", f"{repos.REMOTE}:{STATUS_NAME}"], env, timeout=60)
        status = host_report.parse(json.loads(text))
        host_report.store(peer, status, "" if status else "not a status file")
    except (rclone.RcloneError, reach.NoTunnel, ValueError, OSError) as exc:
        host_report.store(peer, {}, str(exc).strip().splitlines()[-1] if str(exc).strip() else type(exc).__name__)
    return peer.host_status


def read_for_peer(peer: Peer) -> None:
    """The health check's hook (peers.health.register_after_reached): only when we back up to this peer."""
    target = PeerTarget.objects.filter(peer=peer).select_related("peer").first()
    if target is not None:
        read(target)


def read_quietly(target: PeerTarget) -> None:
    """At a backup's start: whatever happens here never fails the backup."""
    try:
        read(target)
    except Exception:
        log.exception("could not read what %s says about our folder", target.peer.name)
