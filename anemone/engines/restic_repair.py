"""Finding and repairing damaged data in a repository (restic >= 0.17: ``repair packs``, ``repair snapshots``).

What restic 0.18 prints and does, measured on a repository with one byte flipped inside a data pack:
``check --read-data --json`` exits 1 ("repository contains errors") and its summary line names the pack
(``"broken_packs": [...]``); ``repair packs <id>`` salvages the readable blobs of that pack and removes it;
``repair snapshots --forget`` rewrites the snapshots that used the lost blobs ("removed missing content") and
forgets the old ones; the next ``backup`` reads the damaged files again and sends their content anew
(restored byte for byte afterwards). Split from restic.py (re-exported there).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from anemone.engines.restic_errors import ResticError
from anemone.engines.restic_repo import Repository, call


@dataclass
class DataCheck:
    """``check --read-data``: whether everything read back, and the packs it found damaged."""

    ok: bool
    broken_packs: list[str] = field(default_factory=list)
    output: list[str] = field(default_factory=list)


def check_data(repo: Repository, *, timeout: float = 24 * 3600) -> DataCheck:
    """Read every pack back (slow: the whole repository is downloaded). Unreachable, locked, wrong key are
    raised: they say nothing about the data."""
    lines: list[str] = []
    try:
        call(repo, ["check", "--read-data", "--json"], timeout=timeout, idle_timeout=3600,
             on_line=lambda stream, line: lines.append(line))
        failed = False
    except ResticError as exc:
        if type(exc) is not ResticError:
            raise
        failed = True
    broken: list[str] = []
    for line in lines:
        if line.startswith("{"):
            try:
                data = json.loads(line)
            except ValueError:
                continue
            if data.get("message_type") == "summary":
                broken = [str(pack) for pack in data.get("broken_packs") or []]
    return DataCheck(ok=not failed and not broken, broken_packs=broken, output=lines[-40:])


def repair_packs(repo: Repository, pack_ids: list[str], workdir: Path, *, timeout: float = 6 * 3600) -> None:
    """Salvage what is readable of these packs and remove them (``repair packs``), then drop the lost blobs
    from every snapshot (``repair snapshots --forget``): the next backup sends those files again.

    ``repair packs`` first downloads each pack into the current directory as ``pack-<id>`` and leaves it there
    (measured with 0.18): it runs in ``workdir``, a private folder the caller removes."""
    call(repo, ["repair", "packs", *pack_ids], cwd=workdir, timeout=timeout, idle_timeout=3600)
    call(repo, ["repair", "snapshots", "--forget"], timeout=timeout, idle_timeout=3600)
