"""What the dashboard shows: usage bars, trash size, each backup target's last good copy; admins see users.

"Last backup" is honest (anemone.runs.history): only a run that actually copied the person's files
counts — never a preview, a restore or a purge — and failures since then are shown next to it.
"""

from __future__ import annotations

from anemone.accounts.models import User
from anemone.files.usage import usage_bars
from anemone.runs import history


def dashboard_context(user: User) -> dict[str, object]:
    context: dict[str, object] = {"usage": usage_bars(user), "title": "Dashboard"}
    states = history.person_backup_states(user)
    context["backups"] = states
    context["last_backup"] = history.last_backup(states)
    if user.is_staff:
        from anemone.accounts.kit_views import kit_reminder_needed

        context["kit_reminder"] = kit_reminder_needed(user)  # until an admin confirms the kit is stored
        context["users"] = [(u, usage_bars(u)) for u in User.objects.filter(is_active=True)]
        context["targets"] = history.all_target_states()
    return context
