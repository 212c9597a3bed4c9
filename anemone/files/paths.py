"""The ONE safe path resolver: (user, area, relative path) → a real path inside that user's area.

Every file operation of the web pages, the API and the restore code goes through ``resolve``.
It refuses NUL and control characters, backslashes, absolute paths, ``..`` components and any path
whose real location (after following symlinks, dangling ones included) leaves the area.
"""

from __future__ import annotations

import os
import unicodedata
from pathlib import Path
from urllib.parse import unquote

from django.conf import settings
from django.utils.translation import gettext as _

AREAS = ("backup", "data")
MAX_NAME_BYTES = 255
MAX_PATH_BYTES = 4000


class PathRefused(ValueError):
    """The path is not acceptable; the message says why, without echoing anything outside the area."""


def shares_root() -> Path:
    return Path(settings.DATA_DIR) / "shares"


def user_root(username: str) -> Path:
    return shares_root() / username


def area_root(user, area: str) -> Path:
    if area not in AREAS:
        raise PathRefused(_("Unknown area %(area)s: use 'backup' or 'data'.") % {"area": repr(area)})
    return user_root(user.username) / area


def trash_root(user) -> Path:
    return user_root(user.username) / ".trash"


def split_relative(relpath: str) -> list[str]:
    """Validate a user-supplied relative path and return its components ('' → the area itself)."""
    if not isinstance(relpath, str):
        raise PathRefused(_("The path must be text."))
    if "\x00" in relpath:
        raise PathRefused(_("The path contains a NUL byte."))
    if "\\" in relpath:
        raise PathRefused(_("Backslashes are not allowed in paths; use '/'."))
    if relpath.startswith("/") or relpath.startswith("~"):
        raise PathRefused(_("Absolute paths are not allowed; give a path inside the area."))
    if len(relpath.encode("utf-8", "surrogateescape")) > MAX_PATH_BYTES:
        raise PathRefused(_("The path is too long."))
    parts = [p for p in relpath.split("/") if p not in ("", ".")]
    for part in parts:
        if part == "..":
            raise PathRefused(_("'..' is not allowed in paths."))
        if any(ord(c) < 32 or ord(c) == 127 for c in part):
            raise PathRefused(_("Control characters are not allowed in names."))
        if len(part.encode("utf-8", "surrogateescape")) > MAX_NAME_BYTES:
            raise PathRefused(_("A name in the path is longer than 255 bytes."))
    return parts


# Characters that look like a slash or a backslash: a name holding one reads as a path ("..∕bob").
JOINERS = frozenset("\u200c\u200d")  # zero-width (non-)joiners: emoji sequences and some scripts need them
LOOKALIKE_SLASHES = frozenset("\u2215\u2044\u29f8\u29f5\u2216\uff0f\uff3c\ufe68\u2571\u2572\u3033")


def _decodes_to_a_path(name: str) -> bool:
    """Does the name, once or several times URL-decoded, hold a separator, NUL or a '..' part?

    A folder named ``..%2fbob`` is harmless here, but the same text pasted into a link or a script that
    decodes it once more climbs out of the folder: such names are refused when created."""
    text = name
    for _round in range(3):
        try:
            decoded = unquote(text, errors="strict") if "%" in text else text
        except UnicodeDecodeError:  # "%c0%af": an overlong (invalid) UTF-8 slash, a classic traversal trick
            return True
        if decoded == text:
            break
        text = decoded
        if "/" in text or "\\" in text or "\x00" in text or text in (".", ".."):
            return True
    return False


def validate_name(name: str) -> str:
    """A single NEW file or folder name (upload, mkdir, rename): stricter than a lookup of what exists.

    Refused: empty or only spaces (an invisible row), separators, '.' and '..', control and invisible
    format characters (bidi overrides), look-alike slashes, names that decode to a path, and the
    replacement character U+FFFD (the request carried bytes that are not UTF-8, e.g. overlong forms).
    """
    if not isinstance(name, str) or not name.strip():
        raise PathRefused(_("A name cannot be empty or only spaces."))
    if "\x00" in name or any(unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp") and c not in JOINERS for c in name):
        raise PathRefused(_("A name cannot hold control or invisible characters."))
    if "\ufffd" in name:
        raise PathRefused(_("The name is not valid text (bytes that are not UTF-8)."))
    normalized = unicodedata.normalize("NFKC", name)
    if "/" in name or "\\" in name or "/" in normalized or "\\" in normalized or \
            any(c in LOOKALIKE_SLASHES for c in name):
        raise PathRefused(_("A name cannot contain '/' or '\\' (or a character that looks like one)."))
    if name in (".", "..") or normalized.strip() in (".", ".."):
        raise PathRefused(_("A name cannot be '.' or '..'."))
    if _decodes_to_a_path(name):
        raise PathRefused(_("A name cannot hold an encoded path such as '%2f' or '..%2f'."))
    parts = split_relative(name)
    if len(parts) != 1 or parts[0] != name:
        raise PathRefused(_("A name cannot contain '/' or be '.' or '..'."))
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
        raise PathRefused(_("This path leads outside your area."))
    return real


def resolve_entry(user, area: str, relpath: str) -> Path:
    """The entry itself at relpath, its last component NOT followed: what delete and rename act on.

    The folder holding it is resolved (and must stay inside the area); a symlink is returned as the
    link, so deleting or renaming a link never touches its target (a link to docs/ trashed docs/)."""
    parts = split_relative(relpath)
    if not parts:
        return resolve(user, area, "", must_exist=True)
    parent = resolve(user, area, "/".join(parts[:-1]), must_exist=True)
    entry = parent / parts[-1]
    if not os.path.lexists(entry):
        raise FileNotFoundError(_("No such file or folder."))
    return entry


def resolve(user, area: str, relpath: str = "", *, must_exist: bool = False) -> Path:
    """The real path of `relpath` in the user's area; PathRefused when unsafe, FileNotFoundError if asked."""
    root = area_root(user, area)
    if not root.is_dir():
        raise FileNotFoundError(_("The %(area)s area does not exist yet (is the account activated?).") % {"area": area})
    real = resolve_under(root, relpath)
    if must_exist and not real.exists():
        raise FileNotFoundError(_("No such file or folder."))
    return real


def relative_to_area(user, area: str, path: Path) -> str:
    return path.relative_to(area_root(user, area).resolve()).as_posix()
