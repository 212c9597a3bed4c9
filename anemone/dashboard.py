"""What the dashboard shows: usage bars, trash size, last backup per destination; admins see users."""

from __future__ import annotations

from anemone.accounts.models import User
from anemone.files.usage import usage_bars
from anemone.runs.models import Run


def dashboard_context(user: User) -> dict[str, object]:
    context: dict[str, object] = {"usage": usage_bars(user), "title": "Dashboard"}
    context["recent_runs"] = list(
        Run.objects.filter(items__user=user).exclude(kind="trash").distinct()[:10]
    )
    if user.is_staff:
        context["users"] = [(u, usage_bars(u)) for u in User.objects.filter(is_active=True)]
    return context
