"""Usage against quotas: counters kept current on every change, a full recount daily.

The counters on User (usage_backup_bytes, usage_data_bytes, usage_trash_bytes) move with each
upload, delete, restore and purge, so a page never walks a tree; ``recompute_usage`` walks it once
a day (and on demand) to correct any drift from files changed outside Anemone.
"""

from __future__ import annotations

import errno
import os
from pathlib import Path

from django.contrib.auth import get_user_model
from django.db.models import F
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _

COUNTER = {"backup": "usage_backup_bytes", "data": "usage_data_bytes", "trash": "usage_trash_bytes"}


class QuotaExceeded(ValueError):
    """The change would take the person over a quota; the message says by how much."""


class DiskFull(RuntimeError):
    """The server's own disk (not a quota) has no room left: nothing was kept of the half-written file."""


NO_SPACE_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT})


def disk_full(exc: OSError) -> DiskFull:
    return DiskFull(_("The server's disk is full: nothing was stored. Ask your admin to free some space."))


def level(percent: float) -> str:
    if percent >= 100:
        return "full"
    if percent >= 90:
        return "hot"
    if percent >= 75:
        return "warn"
    return "ok"


def bar(used: int, quota: int) -> dict[str, object]:
    percent = round(100 * used / quota, 1) if quota else 0
    return {"used": used, "quota": quota, "percent": min(percent, 100), "level": level(percent) if quota else "ok"}


def usage_bars(user) -> dict[str, object]:
    return {
        "backup": bar(user.usage_backup_bytes, user.quota_backup_bytes),
        "total": bar(user.usage_total_bytes, user.quota_total_bytes),
        "trash_bytes": user.usage_trash_bytes,
    }


def tree_size(path: Path) -> int:
    """Bytes of a file or of everything under a folder (symlinks not followed)."""
    if path.is_symlink() or not path.is_dir():
        return path.lstat().st_size if path.is_symlink() or path.exists() else 0
    total = 0
    for root, _dirs, files in os.walk(path):
        for name in files:
            try:
                total += os.lstat(os.path.join(root, name)).st_size
            except OSError:
                continue
    return total


def change_usage(user, area: str, delta: int) -> None:
    """Move one counter by delta bytes, atomically in the database, and on the in-memory user."""
    if not delta:
        return
    field = COUNTER[area]
    get_user_model().objects.filter(pk=user.pk).update(**{field: F(field) + delta})
    setattr(user, field, max(0, getattr(user, field) + delta))


def check_quota(user, area: str, incoming: int) -> None:
    """Refuse `incoming` more bytes in `area` if it passes the total or (for backup/) the backup quota."""
    user.refresh_from_db(fields=["usage_backup_bytes", "usage_data_bytes", "usage_trash_bytes",
                                 "quota_total_bytes", "quota_backup_bytes"])
    limits = [(user.quota_total_bytes, user.usage_total_bytes, _("total"))]
    if area == "backup":
        limits.append((user.quota_backup_bytes, user.usage_backup_bytes, _("backup")))
    for quota, used, name in limits:
        if quota and used + incoming > quota:
            left = max(quota - used, 0)
            raise QuotaExceeded(
                _("Not enough space: %(left)s left of your %(quota)s %(name)s quota, %(size)s needed.")
                % {"left": filesizeformat(left), "quota": filesizeformat(quota), "name": name,
                   "size": filesizeformat(incoming)}
            )


def recompute_usage(user) -> dict[str, int]:
    """Walk the areas and the trash once and store the true figures."""
    from anemone.files.paths import trash_root, user_root

    root = user_root(user.username)
    figures = {
        "usage_backup_bytes": tree_size(root / "backup") if (root / "backup").exists() else 0,
        "usage_data_bytes": tree_size(root / "data") if (root / "data").exists() else 0,
        "usage_trash_bytes": tree_size(trash_root(user)) if trash_root(user).exists() else 0,
    }
    get_user_model().objects.filter(pk=user.pk).update(usage_updated_at=timezone.now(), **figures)
    for field, value in figures.items():
        setattr(user, field, value)
    return figures
