"""The dashboards' pictures, built from rows already in the database (anemone.charts draws them).

Admins: every target's newest good copy against its overdue threshold, 30 days of bytes and durations per
target, each person's usage against their quota (the counters on User, never a walk of the files), and the
charts apps register (peers: reciprocity). A person: their usage and, per destination carrying them, their
own run items only — another person's name, files or figures never reach their page.

Each builder runs a fixed number of queries, whatever the number of runs and people.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Count, Q
from django.template.defaultfilters import filesizeformat
from django.utils import formats, timezone
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from anemone import charts
from anemone.runs import history, safety
from anemone.runs.models import ACTIVE_STATUSES, Run, RunItem, RunStatus

DAYS = 30
STATUS_CSS: dict[str, str] = {RunStatus.SUCCEEDED: "ok", RunStatus.PARTIAL: "warn", RunStatus.SKIPPED: "muted"}
STATE_CSS = {safety.GREEN: "ok", safety.LATE: "warn", safety.FAILING: "bad"}


@dataclass
class Chart:
    """A titled picture for a dashboard (what apps register too: rows for ``charts.hbars``)."""

    title: str
    svg: SafeString
    note: str = ""


@dataclass
class TargetHistory:
    label: str
    charts: list[Chart] = field(default_factory=list)


AdminChartProvider = Callable[[], "Chart | None"]
_admin_charts: list[AdminChartProvider] = []


def register_admin_chart(provider: AdminChartProvider) -> None:
    """Called from an app's AppConfig.ready() (peers: reciprocity); core never imports the app."""
    if provider not in _admin_charts:
        _admin_charts.append(provider)


def app_charts() -> list[Chart]:
    return [chart for chart in (provider() for provider in _admin_charts) if chart is not None]


def size(value: float) -> str:
    return str(filesizeformat(int(value)))


def hours(value: float) -> str:
    return safety.short_age(timedelta(hours=value))


def duration(seconds: float) -> str:
    if seconds < 60:  # tenths below 10 s, so a 1-second axis does not read "0 s, 0 s, 1 s"
        return _("%(n)s s") % {"n": formats.number_format(seconds, 1 if seconds < 10 else 0)}
    return safety.short_age(timedelta(seconds=seconds))


def window(start: datetime, end: datetime, moments: list[datetime]) -> datetime:
    """Where a timeline's axis starts: 30 days back, or a little before the first run when history is shorter
    (a week-old server's runs would otherwise crowd the right edge)."""
    if not moments:
        return start
    first = min(moments)
    return max(start, first - max((end - first) * 0.1, timedelta(minutes=1)))


def _when(run: Run) -> str:
    return formats.date_format(timezone.localtime(run.finished_at or run.queued_at), "SHORT_DATETIME_FORMAT")


def schedule_chart(states: list[safety.DestinationSafety]) -> SafeString:
    """Each target's newest good copy (hours ago) against its overdue threshold (the tick)."""
    rows = []
    for state in states:
        age = state.age
        value = age.total_seconds() / 3600 if age else 0
        limit = state.threshold.total_seconds() / 3600 if state.threshold else None
        said = (_("last good copy %(age)s ago") % {"age": safety.short_age(age)}) if age else _("never copied")
        if limit is not None:
            said += " · " + _("late after %(age)s") % {"age": hours(limit)}
        label = f"{state.backup.kind_label} · {state.label}"
        rows.append(charts.Row(label=label, value=value, limit=limit, css=STATE_CSS[state.state],
                               tooltip=f"{label}: {said} · {state.state_label}"))
    return charts.hbars(rows, title=_("Newest good copy against the schedule"),
                        axis_label=_("hours since the newest good copy"), fmt=hours)


def _backup_runs_since(start: Any) -> list[Run]:
    return [run for run in Run.objects.filter(kind__in=history.backup_kind_names(), queued_at__gte=start)
            .exclude(status__in=ACTIVE_STATUSES).order_by("queued_at", "id") if not run.is_dry_run]


def target_histories(states: list[safety.DestinationSafety]) -> list[TargetHistory]:
    """30 days of bytes and durations per target, one bar and one dot per run (one query for all targets)."""
    end = timezone.now()
    start = end - timedelta(days=DAYS)
    by_target: dict[tuple[str, int], list[Run]] = {}
    for run in _backup_runs_since(start):
        by_target.setdefault((run.kind, run.target_id), []).append(run)
    found = []
    for state in states:
        runs = by_target.get((state.kind, state.target_id), [])
        if not runs:
            continue
        label = f"{state.backup.kind_label} · {state.label}"
        tips = {run.pk: f"{_when(run)} · {run.get_status_display()} · {size(run.bytes_done)}"
                        f" · {duration(run.duration_seconds or 0)}" for run in runs}
        x_label = _("runs of the last %(n)d days") % {"n": DAYS}
        axis_start = window(start, end, [run.finished_at or run.queued_at for run in runs])
        found.append(TargetHistory(label=label, charts=[
            Chart(_("Bytes per run"), charts.timeline(
                [charts.Point(run.finished_at or run.queued_at, run.bytes_done, STATUS_CSS.get(run.status, "bad"),
                              tips[run.pk]) for run in runs],
                title=_("Bytes per run: %(target)s") % {"target": label}, y_label=_("bytes"), fmt=size, start=axis_start, end=end, x_label=x_label)),
            Chart(_("Duration per run"), charts.timeline(
                [charts.Point(run.finished_at or run.queued_at, run.duration_seconds or 0,
                              STATUS_CSS.get(run.status, "bad"), tips[run.pk]) for run in runs],
                title=_("Duration per run: %(target)s") % {"target": label}, y_label=_("duration"), fmt=duration,
                dots=True, start=axis_start, end=end, x_label=x_label)),
        ]))
    return found


