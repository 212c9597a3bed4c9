"""Starting drills: now (page, API, command) or when due (the hourly system job ``anemone.drills.jobs``).

A drill shares its target's lock with the target's backup: it is refused while a backup of the target is queued
or running (``RunActive`` with that backup run: the same 409 as a second "Sync now"), its precheck skips it if a
backup got in first, and it steps aside when a backup starts while it runs (``DrillKind.body``).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone

from anemone.drills.kinds import DrillKind
from anemone.runs import registry
from anemone.runs import services as runs
from anemone.runs.models import Run, RunStatus, Trigger

DONE = [RunStatus.SUCCEEDED, RunStatus.FAILED, RunStatus.PARTIAL]  # a drill that looked at the copy


def drill_every() -> timedelta:
    """How often each target is drilled (default weekly; ``ANEMONE_DRILL_EVERY_DAYS``)."""
    return timedelta(days=float(getattr(settings, "ANEMONE_DRILL_EVERY_DAYS", 7)))


def drill_kind(name: str) -> DrillKind:
    """The drill kind by its name ("p2p-drill") or its backup kind's ("p2p"); KeyError when there is none."""
    kind = registry.get(name if name.endswith("-drill") else f"{name}-drill")
    if not isinstance(kind, DrillKind):
        raise KeyError(name)
    return kind


def request_drill(kind: str | DrillKind, target: Any, *, trigger: str = Trigger.MANUAL, user=None,
                  inline: bool = False, queue: bool = True) -> Run:
    """Start a drill of ``target`` (an instance or its id); RunActive when a drill or a backup of it is active."""
    kind = drill_kind(kind) if isinstance(kind, str) else kind
    target_id = target if isinstance(target, int) else int(target.pk)
    runs.reap_stale(kind=kind.backup_kind, target_id=target_id)
    active = kind.backup_active(target_id)
    if active is not None:
        raise runs.RunActive(active)
    return runs.request(kind, target, trigger=trigger, user=user, inline=inline, queue=queue)


def last_drill(kind: str, target_id: int) -> Run | None:
    """The newest finished drill of a target that looked at its copy (anemone.runs.history.last_drill)."""
    from anemone.runs.history import last_drill as newest

    return newest(kind, target_id)


def has_good_copy(kind: DrillKind, target_id: int) -> bool:
    """A backup of it succeeded (not a preview; a JSON key test on its own would also drop runs without it)."""
    good = Run.objects.filter(kind=kind.backup_kind, target_id=target_id, status=RunStatus.SUCCEEDED)
    return good.exclude(pk__in=good.filter(options__dry_run=True).values("pk")).exists()


def slot_hour(kind: DrillKind, target_id: int) -> int:
    """The hour of the day a target's drill prefers: spread by target id (and kind), so drills of several
    targets do not all start at once."""
    return (target_id * 7 + sum(map(ord, kind.name))) % 24


def next_backup(kind: DrillKind, target: Any) -> datetime | None:
    from anemone.runs.schedules import next_run

    backup = registry.get(kind.backup_kind)
    if not backup.scheduled or not backup.is_schedulable(target):
        return None
    return next_run(target)


def is_due(kind: DrillKind, target: Any, now: datetime) -> bool:
    """Due when: a good copy exists; the last drill is older than drill_every() (or there was none); no backup
    is running and the next one is at least 2 h away; and it is the target's hour — or the drill is a day late
    already (its hour kept colliding with backups)."""
    if not kind.is_schedulable(target) or not has_good_copy(kind, target.pk):
        return False
    last = last_drill(kind.name, target.pk)
    age = now - (last.finished_at or last.queued_at) if last else None
    if age is not None and age < drill_every():
        return False
    if kind.backup_active(target.pk) is not None:
        return False
    upcoming = next_backup(kind, target)
    if upcoming is not None and upcoming - now < timedelta(hours=2):
        return False
    late = age is not None and age >= drill_every() + timedelta(days=1)
    return late or timezone.localtime(now).hour == slot_hour(kind, target.pk)
