"""What the dashboard shows: usage, "how safe are my files" per destination with its 3-2-1 badge, pictures of
the person's own history; admins also see every target against its schedule, 30 days of runs, usage of
everyone against quotas and what apps add (peers: reciprocity).

"Last backup" is honest (anemone.runs.history): only a run that actually copied the person's files
counts — never a preview, a restore or a purge — and failures since then are shown next to it.
"""

from __future__ import annotations

from anemone import dashboard_charts
from anemone.accounts.models import User
from anemone.files.usage import usage_bars
from anemone.runs import history, safety


def dashboard_context(user: User) -> dict[str, object]:
    context: dict[str, object] = {"usage": usage_bars(user), "title": "Dashboard"}
    states = history.person_backup_states(user)
    context["backups"] = states
    context["last_backup"] = history.last_backup(states)
    mine = safety.person_safety(user)
    context["safety"] = mine
    context["badge"] = safety.badge(mine)
    context["my_usage_chart"] = dashboard_charts.my_usage_chart(user)
    context["my_histories"] = dashboard_charts.my_histories(user, mine)
    if user.is_staff:
        from anemone.accounts.kit_views import kit_reminder_needed

        context["kit_reminder"] = kit_reminder_needed(user)  # until an admin confirms the kit is stored
        people = list(User.objects.filter(is_active=True).order_by("username"))
        context["users"] = [(u, usage_bars(u)) for u in people]
        targets = history.all_target_states()
        context["targets"] = targets
        target_safety = safety.target_safety(targets)
        context["target_safety"] = target_safety
        context["schedule_chart"] = dashboard_charts.schedule_chart(target_safety)
        context["target_histories"] = dashboard_charts.target_histories(target_safety)
        context["people_chart"] = dashboard_charts.people_usage_chart(people)
        context["app_charts"] = dashboard_charts.app_charts()
    return context
