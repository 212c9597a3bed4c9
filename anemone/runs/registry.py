"""Which run kinds exist and how a schedule starts each of them.

Each app registers its kinds in AppConfig.ready(): ``register("cloud", services.request_sync)``.
The starter takes (target_id, trigger) and returns the Run it queued (or raises RunActive).
``backup=True`` marks the kinds whose successful runs copy people's files somewhere else: only
those count as a "backup" on dashboards (a purge, a restore or a preview never does).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class RunKind:
    name: str
    start: Callable[..., Any]
    label: str
    load: Callable[[int], Any] | None = None  # target_id -> object with ScheduleFields and `enabled`
    targets: Callable[[], Any] | None = None  # () -> iterable of those objects (for re-syncing all)
    backup: bool = False  # a successful run copies people's files off this server (dry runs excepted)


_KINDS: dict[str, RunKind] = {}


def register(name: str, start: Callable[..., Any], *, label: str, load: Callable[[int], Any] | None = None,
             targets: Callable[[], Any] | None = None, backup: bool = False) -> None:
    _KINDS[name] = RunKind(name=name, start=start, label=label, load=load, targets=targets, backup=backup)


def get(name: str) -> RunKind:
    return _KINDS[name]


def all_kinds() -> list[RunKind]:
    return list(_KINDS.values())


def backup_kinds() -> list[RunKind]:
    """The kinds whose runs are backups (cloud sync, P2P backup, USB backup)."""
    return [kind for kind in _KINDS.values() if kind.backup]
