"""The hourly system job (``system:drills``, declared by ``manage.py ensure_schedules``): start the drills due."""

from __future__ import annotations

import logging

from django.utils import timezone

from anemone.drills import services
from anemone.drills.kinds import DrillKind
from anemone.runs import registry
from anemone.runs import services as runs
from anemone.runs.models import Trigger

log = logging.getLogger(__name__)


def start_due_drills() -> int:
    """Queue every due drill (services.is_due); returns how many were started."""
    now = timezone.now()
    started = 0
    for kind in registry.drill_kinds():
        assert isinstance(kind, DrillKind)
        for target in registry.get(kind.backup_kind).targets():
            try:
                if not services.is_due(kind, target, now):
                    continue
                services.request_drill(kind, target, trigger=Trigger.SCHEDULE)
                started += 1
            except runs.RunActive:
                continue
            except Exception:  # one target's trouble must not keep the others from their drill
                log.exception("could not start the %s of target %s", kind.name, target.pk)
    return started
