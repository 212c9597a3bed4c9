"""Writing secret files: keys, passwords, engine configs, known_hosts pins.

The one place the product writes a file only its own account may read. Plain library code (no Django) so
engines, settings and apps share it. The file is written to a temporary name in the same directory,
created with its final mode (0600 unless told otherwise), flushed to disk, then renamed over the target:
nobody ever sees a half-written key, and the content is never readable by other accounts, not even for an
instant and whatever the process umask.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path

PRIVATE_FILE = 0o600
PRIVATE_DIR = 0o700


def write_private_file(path: Path, content: str | bytes, *, mode: int = PRIVATE_FILE) -> None:
    """Atomically replace `path` with `content`, created `mode` (0600) from the start.

    `mode` may only narrow to the owner (an executable helper script: 0700); group and other bits are
    refused so a caller cannot widen a secret by mistake. A missing parent directory is created 0700.
    """
    if mode & 0o077:
        raise ValueError(f"write_private_file refuses mode {oct(mode)}: group/other bits set")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True, mode=PRIVATE_DIR)
    data = content.encode() if isinstance(content, str) else content
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, mode)
    try:
        with os.fdopen(fd, "wb") as handle:
            os.fchmod(handle.fileno(), mode)  # the umask may have removed bits the caller asked for (0700)
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    _fsync_dir(path.parent)


def _fsync_dir(folder: Path) -> None:
    """Make the rename itself durable (a power cut must not bring the old key back)."""
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
