"""Drills of restic repositories (P2P and USB): a snapshot as a ``Copy``, and restoring a sample of it.

Both kinds open the repository through their own code (``p2p.repos.repository``, ``usbbackup.repo``) and hand
the engine's Repository here. The restore runs with ``--verify``: restic checks every blob it reads against its
MAC and content hash, and re-reads the files it wrote — a damaged pack is an error, not silently wrong bytes.
"""

from __future__ import annotations

from pathlib import Path

from anemone.drills import core
from anemone.engines import restic


def copy_of(repo: restic.Repository, snapshot: restic.Snapshot, root: Path) -> core.Copy:
    """Every file of ``snapshot``; a file at "/a/b" in it came from ``root``/a/b on this server."""
    nodes = restic.tree(repo, snapshot.id, "/")
    files = [core.CopiedFile(path=node.path.strip("/"), size=node.size, mtime_ns=core.parse_mtime_ns(node.mtime),
                             source=root / node.path.strip("/"))
             for node in nodes if node.type == "file"]
    return core.Copy(ref=snapshot.id, files=files)


def fetch(repo: restic.Repository, copy: core.Copy, files: list[core.CopiedFile], into: Path) -> None:
    """Restore exactly these files (literal paths) into ``into``; restic's errors are raised as they are."""
    restic.restore(repo, copy.ref, into, paths=["/" + f.path for f in files], verify=True, timeout=6 * 3600)
