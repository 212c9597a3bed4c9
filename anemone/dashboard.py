"""What the dashboard shows: usage bars, trash size, last backup per destination; admins see users."""

from __future__ import annotations

from anemone.accounts.models import User
from anemone.files.usage import usage_bars
from anemone.runs.models import Run


def last_backup_per_destination(user: User) -> list[Run]:
    """The latest run of each destination that carries this user (trash purges excluded)."""
    latest: dict[tuple[str, int], Run] = {}
    for run in Run.objects.filter(items__user=user).exclude(kind="trash").distinct()[:200]:
        latest.setdefault((run.kind, run.target_id), run)
    return list(latest.values())


def dashboard_context(user: User) -> dict[str, object]:
    context: dict[str, object] = {"usage": usage_bars(user), "title": "Dashboard"}
    context["recent_runs"] = last_backup_per_destination(user)
    if user.is_staff:
        context["users"] = [(u, usage_bars(u)) for u in User.objects.filter(is_active=True)]
    return context
