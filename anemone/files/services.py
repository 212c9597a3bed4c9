"""File operations of an area, shared by the web pages and the API. Every path goes through paths.resolve."""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from datetime import UTC, datetime

from django.utils.translation import gettext as _

from anemone.files import paths, trash
from anemone.files.paths import PathRefused

TEMP_PREFIX = ".anemone-upload-"


@dataclass
class Entry:
    name: str
    path: str  # relative to the area
    is_dir: bool
    size: int
    modified: datetime


def _entry(user, area: str, parent_rel: str, dirent: os.DirEntry) -> Entry | None:
    try:
        info = dirent.stat(follow_symlinks=False)
    except OSError:
        return None
    if stat.S_ISLNK(info.st_mode):
        try:  # a symlink is listed only when it stays inside the area
            target = paths.resolve(user, area, f"{parent_rel}/{dirent.name}".lstrip("/"))
            info = target.stat()
        except (PathRefused, OSError):
            return None
    return Entry(
        name=dirent.name, path=f"{parent_rel}/{dirent.name}".lstrip("/"), is_dir=stat.S_ISDIR(info.st_mode),
        size=0 if stat.S_ISDIR(info.st_mode) else info.st_size,
        modified=datetime.fromtimestamp(info.st_mtime, tz=UTC),
    )


def _is_utf8(name: str) -> bool:
    """A name written outside Anemone with bytes that are not UTF-8 cannot be shown nor addressed by a page."""
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def list_dir(user, area: str, relpath: str = "") -> list[Entry]:
    """Folders first, then files, by name; our own temp files are hidden."""
    folder = paths.resolve(user, area, relpath, must_exist=True)
    if not folder.is_dir():
        raise PathRefused(_("This is a file, not a folder."))
    parent_rel = paths.relative_to_area(user, area, folder)
    parent_rel = "" if parent_rel == "." else parent_rel
    entries = []
    with os.scandir(folder) as listing:
        for dirent in listing:
            if dirent.name.startswith(TEMP_PREFIX) or not _is_utf8(dirent.name):
                continue
            entry = _entry(user, area, parent_rel, dirent)
            if entry is not None:
                entries.append(entry)
    return sorted(entries, key=lambda e: (not e.is_dir, e.name.lower()))


def mkdir(user, area: str, relpath: str) -> str:
    parent_rel, _sep, name = relpath.rstrip("/").rpartition("/")
    paths.validate_name(name)
    parent = paths.resolve(user, area, parent_rel, must_exist=True)
    target = paths.resolve_under(parent, name)
    if target.exists() or target.is_symlink():
        raise PathRefused(_("Something with this name already exists."))
    target.mkdir(mode=0o700)
    return paths.relative_to_area(user, area, target)


def rename(user, area: str, relpath: str, new_name: str) -> str:
    """Rename in place (same folder); moving between folders is not a rename."""
    paths.validate_name(new_name)
    source = paths.resolve_entry(user, area, relpath)  # a symlink is renamed itself, its target untouched
    if source == paths.area_root(user, area).resolve():
        raise PathRefused(_("The area itself cannot be renamed."))
    target = paths.resolve_under(source.parent, new_name)
    if target.exists() or target.is_symlink():
        raise PathRefused(_("Something with this name already exists."))
    os.rename(source, target)
    return paths.relative_to_area(user, area, target)


def delete(user, area: str, relpath: str) -> trash.TrashEntry:
    """Deleting moves to the trash; the trash is emptied by hand or after the retention days."""
    return trash.move_to_trash(user, area, relpath)
