"""The daily trash purge, run through the runs machinery (one Run, one RunItem per person).

It also recounts each person's usage, correcting any drift from files changed outside Anemone.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from anemone.runs import messages
from anemone.runs import services as runs
from anemone.runs.models import Run, RunStatus, Trigger
from anemone.runs.registry import RunKind

KIND = "trash"


class TrashPurge(RunKind):
    name = KIND
    label = _("Trash purge")

    def label_for(self, target: object) -> str:
        return str(_("Trash purge"))

    def body(self, run: Run, tracker: runs.Tracker) -> runs.Outcome:
        return purge_body(run, tracker)


def scheduled_purge() -> int | None:
    """Entry point of the daily system schedule."""
    try:
        return runs.request(KIND, None, trigger=Trigger.SCHEDULE).pk
    except runs.RunActive:
        return None


def purge_body(run: Run, tracker: runs.Tracker) -> runs.Outcome:
    from anemone.accounts.models import User
    from anemone.files import trash
    from anemone.files.usage import recompute_usage
    from anemone.models import SiteSettings

    days = SiteSettings.load().trash_retention_days
    people = list(User.objects.filter(activated_at__isnull=False))
    tracker.progress(files_total=len(people), force=True)
    total_entries = total_bytes = 0
    errors: list[str] = []
    said: list[dict] = []  # the same errors as messages (the system's text stays a parameter)
    for index, person in enumerate(people, start=1):
        item = runs.start_item(run, user=person)
        try:
            entries, freed = trash.purge_expired(person, days)
            recompute_usage(person)
        except OSError as exc:
            error = messages.msg("files.person_error", user=person.username, error=str(exc.strerror or exc))
            errors.append(messages.english(error["code"], error["params"]))
            said.append(error)
            runs.finish_item(item, status=RunStatus.FAILED, errors=1, message=str(exc))
            continue
        runs.finish_item(item, status=RunStatus.SUCCEEDED, files=entries, bytes_=freed)
        total_entries += entries
        total_bytes += freed
        run.files_done, run.bytes_done = total_entries, total_bytes
        tracker.progress(percent=100 * index / len(people), current_item=person.username)
    whole = messages.lines(messages.msg("files.trash_purged", entries=total_entries, days=days), *said[:20])
    return runs.Outcome(code=whole["code"], params=whole["params"], errors=errors)
