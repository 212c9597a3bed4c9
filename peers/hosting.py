"""The hosting side: what each peer keeps in its folder here, and the status file we keep for it.

When did peer X last write, and how much does it store? Walking every pack of every repository at each
check would cost minutes on a large folder, so a write is recognised where restic leaves it: every backup
writes a snapshot file and an index file at the top of its repository (``snapshots/``, ``index/``), and
init writes ``config`` and ``keys/``. ``newest_write`` looks only at those (never into ``data/``); the bytes
are measured with a full walk only when that newest write moved, i.e. once per backup noticed.

``observe`` stores both on the Peer (``last_write_at``, ``stored_bytes``) and rewrites the peer's status
file: a small JSON (last write, bytes, cap, our clock) the peer reads at each of its backups and health
checks, so a host that silently lost its disk is noticed by the sender too (p2p.host_status). It holds
nothing secret and nothing about other peers. It lives outside the peer's writable folder
(DATA_DIR/sftp/status/<folder>/) and is shown read-only to the peer's own key when it logs in as
``STATUS_USER`` (peers.auth_proxy): through its normal login a peer may write anything in its folder, and
rclone's local backend has no read-only file, so a file there could be overwritten by the peer.
"""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from anemone.engines.files import write_private_file
from peers.auth_proxy import STATUS_USER, folder_bytes
from peers.models import Peer

STATUS_NAME = ".anemone-host-status.json"
__all__ = ["STATUS_NAME", "STATUS_USER", "newest_write", "observe", "observe_all", "status_dir", "write_status"]
STATUS_VERSION = 1
REPO_DEPTH = 4  # incoming/<folder>/<server>/<person>: repositories sit two levels down; a little slack


def status_root() -> Path:
    return Path(settings.DATA_DIR) / "sftp" / "status"


def status_dir(peer: Peer) -> Path:
    return status_root() / (peer.folder or peer.name)


def _repositories(root: Path, depth: int = REPO_DEPTH) -> list[Path]:
    """restic repositories under ``root`` (a folder with ``config`` and ``keys/``), without entering one."""
    found: list[Path] = []
    try:
        entries = list(os.scandir(root))
    except OSError:
        return found
    names = {entry.name for entry in entries}
    if "config" in names and "keys" in names:
        return [root]
    if depth == 0:
        return found
    for entry in entries:
        if entry.is_dir(follow_symlinks=False):
            found.extend(_repositories(Path(entry.path), depth - 1))
    return found


def _newest_mtime(paths: list[Path]) -> float | None:
    newest: float | None = None
    for path in paths:
        try:
            newest = max(newest or 0.0, os.lstat(path).st_mtime)
        except OSError:
            continue
    return newest


def newest_write(root: Path) -> tuple[float | None, int]:
    """(mtime of the newest top-level file restic writes, repositories found) — never a walk of the packs."""
    newest: float | None = None
    repositories = _repositories(root)
    for repo in repositories:
        files = [repo / "config"]
        for sub in ("snapshots", "index", "keys"):
            try:
                files.extend(Path(entry.path) for entry in os.scandir(repo / sub) if entry.is_file(follow_symlinks=False))
            except OSError:
                continue
        mtime = _newest_mtime(files)
        if mtime is not None:
            newest = max(newest or 0.0, mtime)
    return newest, len(repositories)


def observe(peer: Peer, now: datetime | None = None) -> Peer:
    """Update what we know of the peer's folder here (cheap unless it wrote) and rewrite its status file."""
    from peers.services import peer_root

    now = now or timezone.now()
    newest, repositories = newest_write(peer_root(peer))
    last = datetime.fromtimestamp(newest, tz=UTC) if newest else None
    changes: dict[str, object] = {}
    if last != peer.last_write_at:
        changes["last_write_at"] = last
        changes["stored_bytes"] = folder_bytes(str(peer_root(peer))) if last else 0
    if changes:
        Peer.objects.filter(pk=peer.pk).update(**changes)
        for name, value in changes.items():
            setattr(peer, name, value)
    write_status(peer, now, repositories)
    return peer


def status_of(peer: Peer, now: datetime, repositories: int = 0) -> dict[str, object]:
    """What the status file says: about this peer's folder only, no key, no path, no other peer."""
    return {"version": STATUS_VERSION, "host_time": now.isoformat(),
            "last_write_at": peer.last_write_at.isoformat() if peer.last_write_at else None,
            "stored_bytes": peer.stored_bytes, "cap_bytes": peer.storage_cap_bytes, "repositories": repositories}


def write_status(peer: Peer, now: datetime, repositories: int = 0) -> Path:
    folder = status_dir(peer)
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    path = folder / STATUS_NAME
    write_private_file(path, json.dumps(status_of(peer, now, repositories), indent=1))
    return path


def observe_all(now: datetime | None = None) -> int:
    """Every peer we host (enabled or not: a disabled peer's folder still holds its backups)."""
    peers = list(Peer.objects.all())
    for peer in peers:
        observe(peer, now)
    return len(peers)
