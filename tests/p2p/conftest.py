"""A peer on 127.0.0.1 for P2P tests: our own incoming endpoint, paired with ourselves.

The endpoint (rclone serve sftp + the auth proxy, exactly as `manage.py serve_sftp` runs it) presents
our P2P key as host key; a Peer whose SSH key is that same key makes our backups log in to it and land
in DATA_DIR/incoming/friend/ — the real code path of two servers, on one machine.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from anemone.files.paths import area_root


@pytest.fixture
def friend(incoming_endpoint, admin_user):  # type: ignore[no-untyped-def]
    """The target of our backups to peer "friend" (its endpoint: ours, on 127.0.0.1)."""
    from anemone.engines.wireguard import generate_keypair
    from p2p import services
    from peers import services as peer_services
    from peers.identity import get_identity
    from peers.models import Peer

    peer = peer_services.save_peer(Peer(name="friend", wg_public_key=generate_keypair()[1],
                                        allowed_ips="198.51.100.9/32", ssh_public_key=get_identity().ssh_public_key))
    peer_services.write_index()
    target = services.target_for(peer)
    target.host, target.port = "127.0.0.1", incoming_endpoint.port
    return services.save_target(target)


def write_files(user, files: dict[str, bytes]) -> Path:  # type: ignore[no-untyped-def]
    root = area_root(user, "backup")
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
    return root


def tree_digest(root: Path) -> dict[str, str]:
    """{relative path: sha256} of every file under root."""
    digests = {}
    for dirpath, _dirs, names in os.walk(root):
        for name in names:
            path = Path(dirpath) / name
            digests[path.relative_to(root).as_posix()] = hashlib.sha256(path.read_bytes()).hexdigest()
    return digests
