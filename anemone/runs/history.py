"""Honest "last backup" figures: which run last copied a person's files (or a target's), and what failed since.

A backup is a run of a kind registered with ``backup=True`` (cloud sync, P2P backup, USB backup) that
is not a preview (dry run); a restore, a purge or a drill never is. For a person, the last good copy
on a target is the newest such run whose item for them *succeeded*; every finished run since whose
item for them failed, was partial or was interrupted — or that failed before it reached anybody — is
a failure shown next to it ("the last 2 runs failed"). For a target (admins' pages), the last good
copy is the newest run that succeeded for everyone it carried. Skipped runs (a USB drive absent, an
empty area) are neither.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Count

from anemone.runs import registry
from anemone.runs.models import ACTIVE_STATUSES, Run, RunItem, RunStatus

FAILED_STATUSES = frozenset({RunStatus.FAILED, RunStatus.PARTIAL, RunStatus.INTERRUPTED})
HISTORY_LIMIT = 500  # how far back to look per person or target; older failures are not worth counting


@dataclass
class BackupState:
    """One target's backup state, for one person or for the whole target."""

    kind: str
    target_id: int
    target_label: str
    last_good_at: datetime | None = None
    last_good_run: Run | None = None
    failures_since: int = 0
    last_failure_at: datetime | None = None
    last_failure_status: str = ""
    running: bool = False

    @property
    def kind_label(self) -> str:
        return registry.label(self.kind)

    @property
    def failing(self) -> bool:
        return self.failures_since > 0

    @property
    def never(self) -> bool:
        return self.last_good_at is None

    def _failure(self, run: Run, status: str) -> None:
        if self.last_good_at is not None or run.status in ACTIVE_STATUSES:
            return
        self.failures_since += 1
        if self.last_failure_at is None:
            self.last_failure_at, self.last_failure_status = run.finished_at or run.queued_at, status


def backup_kind_names() -> list[str]:
    return [kind.name for kind in registry.backup_kinds()]


def target_exists(kind: str, target_id: int) -> bool:
    """Is the target still configured? (a removed destination's old good copy is no backup any more)"""
    try:
        run_kind = registry.get(kind)
    except KeyError:
        return False
    if run_kind.target_model is None:
        return True
    try:
        return run_kind.load(target_id) is not None  # None for a removed target
    except ObjectDoesNotExist:
        return False


def _walk(state: BackupState, events: list[tuple[Run, str]]) -> BackupState:
    """Newest first: (run, status that counts for this viewer) until the first good copy."""
    for run, status in events:
        if state.last_good_at is not None:
            break
        if run.status in ACTIVE_STATUSES:
            state.running = True
        elif status == RunStatus.SUCCEEDED:
            state.last_good_at, state.last_good_run = run.finished_at or run.queued_at, run
        elif status in FAILED_STATUSES:
            state._failure(run, status)
    return state


def person_backup_states(person: Any) -> list[BackupState]:
    """Per target that ever carried this person: their last good copy and the failures since, newest first."""
    kinds = backup_kind_names()
    items = (RunItem.objects.filter(user=person, run__kind__in=kinds).select_related("run")
             .order_by("-run__queued_at", "-run__id")[:HISTORY_LIMIT])
    events: dict[tuple[str, int], list[tuple[Run, str]]] = {}
    labels: dict[tuple[str, int], str] = {}
    for item in items:
        run = item.run
        key = (run.kind, run.target_id)
        labels.setdefault(key, run.target_label)
        events.setdefault(key, [])  # a target only ever previewed is listed, as never copied
        if run.is_dry_run:
            continue
        events[key].append((run, item.status if run.status not in ACTIVE_STATUSES else run.status))
    if events:
        # A run that failed before it reached anybody (no item at all) failed for everyone the target carries.
        unreached = (Run.objects.filter(kind__in=kinds, status__in=[RunStatus.FAILED, RunStatus.INTERRUPTED])
                     .annotate(n_items=Count("items")).filter(n_items=0).order_by("-queued_at")[:HISTORY_LIMIT])
        for run in unreached:
            key = (run.kind, run.target_id)
            if key in events and not run.is_dry_run:
                events[key].append((run, run.status))
    states = []
    for key, runs in events.items():
        if not target_exists(*key):
            continue
        runs.sort(key=lambda pair: (pair[0].queued_at, pair[0].pk), reverse=True)
        states.append(_walk(BackupState(kind=key[0], target_id=key[1], target_label=labels[key]), runs))
    return sorted(states, key=lambda s: (s.last_good_at is None, -(s.last_good_at.timestamp() if s.last_good_at else 0),
                                         s.kind, s.target_label))


def last_drill(kind: str, target_id: int) -> Run | None:
    """The newest finished restore drill of a backup target (``kind``: "p2p" or "p2p-drill"), or None. While it
    failed, the target's copy is known to be damaged, whatever later backups say: show the target red until a
    later drill passes (anemone.drills). Skipped drills (drive absent, a backup running) looked at nothing."""
    name = kind if kind.endswith("-drill") else f"{kind}-drill"
    done = [RunStatus.SUCCEEDED, RunStatus.FAILED, RunStatus.PARTIAL]
    return Run.objects.filter(kind=name, target_id=target_id, status__in=done).order_by("-finished_at", "-id").first()


def last_backup(states: list[BackupState]) -> BackupState | None:
    """The target with the newest good copy (None when nothing ever copied this person's files)."""
    good = [s for s in states if s.last_good_at is not None]
    return max(good, key=lambda s: s.last_good_at) if good else None  # type: ignore[arg-type, return-value]


def target_backup_state(kind: str, target_id: int, label: str = "") -> BackupState:
    """A target's last run that succeeded for everyone it carried, and the failed runs since (admins' view)."""
    runs = [r for r in Run.objects.filter(kind=kind, target_id=target_id).order_by("-queued_at", "-id")[:HISTORY_LIMIT]
            if not r.is_dry_run]
    state = BackupState(kind=kind, target_id=target_id, target_label=label or (runs[0].target_label if runs else ""))
    return _walk(state, [(run, run.status) for run in runs])


def target_backup_states(kind: str) -> dict[int, BackupState]:
    """target_backup_state for every configured target of a kind that has runs."""
    targets = Run.objects.filter(kind=kind).order_by().values_list("target_id", flat=True).distinct()
    return {target_id: target_backup_state(kind, target_id) for target_id in targets if target_exists(kind, target_id)}


def all_target_states() -> list[BackupState]:
    """Every configured backup target with runs (admins' dashboard), never-copied and failing ones first."""
    states = [state for name in backup_kind_names() for state in target_backup_states(name).values()]
    return sorted(states, key=lambda s: (not s.never and not s.failing, s.kind, s.target_label))
