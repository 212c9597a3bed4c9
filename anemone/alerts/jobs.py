"""The one system job that turns finished runs into alerts, for every run kind at once.

Each finished run is claimed exactly once (a conditional update on Run.alerted_at), so two workers, a
redelivered task or a restart never send the same alert twice, and runs that ended while the NAS was off
are not replayed as a storm: only runs finished within CLAIM_WINDOW are told.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.utils import timezone

from anemone.alerts import registry
from anemone.alerts.registry import Alert
from anemone.runs.models import FINAL_STATUSES, Run, RunStatus

log = logging.getLogger(__name__)
CLAIM_WINDOW = timedelta(hours=6)
EVENTS = {RunStatus.FAILED: "run-failed", RunStatus.PARTIAL: "run-partial", RunStatus.INTERRUPTED: "run-interrupted"}


def claim_finished_runs() -> int:
    """Every minute: claim the finished, not yet claimed runs; deliver an alert for the ones that went wrong."""
    now = timezone.now()
    unclaimed = Run.objects.filter(status__in=FINAL_STATUSES, alerted_at__isnull=True)
    Run.objects.filter(pk__in=unclaimed.filter(finished_at__lt=now - CLAIM_WINDOW).values("pk")).update(alerted_at=now)
    told = 0
    for run in unclaimed.filter(finished_at__gte=now - CLAIM_WINDOW).order_by("finished_at"):
        if not Run.objects.filter(pk=run.pk, alerted_at__isnull=True).update(alerted_at=now):
            continue  # another worker claimed it
        event = EVENTS.get(RunStatus(run.status))
        if event is None:
            continue
        alert = Alert(event=event, kind=run.kind, target_label=run.target_label, run_id=run.pk, status=run.status,
                      message=run.message[:2000],
                      people=tuple(run.items.exclude(user=None).values_list("user_id", flat=True)))
        for channel in registry.channels():
            try:
                channel.deliver(alert)
            except Exception:  # one broken channel must not silence the others
                log.exception("alert channel %s failed for run %s", channel.name, run.pk)
        told += 1
    return told
