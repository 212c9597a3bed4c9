"""Usage against quotas, as the bars show it (colours at 75/90/100 %)."""

from __future__ import annotations


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


def usage_bars(user) -> dict[str, object]:  # type: ignore[no-untyped-def]
    return {
        "backup": bar(user.usage_backup_bytes, user.quota_backup_bytes),
        "total": bar(user.usage_total_bytes, user.quota_total_bytes),
        "trash_bytes": user.usage_trash_bytes,
    }
