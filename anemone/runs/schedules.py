"""Target schedules → django-q2 Schedule rows, idempotently.

A target's schedule fields (ScheduleFields) are the truth; ``sync_schedule`` makes exactly one
django-q2 Schedule named ``<kind>:<target id>`` match them, or removes it. Each firing calls
``anemone.runs.tasks.scheduled_run``; django-q2 then computes the next firing, keeping the local time across
daylight-saving changes (it corrects its UTC arithmetic for DST since 1.5; measured with 1.11).
"""

from __future__ import annotations

import calendar
from datetime import datetime, time, timedelta
from typing import Any

from django.utils import timezone
from django_q.models import Schedule

from anemone.runs import messages
from anemone.runs.models import ScheduleFields, ScheduleKind

TASK = "anemone.runs.tasks.scheduled_run"
_Q_TYPES = {
    ScheduleKind.INTERVAL: Schedule.MINUTES,
    ScheduleKind.DAILY: Schedule.DAILY,
    ScheduleKind.WEEKLY: Schedule.WEEKLY,
    ScheduleKind.MONTHLY: Schedule.MONTHLY,
}


def schedule_name(kind: str, target_id: int) -> str:
    return f"{kind}:{target_id}"


def next_run(fields: ScheduleFields, after: datetime | None = None) -> datetime | None:
    """The next firing strictly after `after` (default now), in the server's time zone."""
    after = timezone.localtime(after or timezone.now())
    kind = fields.schedule_kind
    if kind == ScheduleKind.OFF:
        return None
    if kind == ScheduleKind.INTERVAL:
        return after + timedelta(minutes=max(1, fields.schedule_interval_minutes))
    at = fields.schedule_time or time(2, 0)
    tz = timezone.get_current_timezone()

    def local(day: datetime) -> datetime:
        return timezone.make_aware(datetime.combine(day.date(), at), tz)

    if kind == ScheduleKind.DAILY:
        candidate = local(after)
        return candidate if candidate > after else local(after + timedelta(days=1))
    if kind == ScheduleKind.WEEKLY:
        for offset in range(8):
            day = after + timedelta(days=offset)
            if day.weekday() == fields.schedule_weekday and local(day) > after:
                return local(day)
    if kind == ScheduleKind.MONTHLY:
        year, month = after.year, after.month
        for _ in range(2):
            monthday = min(fields.schedule_monthday, calendar.monthrange(year, month)[1])
            candidate = timezone.make_aware(datetime(year, month, monthday, at.hour, at.minute), tz)
            if candidate > after:
                return candidate
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    raise ValueError(f"unknown schedule kind {kind!r}")


def overdue_threshold(fields: ScheduleFields) -> timedelta | None:
    """How long a target may go without a good copy before it is late (None: manual only, never late).

    Two of its scheduled intervals — one missed firing is not yet a problem (the NAS was off that night, the
    drive was out), two are — except that a daily schedule is late after 26 h: a household expects last
    night's copy by this evening, and 2 h of slack absorbs a long run or a clock change.
    """
    kind = fields.schedule_kind
    if kind == ScheduleKind.INTERVAL:
        return timedelta(minutes=2 * max(1, fields.schedule_interval_minutes))
    if kind == ScheduleKind.DAILY:
        return timedelta(hours=26)
    if kind == ScheduleKind.WEEKLY:
        return timedelta(days=14)
    if kind == ScheduleKind.MONTHLY:
        return timedelta(days=62)
    return None


def describe_message(fields: ScheduleFields) -> dict[str, Any]:
    """The schedule as a message (code + params), for what is stored and read later in another language."""
    kind = fields.schedule_kind
    at = (fields.schedule_time or time(2, 0)).strftime("%H:%M")
    if kind == ScheduleKind.INTERVAL:
        return messages.msg("runs.schedule_interval", minutes=fields.schedule_interval_minutes)
    if kind == ScheduleKind.DAILY:
        return messages.msg("runs.schedule_daily", time=at)
    if kind == ScheduleKind.WEEKLY:
        return messages.msg("runs.schedule_weekly", day=messages.msg("runs.weekday", day=fields.schedule_weekday),
                            time=at)
    if kind == ScheduleKind.MONTHLY:
        return messages.msg("runs.schedule_monthly", day=fields.schedule_monthday, time=at)
    return messages.msg("runs.schedule_manual")


def describe(fields: ScheduleFields) -> str:
    """A short human description in the active language, e.g. 'daily at 02:00'."""
    said = describe_message(fields)
    return messages.render(said["code"], said["params"])


def sync_schedule(kind: str, target_id: int, fields: ScheduleFields | None, *, enabled: bool = True) -> Schedule | None:
    """Create, update or delete the django-q2 Schedule of one target. Safe to call any number of times."""
    name = schedule_name(kind, target_id)
    when = next_run(fields) if fields is not None and enabled else None
    if when is None:
        Schedule.objects.filter(name=name).delete()
        return None
    values = {
        "func": TASK,
        "args": repr((kind, target_id)),
        "schedule_type": _Q_TYPES[ScheduleKind(fields.schedule_kind)],  # type: ignore[union-attr]
        "minutes": fields.schedule_interval_minutes if fields.schedule_kind == ScheduleKind.INTERVAL else None,  # type: ignore[union-attr]
        "next_run": when,
        "repeats": -1,
    }
    schedule, _created = Schedule.objects.update_or_create(name=name, defaults=values)
    return schedule


def ensure_system_schedule(name: str, func: str, minutes: int) -> Schedule:
    """A recurring job declared in code (trash purge, reaper), scheduled idempotently."""
    schedule, created = Schedule.objects.get_or_create(
        name=name,
        defaults={"func": func, "schedule_type": Schedule.MINUTES, "minutes": minutes, "repeats": -1,
                  "next_run": timezone.now() + timedelta(minutes=1)},
    )
    if not created and (schedule.func != func or schedule.minutes != minutes):
        schedule.func, schedule.minutes, schedule.schedule_type = func, minutes, Schedule.MINUTES
        schedule.save()
    return schedule
