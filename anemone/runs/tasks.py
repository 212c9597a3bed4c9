"""django-q2 entry points of the runs machinery: thin, taking ids only.

``execute`` is the one task of every run kind (the Run row says which kind); ``scheduled_run`` is what
every target's django-q2 Schedule calls (its name and arguments are stored in Schedule rows: keep them).
"""

from __future__ import annotations

import logging

from anemone.runs import registry, schedules, services
from anemone.runs.models import Trigger

log = logging.getLogger(__name__)


def execute(run_id: int) -> None:
    """A worker picked up a queued run of any kind."""
    services.execute(run_id)


def scheduled_run(kind: str, target_id: int) -> int | None:
    """A schedule fired: start the target's run, unless one is already active. django-q2 (1.11) computes the
    next firing itself and keeps local time across DST changes (measured: daily 02:30 and 01:30, weekly and
    monthly schedules over the March and October changes in Europe/Paris), so the schedule is not re-synced
    here; it is only removed when its target is gone or no longer schedulable (a belt to runs.targets)."""
    run_kind = registry.get(kind)
    target = run_kind.load(target_id)
    if target is None or not run_kind.is_schedulable(target):
        schedules.sync_schedule(kind, target_id, None)
        log.info("schedule for %s:%s removed: the target is gone or disabled", kind, target_id)
        return None
    try:
        run = services.request(run_kind, target, trigger=Trigger.SCHEDULE)
    except services.RunActive as exc:
        log.info("scheduled %s:%s skipped: %s", kind, target_id, exc)
        return None
    return run.pk


def reap() -> int:
    """Every minute: mark runs whose worker died as interrupted."""
    return services.reap_stale()
