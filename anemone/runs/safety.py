""""How safe are my files": per destination carrying a person, their newest good copy, the failures since, the
last restore drill's result, a state (green / late / failing) and a 3-2-1 badge in plain words.

The figures come from anemone.runs.history (honest: only a run item of theirs that succeeded, never a preview)
and from drill runs: kind ``"<backup kind>-drill"`` with ``Run.target_id`` = the target, one RunItem per person
whose stats carry ``checked``, ``mismatched`` and ``missing``. The rules are documented in docs/dashboards.md.

Query count: a constant number of queries per target (loading it, whom it carries, its drills), none per run
or per person, so a dashboard stays as fast with 30 runs as with 3.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from anemone.runs import history, registry, schedules
from anemone.runs.models import ACTIVE_STATUSES, Run, RunItem, RunStatus

GREEN, LATE, FAILING = "green", "late", "failing"
STATE_LABELS = {GREEN: gettext_lazy("up to date"), LATE: gettext_lazy("late"), FAILING: gettext_lazy("failing")}

# Where each backup kind keeps its copy. A kind may say so itself (a ``storage`` class attribute); any other
# kind counts as a copy on this server's own disks, which is never off-site.
DISK, CLOUD, PEER, USB = "disk", "cloud", "peer", "usb"
STORAGE_BY_KIND = {"cloud": CLOUD, "p2p": PEER, "usb": USB}
OFF_SITE = frozenset({CLOUD, PEER})
STORAGE_LABELS = {DISK: gettext_lazy("this server's disk"), CLOUD: gettext_lazy("cloud"), PEER: gettext_lazy("peer"),
                  USB: gettext_lazy("USB drive")}


def storage_of(kind: str) -> str:
    try:
        declared = getattr(registry.get(kind), "storage", None)
    except KeyError:
        declared = None
    return declared or STORAGE_BY_KIND.get(kind, DISK)


def drill_kind(kind: str) -> str:
    return f"{kind}-drill"


def overdue_threshold(target: Any) -> timedelta | None:
    """How old the newest good copy may get before the target is late (None: manual or removed, never late)."""
    return schedules.overdue_threshold(target) if target is not None else None


@dataclass
class DrillResult:
    """A restore drill's outcome for one person (or a whole target, for admins)."""

    run: Run
    status: str
    checked: int = 0
    mismatched: int = 0
    missing: int = 0

    @property
    def at(self) -> datetime:
        return self.run.finished_at or self.run.queued_at

    @property
    def ok(self) -> bool:
        return self.status == RunStatus.SUCCEEDED and not self.mismatched and not self.missing

    @property
    def failed(self) -> bool:
        return not self.ok and self.status != RunStatus.SKIPPED


@dataclass
class DestinationSafety:
    """One destination carrying a person: their newest good copy, failures since, last drill, state."""

    backup: history.BackupState
    storage: str
    threshold: timedelta | None
    drill: DrillResult | None = None
    state: str = field(default=GREEN)

    @property
    def kind(self) -> str:
        return self.backup.kind

    @property
    def target_id(self) -> int:
        return self.backup.target_id

    @property
    def label(self) -> str:
        return self.backup.target_label

    @property
    def age(self) -> timedelta | None:
        good = self.backup.last_good_at
        return timezone.now() - good if good else None

    @property
    def state_label(self) -> str:
        return str(STATE_LABELS[self.state])

    @property
    def storage_label(self) -> str:
        return str(STORAGE_LABELS.get(self.storage, self.storage))


def state_of(backup: history.BackupState, threshold: timedelta | None, drill: DrillResult | None) -> str:
    """failing: runs failed since the newest good copy, or the last drill failed; late: no good copy, or one older
    than the overdue threshold; green otherwise (a manual target with a good copy is never late)."""
    if backup.failing or (drill is not None and drill.failed):
        return FAILING
    if backup.last_good_at is None:
        return LATE
    if threshold is not None and timezone.now() - backup.last_good_at > threshold:
        return LATE
    return GREEN


def _result(run: Run, item: RunItem | None) -> DrillResult:
    if item is None:
        return DrillResult(run=run, status=run.status)
    stats = item.stats or {}
    return DrillResult(run=run, status=item.status, checked=int(stats.get("checked", 0)),
                       mismatched=int(stats.get("mismatched", 0)), missing=int(stats.get("missing", 0)))


def _finished_drills(keys: list[tuple[str, int]]) -> list[Run]:
    """Finished drill runs of these targets, newest first (one query, bounded)."""
    kinds = sorted({drill_kind(kind) for kind, _target in keys})
    if not kinds:
        return []
    return list(Run.objects.filter(kind__in=kinds, target_id__in={target for _kind, target in keys})
                .exclude(status__in=ACTIVE_STATUSES).annotate(n_items=Count("items"))
                .order_by("-queued_at", "-id")[:history.HISTORY_LIMIT])


def person_drills(person: Any, keys: list[tuple[str, int]]) -> dict[tuple[str, int], DrillResult]:
    """Per target, the newest drill that reached this person (their item) or failed before reaching anybody."""
    runs = _finished_drills(keys)
    items = {item.run_id: item for item in RunItem.objects.filter(user=person, run__in=[r.pk for r in runs])}
    found: dict[tuple[str, int], DrillResult] = {}
    for run in runs:
        key = (run.kind.removesuffix("-drill"), run.target_id)
        if key in found or key not in keys:
            continue
        item = items.get(run.pk)
        if item is not None or (run.n_items == 0 and run.status != RunStatus.SKIPPED):  # type: ignore[attr-defined]
            found[key] = _result(run, item)
    return found


