"""Schedules: next firing in the server's time zone, mirrored idempotently into django-q2."""

from __future__ import annotations

from datetime import datetime, time
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from django_q.models import Schedule

from anemone.runs import schedules
from anemone.runs.models import ScheduleKind

PARIS = ZoneInfo("Europe/Paris")


def fields(kind, **values):
    base = {"schedule_kind": kind, "schedule_interval_minutes": 60, "schedule_time": time(2, 30),
            "schedule_weekday": 0, "schedule_monthday": 1}
    base.update(values)
    return SimpleNamespace(**base)


def at(*args):
    return datetime(*args, tzinfo=PARIS)


@pytest.fixture
def paris(settings):
    settings.TIME_ZONE = "Europe/Paris"
    with timezone.override(PARIS):
        yield


def test_it_fires_daily_at_the_local_time_across_daylight_saving(paris):
    # 2026-10-25 is the autumn change in Paris: 02:30 local must stay 02:30 local.
    nxt = schedules.next_run(fields(ScheduleKind.DAILY), after=at(2026, 10, 24, 12, 0))
    assert nxt == at(2026, 10, 25, 2, 30)
    after_change = schedules.next_run(fields(ScheduleKind.DAILY), after=nxt)
    assert timezone.localtime(after_change, PARIS).hour == 2
    assert timezone.localtime(after_change, PARIS).day == 26


def test_it_fires_later_today_when_the_time_has_not_passed(paris):
    assert schedules.next_run(fields(ScheduleKind.DAILY), after=at(2026, 11, 24, 1, 0)) == at(2026, 11, 24, 2, 30)


def test_it_fires_weekly_on_the_chosen_day(paris):
    # 2026-11-24 is a Tuesday; Sunday = 6.
    nxt = schedules.next_run(fields(ScheduleKind.WEEKLY, schedule_weekday=6), after=at(2026, 11, 24, 12, 0))
    assert nxt == at(2026, 11, 29, 2, 30)


def test_it_fires_monthly_and_rolls_over_the_year(paris):
    nxt = schedules.next_run(fields(ScheduleKind.MONTHLY, schedule_monthday=15), after=at(2026, 12, 20, 0, 0))
    assert nxt == at(2027, 1, 15, 2, 30)


def test_it_fires_every_n_minutes():
    now = timezone.now()
    assert (schedules.next_run(fields(ScheduleKind.INTERVAL, schedule_interval_minutes=15), after=now) - now).seconds == 900


def test_it_never_fires_a_manual_target():
    assert schedules.next_run(fields(ScheduleKind.OFF)) is None


@pytest.mark.django_db
def test_it_mirrors_a_schedule_once_and_removes_it_when_disabled():
    target = fields(ScheduleKind.DAILY)
    schedules.sync_schedule("cloud", 5, target)
    schedules.sync_schedule("cloud", 5, target)
    assert Schedule.objects.filter(name="cloud:5").count() == 1
    row = Schedule.objects.get(name="cloud:5")
    assert row.func == "anemone.runs.tasks.scheduled_run"
    assert row.args == "('cloud', 5)"
    schedules.sync_schedule("cloud", 5, target, enabled=False)
    assert not Schedule.objects.filter(name="cloud:5").exists()


@pytest.mark.django_db
def test_it_declares_system_jobs_idempotently():
    from django.core.management import call_command

    call_command("ensure_schedules")
    call_command("ensure_schedules")
    names = set(Schedule.objects.values_list("name", flat=True))
    assert {"system:reap-runs", "system:trash-purge"} <= names
    assert Schedule.objects.filter(name="system:trash-purge").count() == 1


@pytest.mark.parametrize("start", ["2026-03-28 01:30", "2026-10-24 02:30"], ids=["spring", "autumn"])
def test_django_q2_keeps_a_daily_schedule_at_local_time_across_daylight_saving(settings, monkeypatch, start):
    """Why a firing schedule is not re-synced (anemone.runs.tasks.scheduled_run): django-q2 does it itself."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from django_q.conf import Conf
    from django_q.models import Schedule as QSchedule

    settings.TIME_ZONE = "Europe/Paris"
    monkeypatch.setattr(Conf, "TIME_ZONE", "Europe/Paris")  # read from settings when django-q2 is imported
    paris = ZoneInfo("Europe/Paris")
    first = datetime.strptime(start, "%Y-%m-%d %H:%M").replace(tzinfo=paris)
    schedule, when = QSchedule(schedule_type=QSchedule.DAILY, next_run=first), first
    for _ in range(3):
        when = schedule.calculate_next_run(when)
        assert when.astimezone(paris).strftime("%H:%M") == first.strftime("%H:%M")
