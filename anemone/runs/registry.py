"""Which run kinds exist and how a schedule starts each of them.

Each app registers its kinds in AppConfig.ready(): ``register("cloud", services.request_sync)``.
The starter takes (target_id, trigger) and returns the Run it queued (or raises RunActive).
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


_KINDS: dict[str, RunKind] = {}


def register(name: str, start: Callable[..., Any], *, label: str,
             load: Callable[[int], Any] | None = None, targets: Callable[[], Any] | None = None) -> None:
    _KINDS[name] = RunKind(name=name, start=start, label=label, load=load, targets=targets)


def get(name: str) -> RunKind:
    return _KINDS[name]


def all_kinds() -> list[RunKind]:
    return list(_KINDS.values())
