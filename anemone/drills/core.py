"""The shared part of every restore drill: which files to try, where to put them, how to judge them.

A drill proves that a copy restores. For each person a target carries, the kind lists the newest copy
(``Copy``: its files with the size and modification time recorded in it), ``sample`` picks a few of them with
a seeded random (at most MAX_FILES and MAX_BYTES, so a drill costs little and a failing one can be replayed
with the same seed), the kind restores exactly those into a scratch folder on the same filesystem as the data
(``scratch``: always removed), and ``judge`` decides file by file:

- the source is unchanged since the copy (same size and mtime as recorded, to the precision the destination
  keeps): the restored bytes must equal the
  source's — the strongest proof ("compared");
- the source changed or is gone: the restored file must read completely and have the size the copy recorded;
  the engine's own verification (restic's content hashes, crypt's authenticated chunks) did the rest
  ("integrity").

A file the engine could not produce is "missing"; different bytes or size are "mismatched".
"""

from __future__ import annotations

import os
import random
import re
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

MAX_FILES = 20
MAX_BYTES = 256 * 1024 * 1024
CHUNK = 1 << 20
COMPARED, INTEGRITY = "compared", "integrity"
SCRATCH_PREFIX = ".anemone-drill-"  # starts with a dot: hidden from the file browser, and recognisable
_MTIME = re.compile(r"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)$")


@dataclass(frozen=True)
class CopiedFile:
    """One file of a copy: its path inside the copy ("a/b.txt"), what the copy recorded, and its source."""

    path: str
    size: int
    mtime_ns: int | None
    source: Path
    mtime_slack_ns: int = 0  # how far the recorded mtime may be off: SFTP and WebDAV keep whole seconds


@dataclass
class Copy:
    """The newest copy of one person at a target: a snapshot id, or "mirror" for a cloud mirror."""

    ref: str
    files: list[CopiedFile]


@dataclass
class Verdict:
    """What the drill found for one person (RunItem.stats holds these counters)."""

    checked: int = 0
    mismatched: int = 0
    missing: int = 0
    bytes: int = 0
    compared: int = 0
    bad_paths: list[str] = field(default_factory=list)  # the person's own file names: their item only

    @property
    def mode(self) -> str:
        """"compared" when every checked file was compared with its source, else "integrity"."""
        return COMPARED if self.checked and self.compared == self.checked else INTEGRITY

    @property
    def failed(self) -> int:
        return self.mismatched + self.missing

    def stats(self) -> dict[str, int | str]:
        return {"checked": self.checked, "mismatched": self.mismatched, "missing": self.missing,
                "bytes": self.bytes, "mode": self.mode}


def parse_mtime_ns(text: str) -> int | None:
    """An RFC 3339 time with up to nanoseconds (restic's, rclone's) as ns since the epoch; None if unreadable.
    datetime keeps microseconds only, so the fraction is read by hand: a source file compared by mtime must
    match to the nanosecond the engine recorded."""
    found = _MTIME.match(text or "")
    if not found:
        return None
    whole, fraction, zone = found.groups()
    try:
        seconds = datetime.fromisoformat(whole + ("+00:00" if zone == "Z" else zone)).timestamp()
    except ValueError:
        return None
    return int(seconds) * 1_000_000_000 + int(((fraction or "") + "000000000")[:9])


def seed_for(run_id: int, username: str) -> str:
    """The seed of one person's sample in one run (stored on the item: the same sample can be drawn again)."""
    return f"{run_id}:{username}"


def sample(files: list[CopiedFile], seed: str, *, max_files: int = MAX_FILES,
           max_bytes: int = MAX_BYTES) -> list[CopiedFile]:
    """A random choice of at most ``max_files`` files totalling at most ``max_bytes``; files bigger than the
    cap alone are never chosen (the cap bounds the drill's download). Empty files prove nothing: left out."""
    pool = sorted((f for f in files if 0 < f.size <= max_bytes), key=lambda f: f.path)
    random.Random(seed).shuffle(pool)
    chosen: list[CopiedFile] = []
    total = 0
    for candidate in pool:
        if len(chosen) >= max_files:
            break
        if total + candidate.size <= max_bytes:
            chosen.append(candidate)
            total += candidate.size
    return sorted(chosen, key=lambda f: f.path)


def unchanged(copied: CopiedFile) -> bool:
    """Whether the source still is what the copy recorded (same size, same mtime to the nanosecond)."""
    try:
        info = copied.source.stat()
    except OSError:
        return False
    if copied.mtime_ns is None or not copied.source.is_file():
        return False
    return info.st_size == copied.size and abs(info.st_mtime_ns - copied.mtime_ns) <= copied.mtime_slack_ns


def same_bytes(one: Path, other: Path) -> bool:
    with open(one, "rb") as a, open(other, "rb") as b:
        while True:
            left, right = a.read(CHUNK), b.read(CHUNK)
            if left != right:
                return False
            if not left:
                return True


def read_size(path: Path) -> int:
    """Read a restored file to its end (a short or failing read shows here); its length."""
    total = 0
    with open(path, "rb") as handle:
        while chunk := handle.read(CHUNK):
            total += len(chunk)
    return total


def judge(files: list[CopiedFile], restored_root: Path) -> Verdict:
    """Each sampled file against its restored copy under ``restored_root`` (at the same relative path)."""
    verdict = Verdict()
    for copied in files:
        verdict.checked += 1
        restored = restored_root / copied.path
        if not restored.is_file():
            verdict.missing += 1
            verdict.bad_paths.append(copied.path)
            continue
        try:
            if unchanged(copied):
                verdict.compared += 1
                good = same_bytes(restored, copied.source)
            else:
                good = read_size(restored) == copied.size
        except OSError:
            good = False
        if good:
            verdict.bytes += copied.size
        else:
            verdict.mismatched += 1
            verdict.bad_paths.append(copied.path)
    return verdict


def scratch_root() -> Path:
    """Where drills restore: inside the data directory, so on the same filesystem as people's files."""
    from django.conf import settings

    return Path(settings.DATA_DIR) / "drills"


@contextmanager
def scratch(near: Path) -> Iterator[Path]:
    """A private folder on the same filesystem as ``near`` (no copy across disks, no tmpfs filled with a
    person's files), removed however the drill ends."""
    near.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix=SCRATCH_PREFIX, dir=near))
    os.chmod(folder, 0o700)
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)
