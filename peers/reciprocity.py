"""Reciprocity seam: what we keep for a peer against what it keeps for us.

The peers pages and API show it, but only the P2P app knows what we store at a peer. Rather than
importing p2p (peers sits below it), peers asks a provider that p2p registers in its AppConfig.ready():
the same direction as peers.signals (peers announces, p2p listens). Without a provider (P2P not
installed) the peer's side is what is on our disk and nothing is stored there.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from peers.models import Peer


@dataclass
class Reciprocity:
    """What we keep for a peer against what it keeps for us, and how fresh our copy there is."""

    stored_here_bytes: int
    stored_there_bytes: int
    last_backup_at: datetime | None
    stale: bool

    def as_dict(self) -> dict[str, object]:
        return {"stored_here_bytes": self.stored_here_bytes, "stored_there_bytes": self.stored_there_bytes,
                "last_backup_at": self.last_backup_at, "stale": self.stale}


Provider = Callable[[Peer], Reciprocity]
_provider: Provider | None = None


def register(provider: Provider) -> None:
    """Called once by the app that backs up to peers (p2p)."""
    global _provider
    _provider = provider


def reciprocity(peer: Peer) -> Reciprocity:
    if _provider is not None:
        return _provider(peer)
    from peers.services import folder_usage

    here = folder_usage(peer.folder or peer.name)[0]
    return Reciprocity(stored_here_bytes=here, stored_there_bytes=0, last_backup_at=None, stale=False)
