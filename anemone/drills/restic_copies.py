"""Drills of restic repositories (P2P and USB): a snapshot as a ``Copy``, and restoring a sample of it.

Both kinds open the repository through their own code (``p2p.repos.repository``, ``usbbackup.repo``) and hand
the engine's Repository here. The restore runs with ``--verify``: restic checks every blob it reads against its
MAC and content hash, and re-reads the files it wrote — a damaged pack is an error, not silently wrong bytes.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from anemone.drills import core
from anemone.engines import restic
from anemone.runs.messages import msg


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


def repair(repo: restic.Repository, username: str) -> dict[str, Any] | None:
    """After a drill found damage: read the whole repository back; repair the damaged packs restic names (the
    next backup re-sends those files), or say a fresh repository is needed when restic finds damage it cannot
    repair. None when the full read found nothing wrong (the drill's hint stands)."""
    try:
        found = restic.check_data(repo)
    except restic.ResticError as exc:
        return msg("drills.repair_failed", error=str(exc), user=username)
    if found.ok:
        return None
    if not found.broken_packs:
        return msg("drills.fresh_needed", user=username)
    try:
        with core.scratch(core.scratch_root()) as workdir:  # where restic leaves its copies of the damaged packs
            restic.repair_packs(repo, found.broken_packs, workdir)
    except restic.ResticError as exc:
        return msg("drills.repair_failed", error=str(exc), user=username)
    return msg("drills.repaired", what=msg("drills.repaired_packs", count=len(found.broken_packs)))