def target_drills(keys: list[tuple[str, int]]) -> dict[tuple[str, int], DrillResult]:
    """Per target, its newest finished drill over everyone: failed when it failed or any file mismatched."""
    runs = [run for run in _finished_drills(keys) if run.status != RunStatus.SKIPPED]
    newest: dict[tuple[str, int], Run] = {}
    for run in runs:
        newest.setdefault((run.kind.removesuffix("-drill"), run.target_id), run)
    items: dict[int, list[RunItem]] = {}
    for item in RunItem.objects.filter(run__in=[run.pk for run in newest.values()]):
        items.setdefault(item.run_id, []).append(item)
    found = {}
    for key, run in newest.items():
        result = DrillResult(run=run, status=run.status)
        for item in items.get(run.pk, []):
            one = _result(run, item)
            result.checked += one.checked
            result.mismatched += one.mismatched
            result.missing += one.missing
        found[key] = result
    return found


def configured_targets() -> dict[tuple[str, int], Any]:
    """Every configured target of every backup kind, by (kind, target id): one query per kind."""
    found = {}
    for kind in registry.backup_kinds():
        if kind.target_model is not None:
            for target in kind.target_model._default_manager.all():
                found[(kind.name, target.pk)] = target
    return found


def carrying_targets(person: Any) -> dict[tuple[str, int], Any]:
    """Every configured backup target that carries this person, by (kind, target id)."""
    return {key: target for key, target in configured_targets().items()
            if target.carries(person)}


def person_safety(person: Any) -> list[DestinationSafety]:
    """For each destination carrying the person: newest good copy, failures since, last drill, state."""
    targets = carrying_targets(person)
    states = {(s.kind, s.target_id): s for s in history.person_backup_states(person)}
    drills = person_drills(person, list(targets))
    found = []
    for key, target in targets.items():
        backup = states.get(key) or history.BackupState(kind=key[0], target_id=key[1],
                                                        target_label=registry.get(key[0]).label_for(target))
        threshold = overdue_threshold(target)
        drill = drills.get(key)
        found.append(DestinationSafety(backup=backup, storage=storage_of(key[0]), threshold=threshold, drill=drill,
                                       state=state_of(backup, threshold, drill)))
    return sorted(found, key=lambda s: ([FAILING, LATE, GREEN].index(s.state), s.kind, s.label))


def target_safety(states: list[history.BackupState]) -> list[DestinationSafety]:
    """The admins' view: each configured target's last good copy for everyone against its schedule, and its last
    drill — targets that never ran too (a new destination nobody started is late, not invisible)."""
    targets = configured_targets()
    known = {(s.kind, s.target_id) for s in states}
    states = states + [history.BackupState(kind=kind, target_id=pk, target_label=registry.get(kind).label_for(target))
                       for (kind, pk), target in targets.items() if (kind, pk) not in known]
    drills = target_drills([(s.kind, s.target_id) for s in states])
    found = []
    for backup in states:
        threshold = overdue_threshold(targets.get((backup.kind, backup.target_id)))
        drill = drills.get((backup.kind, backup.target_id))
        found.append(DestinationSafety(backup=backup, storage=storage_of(backup.kind), threshold=threshold, drill=drill,
                                       state=state_of(backup, threshold, drill)))
    return sorted(found, key=lambda s: ([FAILING, LATE, GREEN].index(s.state), s.kind, s.label))


def short_age(age: timedelta) -> str:
    """"6 h", "25 min", "3 days": how old a copy is, short enough for a badge."""
    minutes = max(0, int(age.total_seconds() // 60))
    if minutes < 60:
        return ngettext("%(n)d min", "%(n)d min", minutes) % {"n": minutes}
    hours = minutes // 60
    if hours < 48:
        return ngettext("%(n)d h", "%(n)d h", hours) % {"n": hours}
    days = hours // 24
    return ngettext("%(n)d day", "%(n)d days", days) % {"n": days}


@dataclass
class Badge:
    """The 3-2-1 figures: copies (the original + each destination with a good copy), distinct storage kinds,
    off-site copies (cloud and peer), and the newest good copy."""

    copies: int
    kinds: int
    off_site: int
    newest: datetime | None

    @property
    def words(self) -> str:
        parts = {"copies": ngettext("%(n)d copy", "%(n)d copies", self.copies) % {"n": self.copies},
                 "kinds": ngettext("%(n)d kind", "%(n)d kinds", self.kinds) % {"n": self.kinds},
                 "offsite": ngettext("%(n)d off-site", "%(n)d off-site", self.off_site) % {"n": self.off_site}}
        if self.newest is None:
            return _("%(copies)s, %(kinds)s, %(offsite)s — no backup yet") % parts
        return _("%(copies)s, %(kinds)s, %(offsite)s — newest %(age)s ago") % {
            **parts, "age": short_age(timezone.now() - self.newest)}

    @property
    def meets_321(self) -> bool:
        return self.copies >= 3 and self.kinds >= 2 and self.off_site >= 1

    def as_dict(self) -> dict[str, object]:
        return {"copies": self.copies, "kinds": self.kinds, "off_site": self.off_site, "newest_at": self.newest,
                "meets_321": self.meets_321, "words": self.words}


def badge(safety: list[DestinationSafety]) -> Badge:
    good = [s for s in safety if s.backup.last_good_at is not None]
    storages = {DISK} | {s.storage for s in good}
    newest = max((s.backup.last_good_at for s in good if s.backup.last_good_at), default=None)
    return Badge(copies=1 + len(good), kinds=len(storages), off_site=sum(1 for s in good if s.storage in OFF_SITE),
                 newest=newest)
