"""Starting drills: the API's drill/ (202, 409 beside a backup), the page's button, `manage.py drill --wait`
with its exit codes, and the hourly job that starts only the drills that are due."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from anemone.drills import jobs
from anemone.drills import services as drills
from anemone.runs import registry
from anemone.runs import services as runs
from anemone.runs.models import Run, RunStatus
from anemone.runs.services import request as request_run
from tests.conftest import PASSWORD
from tests.p2p.test_drill import flip_byte_in_data_pack
from tests.usbbackup.test_backup import make_job
from tests.usbbackup.test_drill import people  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def job(people, usb_drive):  # type: ignore[no-untyped-def]  # noqa: F811
    alice, bob = people
    made = make_job(usb_drive, [alice, bob])
    assert request_run("usb", made, inline=True).status == RunStatus.SUCCEEDED
    return made


def admin():  # type: ignore[no-untyped-def]
    from anemone.accounts.models import User

    return User.objects.get(username="admin")


def test_the_api_starts_a_drill_and_refuses_one_beside_a_backup(job, api):
    client = api(admin())
    answer = client.post(f"/api/v1/usb/backups/{job.pk}/drill/")
    assert answer.status_code == 202, answer.content
    assert answer.json()["kind"] == "usb-drill" and answer.json()["target_id"] == job.pk
    again = client.post(f"/api/v1/usb/backups/{job.pk}/drill/")
    assert again.status_code == 409 and again.json()["run"] == answer.json()["id"]
    Run.objects.filter(pk=answer.json()["id"]).delete()
    backup = runs.start("usb", job.pk, label=job.name)  # a backup queued: the drill shares its lock
    busy = client.post(f"/api/v1/usb/backups/{job.pk}/drill/")
    assert busy.status_code == 409 and busy.json()["run"] == backup.pk
    assert APIClient().post(f"/api/v1/usb/backups/{job.pk}/drill/").status_code in (401, 403)  # anonymous


def test_a_person_cannot_start_a_drill(job, api):
    from anemone.accounts.models import User

    answer = api(User.objects.get(username="alice")).post(f"/api/v1/usb/backups/{job.pk}/drill/")
    assert answer.status_code in (403, 404)
    assert not Run.objects.filter(kind="usb-drill").exists()


def test_the_page_button_starts_a_drill_and_shows_its_result(job):
    browser = Client()
    assert browser.login(username="admin", password=PASSWORD)
    page = browser.get(f"/usb/{job.pk}/")
    assert b'id="drill-now"' in page.content and b"No drill yet" in page.content
    answer = browser.post(f"/usb/{job.pk}/drill/")
    assert answer.status_code == 302
    run = Run.objects.get(kind="usb-drill", target_id=job.pk)
    runs.execute(run.pk)
    page = browser.get(f"/usb/{job.pk}/")
    assert "Restore drill passed" in page.content.decode()


def test_the_command_waits_and_exits_with_the_result(job, usb_drive):
    out = io.StringIO()
    call_command("drill", "usb", job.name, "--wait", stdout=out, stderr=io.StringIO())
    assert out.getvalue().startswith("succeeded: Restore drill passed")
    flip_byte_in_data_pack(usb_drive / "anemone-backup" / "repo")
    with pytest.raises(CommandError) as failed:
        call_command("drill_now", "--kind", "usb", "--target", job.name, "--wait", stdout=io.StringIO(),
                     stderr=io.StringIO())
    assert failed.value.returncode == 1 and "failed for 1 of 2 people" in str(failed.value)
    with pytest.raises(CommandError, match="no usb target named"):
        call_command("drill", "usb", "nope")


def test_the_hourly_job_starts_only_due_drills_away_from_backups(job, monkeypatch):
    kind = drills.drill_kind("usb")
    hour = drills.slot_hour(kind, job.pk)
    at_slot = timezone.localtime().replace(hour=hour, minute=5, second=0, microsecond=0)
    monkeypatch.setattr(timezone, "now", lambda: at_slot)
    assert drills.is_due(kind, job, at_slot)
    assert not drills.is_due(kind, job, at_slot + timedelta(hours=1))  # not its hour
    job.schedule_kind, job.schedule_time = "daily", (at_slot + timedelta(minutes=60)).time()
    job.save()
    assert not drills.is_due(kind, job, at_slot)  # the backup is less than 2 h away
    job.schedule_kind = "off"
    job.save()
    assert jobs.start_due_drills() == 1
    run = Run.objects.get(kind="usb-drill", target_id=job.pk)
    assert run.trigger == "schedule"
    runs.execute(run.pk)
    Run.objects.filter(pk=run.pk).update(finished_at=at_slot)  # the clock of this test, whatever the hour now
    assert jobs.start_due_drills() == 0  # drilled a moment ago: due again in a week
    later = at_slot + timedelta(days=7, hours=1)
    assert drills.is_due(kind, job, later + timedelta(hours=23))  # its hour
    assert not drills.is_due(kind, job, later)
    assert drills.is_due(kind, job, at_slot + timedelta(days=8, hours=3))  # a day late: any hour


def test_no_drill_before_a_first_good_copy(people, usb_drive):  # noqa: F811
    alice, _bob = people
    fresh = make_job(usb_drive, [alice], name="fresh")
    kind = drills.drill_kind("usb")
    at_slot = timezone.localtime().replace(hour=drills.slot_hour(kind, fresh.pk))
    assert not drills.is_due(kind, fresh, at_slot)
    assert registry.get("usb-drill").drill and kind in registry.drill_kinds()


def test_a_person_sees_only_their_own_drill_item_and_each_reader_their_language(job, usb_drive, api):
    from anemone.accounts.models import User

    flip_byte_in_data_pack(usb_drive / "anemone-backup" / "repo")
    run = drills.request_drill("usb", job, inline=True)
    assert run.status == RunStatus.FAILED
    bob = api(User.objects.get(username="bob")).get(f"/api/v1/runs/{run.pk}/").json()
    assert [i["username"] for i in bob["items"]] == ["bob"] and bob["items"][0]["stats"]["mismatched"] == 0
    assert "alice" not in bob["message"] and "sea.jpg" not in str(bob)  # nothing of alice's
    alice = api(User.objects.get(username="alice")).get(f"/api/v1/runs/{run.pk}/", HTTP_ACCEPT_LANGUAGE="fr").json()
    assert "ont échoué à l’exercice" in alice["items"][0]["message"], alice["items"][0]["message"]  # French
    english = api(admin()).get(f"/api/v1/runs/{run.pk}/", HTTP_ACCEPT_LANGUAGE="en").json()
    assert english["message"].startswith("Restore drill failed for 1 of 2 people.")
    assert english["items"][0]["stats"].keys() >= {"checked", "mismatched", "missing", "bytes", "mode"}


def test_a_backup_starting_during_a_drill_makes_its_findings_no_verdict(job, usb_drive, monkeypatch):
    """A prune of the backup could remove packs under the drill's feet: a failure seen then is not damage."""
    kind = drills.drill_kind("usb")
    real_fetch = type(kind).fetch
    flip_byte_in_data_pack(usb_drive / "anemone-backup" / "repo")

    def fetch_while_a_backup_starts(self, target, person, copy, files, into):  # type: ignore[no-untyped-def]
        runs.start("usb", target.pk, label=target.name)  # the schedule fires in the middle of the drill
        return real_fetch(self, target, person, copy, files, into)

    monkeypatch.setattr(type(kind), "fetch", fetch_while_a_backup_starts)
    run = drills.request_drill("usb", job, inline=True)
    assert run.status == RunStatus.SKIPPED and run.message_code == "drills.backup_started", run.message
    assert not any("Repaired" in item.message for item in run.items.all())  # nothing repaired on a guess