def percent(value: float) -> str:
    return f"{value:.0f} %"


def _quota_row(label: str, used: int, quota: int, *, said: str = "") -> charts.Row:
    """A bar of the share of a quota used (100 % is the tick); without a quota, the bytes alone in the tooltip."""
    if not said:
        said = (_("%(used)s of %(quota)s") % {"used": size(used), "quota": size(quota)}) if quota else \
            _("%(used)s, no quota") % {"used": size(used)}
    share = min(120.0, 100 * used / quota) if quota else 0.0
    return charts.Row(label=label, value=share, limit=100, css=charts_level(used, quota), tooltip=f"{label}: {said}")


def people_usage_chart(people: list[Any]) -> SafeString:
    """Each active person's space used (the counters kept on User, never a walk) as a share of their quota."""
    rows = [_quota_row(person.username, person.usage_total_bytes, person.quota_total_bytes) for person in people]
    return charts.hbars(rows, title=_("Space used against quotas"), axis_label=_("share of the quota used"),
                        fmt=percent)


def charts_level(used: int, quota: int | None) -> str:
    from anemone.files.usage import level

    if not quota:
        return "ok"
    return {"ok": "ok", "warn": "warn", "hot": "warn", "full": "bad"}[level(100 * used / quota)]


def my_usage_chart(person: Any) -> SafeString:
    """The person's backup area and total against their quotas, and their trash (it counts in the total)."""
    total = person.quota_total_bytes
    rows = [_quota_row(_("Backup area"), person.usage_backup_bytes, person.quota_backup_bytes),
            _quota_row(_("Total"), person.usage_total_bytes, total),
            _quota_row(_("Trash"), person.usage_trash_bytes, total, said=size(person.usage_trash_bytes))]
    return charts.hbars(rows, title=_("Your space"), axis_label=_("share of the quota used"), fmt=percent)


def my_histories(person: Any, states: list[safety.DestinationSafety]) -> list[TargetHistory]:
    """Per destination carrying the person, 30 days of their own items: bytes copied per run (one query)."""
    end = timezone.now()
    start = end - timedelta(days=DAYS)
    keys = {(s.kind, s.target_id) for s in states}
    items = (RunItem.objects.filter(user=person, run__kind__in=history.backup_kind_names(), run__queued_at__gte=start)
             .exclude(Q(run__status__in=ACTIVE_STATUSES) | Q(status__in=ACTIVE_STATUSES)).select_related("run")
             .order_by("run__queued_at", "run__id"))
    by_target: dict[tuple[str, int], list[RunItem]] = {}
    for item in items:
        if not item.run.is_dry_run and (item.run.kind, item.run.target_id) in keys:
            by_target.setdefault((item.run.kind, item.run.target_id), []).append(item)
    # A run that failed before it reached anybody (no item at all) failed for everyone it carries: shown too.
    unreached: dict[tuple[str, int], list[Run]] = {}
    for run in (Run.objects.filter(kind__in=history.backup_kind_names(), queued_at__gte=start,
                                   status__in=[RunStatus.FAILED, RunStatus.INTERRUPTED])
                .annotate(n_items=Count("items")).filter(n_items=0)):
        if not run.is_dry_run and (run.kind, run.target_id) in keys:
            unreached.setdefault((run.kind, run.target_id), []).append(run)
    found = []
    for state in states:
        key = (state.kind, state.target_id)
        mine, failed = by_target.get(key, []), unreached.get(key, [])
        if not mine and not failed:
            continue
        label = f"{state.backup.kind_label} · {state.label}"
        points = [charts.Point(item.run.finished_at or item.run.queued_at, item.bytes, STATUS_CSS.get(item.status, "bad"),
                               f"{_when(item.run)} · {item.get_status_display()} · {size(item.bytes)} · "
                               + ngettext("%(n)d file", "%(n)d files", item.files) % {"n": item.files}) for item in mine]
        points += [charts.Point(run.finished_at or run.queued_at, 0, "bad",
                                f"{_when(run)} · {run.get_status_display()} · " + _("nothing was copied"))
                   for run in failed]
        found.append(TargetHistory(label=label, charts=[Chart(_("Your files copied per run"), charts.timeline(
            points, start=window(start, end, [p.at for p in points]), end=end,
            title=_("Your files copied per run: %(target)s") % {"target": label},
            y_label=_("bytes"), x_label=_("runs of the last %(n)d days") % {"n": DAYS}, fmt=size))]))
    return found
