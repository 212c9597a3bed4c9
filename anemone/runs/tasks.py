"""django-q2 entry points of the runs machinery: thin, taking ids only."""

from __future__ import annotations

import logging

from anemone.runs import registry, schedules, services
from anemone.runs.models import Trigger

log = logging.getLogger(__name__)


def scheduled_run(kind: str, target_id: int) -> int | None:
    """A schedule fired: start the target's run (skip quietly if one is already active)."""
    run_kind = registry.get(kind)
    if run_kind.load is not None:
        target = run_kind.load(target_id)
        schedules.sync_schedule(kind, target_id, target, enabled=getattr(target, "enabled", True))
    try:
        run = run_kind.start(target_id, trigger=Trigger.SCHEDULE)
    except services.RunActive as exc:
        log.info("scheduled %s:%s skipped: %s", kind, target_id, exc)
        return None
    except LookupError:
        log.warning("schedule for unknown target %s:%s", kind, target_id)
        return None
    return run.pk if run else None


def reap() -> int:
    """Every minute: mark runs whose worker died as interrupted."""
    return services.reap_stale()
