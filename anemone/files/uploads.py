"""Uploads: streamed to a temp file inside the target area, then renamed into place.

Django already streams the request body to a temporary file (FILE_UPLOAD_MAX_MEMORY_SIZE = 0);
we copy it in chunks into a hidden temp file in the target folder (same filesystem as the final
name) and os.replace it, so a half-written file is never visible and a refusal leaves nothing behind.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable
from pathlib import Path

from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

from anemone.files import paths
from anemone.files.paths import PathRefused
from anemone.files.services import TEMP_PREFIX
from anemone.files.usage import NO_SPACE_ERRNOS, change_usage, check_quota, disk_full

CHUNK = 1024 * 1024


def no_file_message() -> str:
    """Django leaves out a file part whose file name is empty (or only '/', '.', '..'): we say so."""
    return _("No file received: choose a file. A file without a name (or named '.' or '..') is refused.")


def free_name(folder: Path, name: str, suffix: Callable[[int], str] = lambda n: f" ({n})") -> Path:
    """`name`, else `name (1).ext`, `name (2).ext`… — the first that does not exist in folder.

    Used for uploads ("keep both", as a NAS does) and, with another suffix, for trash restores.
    """
    candidate = folder / name
    stem, dot, ext = name.rpartition(".") if "." in name.lstrip(".") else (name, "", "")
    counter = 1
    while candidate.exists() or candidate.is_symlink():
        candidate = folder / f"{stem}{suffix(counter)}{dot}{ext}"
        counter += 1
    return candidate


def save_upload(user, area: str, folder_rel: str, upload: UploadedFile, *, overwrite: bool = False) -> str:
    """Store one uploaded file in a folder of an area; returns its path relative to the area."""
    name = paths.validate_name(os.path.basename(upload.name or ""))
    folder = paths.resolve(user, area, folder_rel, must_exist=True)
    if not folder.is_dir():
        raise PathRefused(_("The target is not a folder."))
    declared = upload.size or 0
    check_quota(user, area, declared)
    temp = folder / f"{TEMP_PREFIX}{secrets.token_hex(8)}"
    written = 0
    try:
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
        with os.fdopen(fd, "wb") as out:
            for chunk in upload.chunks(CHUNK):
                out.write(chunk)
                written += len(chunk)
            out.flush()
            os.fsync(out.fileno())
        if written != declared:
            check_quota(user, area, written)
        final = paths.resolve_under(folder, name)
        replaced = 0
        if final.exists() or final.is_symlink():
            if overwrite and final.is_file() and not final.is_symlink():
                replaced = final.stat().st_size
            else:
                final = free_name(folder, name)
        os.replace(temp, final)
    except OSError as exc:
        temp.unlink(missing_ok=True)
        if exc.errno in NO_SPACE_ERRNOS:  # a full disk is said as such (507), not a server error
            raise disk_full(exc) from exc
        raise
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    change_usage(user, area, written - replaced)
    return paths.relative_to_area(user, area, final)
