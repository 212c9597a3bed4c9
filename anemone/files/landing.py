"""Where restored files go — one rule for P2P, cloud and USB restores.

Each restored file goes back to its own path in the area, never over something different:

- missing at its path → put back there;
- there with the same content → left alone (nothing lands, nothing counts against the quota);
- there with other content (or a folder/link in the way) → the current one stays and the restored one
  lands beside it as ``name (restored 2026-12-01).ext`` (both kept; the person chooses).

Why not ``backup/restored-<source>-<time>/`` any more (issue #11, item 13): a folder of copies in
backup/ is new paths for the next cloud sync, which uploaded the same bytes a second time (and the
person had to move files back by hand, with no "move" in the portal). Putting files back where they
were costs the next backup only what was really missing or different.

A restore is first staged in a hidden folder beside the areas (``shares/<user>/.restoring-<run>/``: the
same file system, never listed, never backed up or synced), so the quota can be checked against what
would really land (``plan``) before anything becomes visible, and a failure leaves nothing behind.
"""

from __future__ import annotations

import filecmp
import os
import shutil
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

from anemone.files import paths
from anemone.files.uploads import free_name
from anemone.files.usage import change_usage, check_quota
from anemone.runs import messages

STAGE_PREFIX = ".restoring-"


class NothingToRestore(LookupError):
    """The chosen path is not in this copy (snapshot, version or drive): said as such, not as a success."""


def not_in_copy(path: str) -> NothingToRestore:
    return NothingToRestore(_("%(path)s is not in this copy: nothing was restored.") % {"path": path or "/"})


def stage_dir(user, run_id: int) -> Path:
    """A fresh hidden staging folder for one restore of one person (an older leftover is removed)."""
    stage = paths.user_root(user.username) / f"{STAGE_PREFIX}{run_id}"
    shutil.rmtree(stage, ignore_errors=True)
    stage.mkdir(mode=0o700, parents=True)
    return stage


def discard(stage: Path) -> None:
    shutil.rmtree(stage, ignore_errors=True)


def beside_suffix(day: date | None = None) -> str:
    return f" (restored {(day or date.today()).isoformat()})"


def _beside(folder: Path, name: str, suffix: str) -> Path:
    return free_name(folder, name, lambda n: suffix if n == 1 else f"{suffix[:-1]} {n})")


@dataclass
class Move:
    source: Path
    target: Path
    size: int
    beside: bool


@dataclass
class Plan:
    """What a restore would do: files moved into place or beside, and files already there unchanged."""

    area: str
    area_dir: Path
    moves: list[Move] = field(default_factory=list)
    folders: list[Path] = field(default_factory=list)
    unchanged: int = 0
    placed: dict[Path, Path] = field(default_factory=dict)  # staged path → its place in the area

    def place_of(self, stage: Path, relpath: str) -> str:
        """Where a staged path (relative to the stage) ends up, relative to the area ("." for the top)."""
        staged = stage / relpath if relpath.strip("/") else stage
        target = self.placed.get(staged, self.area_dir / relpath)
        return target.relative_to(self.area_dir).as_posix() if target != self.area_dir else "."

    @property
    def incoming(self) -> int:
        return sum(m.size for m in self.moves)

    @property
    def in_place(self) -> list[Move]:
        return [m for m in self.moves if not m.beside]

    @property
    def kept_beside(self) -> list[Move]:
        return [m for m in self.moves if m.beside]


def estimate(area_dir: Path, files: Iterable[tuple[str, int]]) -> int:
    """Bytes a restore would add, before staging it: files absent or of another size at their own path.

    (After staging, ``plan`` compares content; this figure only decides whether downloading is worth it.)"""
    needed = 0
    for relpath, size in files:
        current = area_dir / relpath
        try:
            same = current.is_file() and not current.is_symlink() and current.stat().st_size == size
        except OSError:
            same = False
        if not same:
            needed += size
    return needed


def check_room(user, area: str, needed: int) -> None:
    """QuotaExceeded with the figures ("… left of your … quota, … needed") when the restore does not fit."""
    check_quota(user, area, needed)


def _same_file(a: Path, b: Path) -> bool:
    if a.is_symlink() or b.is_symlink() or not a.is_file() or not b.is_file():
        return a.is_symlink() and b.is_symlink() and os.readlink(a) == os.readlink(b)
    return a.stat().st_size == b.stat().st_size and filecmp.cmp(a, b, shallow=False)


def plan(stage: Path, area: str, area_dir: Path, suffix: str | None = None) -> Plan:
    """Decide, for every staged file, where it goes in ``area_dir`` (nothing is moved yet)."""
    suffix = suffix or beside_suffix()
    result = Plan(area=area, area_dir=area_dir)
    folder_of = result.placed  # staged folder (or file) → where it goes
    folder_of[stage] = area_dir
    for here, dirs, files in os.walk(stage):
        where = folder_of[Path(here)]
        for name in sorted(dirs):
            staged, current = Path(here) / name, where / name
            if staged.is_symlink():  # os.walk lists links to folders as folders: a link is a file here
                files.append(name)
                continue
            if os.path.lexists(current) and not (current.is_dir() and not current.is_symlink()):
                current = _beside(where, name, suffix)  # a file or a link has the folder's name: keep both
            folder_of[staged] = current
            if not current.exists():
                result.folders.append(current)
        dirs[:] = [d for d in dirs if Path(here, d) in folder_of and not Path(here, d).is_symlink()]
        for name in sorted(files):
            staged, current = Path(here) / name, where / name
            size = staged.lstat().st_size
            if not os.path.lexists(current):
                result.moves.append(Move(staged, current, size, beside=False))
            elif _same_file(staged, current):
                result.unchanged += 1
            else:
                current = _beside(where, name, suffix)
                result.moves.append(Move(staged, current, size, beside=True))
            folder_of[staged] = current
    return result


def apply(user, plan_: Plan, suffix: str | None = None) -> Plan:
    """Create the missing folders and move each file to its place (re-choosing a free name if one was taken
    since the plan); the area's usage counter moves by the bytes that landed."""
    suffix = suffix or beside_suffix()
    for folder in plan_.folders:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    for move in plan_.moves:
        move.target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        if os.path.lexists(move.target):
            move.target, move.beside = _beside(move.target.parent, move.target.name, suffix), True
            plan_.placed[move.source] = move.target
        shutil.move(str(move.source), str(move.target))
    change_usage(user, plan_.area, plan_.incoming)
    return plan_


def landed(*plans: Plan) -> dict[str, Any]:
    """Where the files went, as a run message (code + params, anemone.runs.messages): every kind of restore
    stores it on its run and item, so each reader sees it in their own language."""
    parts: list[dict[str, Any]] = []
    for plan_ in plans:
        area = plan_.area
        parts.append(messages.msg("files.landed_in_place", count=len(plan_.in_place), area=area))
        if beside := plan_.kept_beside:
            names = ", ".join(f"{area}/{m.target.relative_to(plan_.area_dir).as_posix()}" for m in beside[:5])
            parts.append(messages.msg("files.landed_beside", count=len(beside), names=names,
                                      more="…" if len(beside) > 5 else ""))
        if plan_.unchanged:
            parts.append(messages.msg("files.landed_unchanged", count=plan_.unchanged))
    return messages.joined(parts) if parts else messages.msg("files.nothing_to_restore")
