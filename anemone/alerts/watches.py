"""The core watches (anemone.alerts.conditions): backups late against their schedule, the data disk and
people's areas nearly full, disks that report SMART trouble. Kinds and apps add their own (peers: silent or
unreachable peers). Each reads stored state only (run history, usage counters, the disk itself)."""

from __future__ import annotations

import shutil
from datetime import datetime

from django.conf import settings
from django.urls import NoReverseMatch, reverse

from anemone.alerts.conditions import Finding, Watch
from anemone.engines import smart
from anemone.runs import history, registry, schedules
from anemone.runs.messages import joined, msg

AREA_WARN_PERCENT = 90  # the usage bar turns "hot" here too (anemone.files.usage.level)


def _page(name: str, *args: object, fallback: str = "/") -> str:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return fallback


class Overdue(Watch):
    """A target with no good copy for two of its scheduled intervals (26 h for a daily one)."""

    name = "overdue"

    def findings(self, now: datetime) -> list[Finding]:
        found = []
        for kind in registry.backup_kinds():
            if not kind.scheduled:
                continue
            for target in kind.targets():
                threshold = schedules.overdue_threshold(target)
                if threshold is None or not kind.is_schedulable(target):
                    continue
                state = history.target_backup_state(kind.name, target.pk, kind.label_for(target))
                since = state.last_good_at or getattr(target, "created_at", None)
                if since is None or now - since <= threshold:
                    continue
                words = {"target": kind.label_for(target), "kind": msg("runs.kind", name=kind.name),
                         "schedule": schedules.describe_message(target), "hours": int(threshold.total_seconds() // 3600),
                         "last": msg("runs.when", iso=since.isoformat())}
                body = "alerts.overdue_body" if state.last_good_at else "alerts.overdue_never_body"
                found.append(Finding(
                    key=f"{kind.name}:{target.pk}", event="overdue", label=kind.label_for(target), kind=kind.name,
                    target_id=target.pk, title=msg("alerts.overdue_title", **words), body=msg(body, **words),
                    link=kind.page(target.pk) or _page("runs:list"),
                    people=tuple(target.carried_users().values_list("pk", flat=True))))
        return found


class Space(Watch):
    """The data disk below its free-space floor, and people's areas at 90 % of their quota or more."""

    name = "space"

    def findings(self, now: datetime) -> list[Finding]:
        from anemone.accounts.models import User

        found = []
        root = settings.DATA_DIR
        disk = shutil.disk_usage(root)
        percent = round(100 * disk.free / disk.total, 1) if disk.total else 100.0
        if percent < settings.ANEMONE_DISK_WARN_PERCENT:
            words = {"free": msg("runs.size", bytes=disk.free), "total": msg("runs.size", bytes=disk.total),
                     "percent": percent, "path": str(root)}
            found.append(Finding(key="disk", event="disk-full", label=str(root), title=msg("alerts.disk_title", **words),
                                 body=msg("alerts.disk_body", **words), link=_page("users")))
        for person in User.objects.filter(is_active=True):
            for area, used, quota in (("backup", person.usage_backup_bytes, person.quota_backup_bytes),
                                      ("total", person.usage_total_bytes, person.quota_total_bytes)):
                if not quota or 100 * used / quota < AREA_WARN_PERCENT:
                    continue
                words = {"person": person.username, "area": msg(f"alerts.area_{area}"),
                         "used": msg("runs.size", bytes=used), "quota": msg("runs.size", bytes=quota),
                         "percent": round(100 * used / quota)}
                found.append(Finding(key=f"{person.pk}:{area}", event="area-full", label=person.username,
                                     title=msg("alerts.area_title", **words), body=msg("alerts.area_body", **words),
                                     link=_page("user-detail", person.pk), people=(person.pk,),
                                     people_link=_page("files:browse", fallback="/files/")))
        return found


class Smart(Watch):
    """Disks whose own SMART health check, attributes or self-test log say they are failing."""

    name = "smart"

    def findings(self, now: datetime) -> list[Finding]:
        if not smart.available():
            return []
        found = []
        for device, device_type in smart.scan():
            disk = smart.health(device, device_type)
            if disk is None or not disk.in_trouble:
                continue
            words = {"device": device, "model": disk.model or "?", "serial": disk.serial or "?",
                     "problems": joined([msg(f"alerts.smart_{p}") for p in disk.problems])}
            found.append(Finding(key=disk.serial or device, event="smart", label=device,
                                 title=msg("alerts.smart_title", **words), body=msg("alerts.smart_body", **words),
                                 link=_page("site-settings")))
        return found
