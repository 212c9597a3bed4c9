"""The ONE safe path resolver: (user, area, relative path) → a real path inside that user's area.

Every file operation of the web pages, the API and the restore code goes through ``resolve``.
It refuses NUL and control characters, backslashes, absolute paths, ``..`` components and any path
whose real location (after following symlinks, dangling ones included) leaves the area.
"""

from __future__ import annotations

import os
from pathlib import Path

from django.conf import settings

AREAS = ("backup", "data")
MAX_NAME_BYTES = 255
MAX_PATH_BYTES = 4000


class PathRefused(ValueError):
    """The path is not acceptable; the message says why, without echoing anything outside the area."""


def shares_root() -> Path:
    return Path(settings.DATA_DIR) / "shares"


def user_root(username: str) -> Path:
    return shares_root() / username


def area_root(user, area: str) -> Path:  # type: ignore[no-untyped-def]
    if area not in AREAS:
        raise PathRefused(f"Unknown area {area!r}: use 'backup' or 'data'.")
    return user_root(user.username) / area


def trash_root(user) -> Path:  # type: ignore[no-untyped-def]
    return user_root(user.username) / ".trash"


def split_relative(relpath: str) -> list[str]:
    """Validate a user-supplied relative path and return its components ('' → the area itself)."""
    if not isinstance(relpath, str):
        raise PathRefused("The path must be text.")
    if "\x00" in relpath:
        raise PathRefused("The path contains a NUL byte.")
    if "\\" in relpath:
        raise PathRefused("Backslashes are not allowed in paths; use '/'.")
    if relpath.startswith("/") or relpath.startswith("~"):
        raise PathRefused("Absolute paths are not allowed; give a path inside the area.")
    if len(relpath.encode("utf-8", "surrogateescape")) > MAX_PATH_BYTES:
        raise PathRefused("The path is too long.")
    parts = [p for p in relpath.split("/") if p not in ("", ".")]
    for part in parts:
        if part == "..":
            raise PathRefused("'..' is not allowed in paths.")
        if any(ord(c) < 32 or ord(c) == 127 for c in part):
            raise PathRefused("Control characters are not allowed in names.")
        if len(part.encode("utf-8", "surrogateescape")) > MAX_NAME_BYTES:
            raise PathRefused("A name in the path is longer than 255 bytes.")
    return parts


def validate_name(name: str) -> str:
    """A single new file or folder name (upload, mkdir, rename)."""
    parts = split_relative(name)
    if len(parts) != 1 or parts[0] != name:
        raise PathRefused("A name cannot contain '/' or be '.' or '..'.")
    return name


def is_within(path: Path, root: Path) -> bool:
    try:
        path.relative_to(root)
    except ValueError:
        return False
    return True


def resolve_under(root: Path, relpath: str) -> Path:
    """Resolve relpath under root and refuse anything whose real location is outside root."""
    parts = split_relative(relpath)
    real_root = root.resolve()
    candidate = real_root.joinpath(*parts)
    real = Path(os.path.realpath(candidate))
    if not is_within(real, real_root):
        raise PathRefused("This path leads outside your area.")
    return real


def resolve(user, area: str, relpath: str = "", *, must_exist: bool = False) -> Path:  # type: ignore[no-untyped-def]
    """The real path of `relpath` in the user's area; PathRefused when unsafe, FileNotFoundError if asked."""
    root = area_root(user, area)
    if not root.is_dir():
        raise FileNotFoundError(f"The {area} area does not exist yet (is the account activated?).")
    real = resolve_under(root, relpath)
    if must_exist and not real.exists():
        raise FileNotFoundError("No such file or folder.")
    return real


def relative_to_area(user, area: str, path: Path) -> str:  # type: ignore[no-untyped-def]
    return path.relative_to(area_root(user, area).resolve()).as_posix()
