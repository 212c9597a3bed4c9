"""The core watches with real state: a real cloud destination whose last good copy gets old (overdue, then
"resolved" after a real sync), the real data disk and usage counters (space), smartctl's own answers (SMART),
and people's own opt-in alerts — in their language, about their own files only — through a real SMTP server."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from anemone.alerts import conditions, jobs
from anemone.alerts.models import AlertChannel, PersonalAlerts, Problem
from anemone.alerts.services import save_channel
from anemone.engines import smart
from anemone.files.usage import recompute_usage
from anemone.runs.models import RunStatus
from cloudbackup import services as cloud
from cloudbackup.models import Destination
from tests.alerts.conftest import sync
from tests.cloudbackup.conftest import put

pytestmark = pytest.mark.django_db


@pytest.fixture
def admins(smtp_server):
    return save_channel(AlertChannel(name="admins", kind="email", emails="admin@example.org", language="en"))


def opt_in(person, language: str = "") -> PersonalAlerts:
    if language:
        person.language = language
        person.save(update_fields=["language"])
    return PersonalAlerts.objects.create(user=person, enabled=True)


def to(smtp_server, address: str) -> list[tuple[str, str]]:
    return [(str(m["Subject"]).strip(), body) for m, body in zip(smtp_server.messages, smtp_server.bodies(), strict=True)
            if m["X-Envelope-To"] == address]


def test_a_daily_backup_with_no_good_copy_for_26_hours_is_late_until_the_next_good_sync(
        offsite, admins, smtp_server, webdav_server, alice):
    cloud.save_destination(offsite, secrets={"password": webdav_server.secret})
    Destination.objects.filter(pk=offsite.pk).update(schedule_kind="daily")
    good = sync(offsite, RunStatus.SUCCEEDED)
    opt_in(alice, "fr")
    assert conditions.check_all(good.finished_at + timedelta(hours=25)) == 0  # last night's copy: on time
    assert conditions.check_all(good.finished_at + timedelta(hours=27)) == 1
    assert conditions.check_all(good.finished_at + timedelta(hours=40)) == 0  # still late: told once
    (admin_title, admin_body), = to(smtp_server, "admin@example.org")
    assert admin_title == "[maison] Backup late: offsite (Cloud sync)"
    assert "daily at 02:00" in admin_body and "(26 h)" in admin_body
    assert f"https://nas.example.org{reverse('cloudbackup:detail', args=[offsite.pk])}" in admin_body
    (alice_title, alice_body), = to(smtp_server, "alice@example.org")
    assert alice_title == "[maison] Sauvegarde en retard : offsite (Synchronisation cloud)"
    assert "chaque jour à 02:00" in alice_body

    sync(offsite, RunStatus.SUCCEEDED)
    assert conditions.check_all() == 1
    assert to(smtp_server, "admin@example.org")[-1][0] == "[maison] Resolved: Backup late: offsite (Cloud sync)"
    assert not Problem.objects.filter(watch="overdue").exists()


def test_a_manual_target_is_never_late(offsite, admins, smtp_server):
    assert conditions.check_all(timezone.now() + timedelta(days=365)) == 0
    assert smtp_server.messages == []


def test_a_full_area_tells_the_admins_and_its_owner_only(admins, smtp_server, alice, bob, settings):
    put(alice, "photos/big.jpg", b"x" * 9_500)
    put(bob, "notes/bob-secret-tax.pdf", b"y" * 100)
    recompute_usage(alice), recompute_usage(bob)
    type(alice).objects.filter(pk=alice.pk).update(quota_backup_bytes=10_000)
    type(bob).objects.filter(pk=bob.pk).update(quota_backup_bytes=10_000)
    opt_in(alice), opt_in(bob)
    assert conditions.check_all() == 1
    (title, body), = to(smtp_server, "alice@example.org")
    assert title == "[maison] Nearly full: alice's backup (95 %)" or title.endswith("Nearly full: alice's backup (95 %)")
    assert "9.3\xa0KB of a 9.8\xa0KB quota" in body
    assert "/users/" not in body and "/files/" in body  # her page, not the admins' user page
    assert to(smtp_server, "bob@example.org") == []
    assert len(to(smtp_server, "admin@example.org")) == 1

    settings.ANEMONE_DISK_WARN_PERCENT = 101  # every disk is "nearly full" by this rule
    assert conditions.check_all() == 1
    assert to(smtp_server, "admin@example.org")[-1][0].endswith("free of " + to(smtp_server, "admin@example.org")[-1][0]
                                                                .rsplit("free of ", 1)[1])
    assert len(to(smtp_server, "alice@example.org")) == 1  # the server's disk is the admins' business


def test_a_failed_run_tells_the_people_it_carried_who_opted_in_with_only_their_own_part(
        offsite, admins, smtp_server, alice, bob):
    put(bob, "notes/bob-secret-tax.pdf", b"y" * 100)
    opt_in(alice, "fr"), opt_in(bob)
    PersonalAlerts.objects.filter(user=bob).update(enabled=False)
    run = sync(offsite, RunStatus.FAILED)
    assert jobs.claim_finished_runs() == 1
    (title, body), = to(smtp_server, "alice@example.org")
    assert title == "[maison] Synchronisation cloud en échec : offsite"
    assert f"/runs/{run.pk}/" in body
    assert "bob-secret-tax" not in body and "bob" not in body.lower()
    assert to(smtp_server, "bob@example.org") == []


def test_people_manage_their_own_alerts_on_their_account_page_and_in_the_api(alice, api, client, smtp_server):
    client.force_login(alice)
    page = client.get(reverse("my-alerts"))
    assert page.status_code == 200 and b"personal-alerts-form" in page.content
    answer = client.post(reverse("my-alerts"), {"enabled": "on", "email": "alice.home@example.net", "test": "1"})
    assert answer.status_code == 302
    (title, body), = to(smtp_server, "alice.home@example.net")
    assert "Test message" in title
    assert b"alice.home@example.net" in client.get(reverse("account")).content

    mine = api(alice)
    assert mine.get("/api/v1/me/alerts/").json()["address"] == "alice.home@example.net"
    assert mine.patch("/api/v1/me/alerts/", {"email": "not-an-address"}, format="json").status_code == 400
    assert mine.patch("/api/v1/me/alerts/", {"email": ""}, format="json").json()["address"] == "alice@example.org"
    sent = mine.post("/api/v1/me/alerts/test/").json()
    assert sent["ok"] is True and to(smtp_server, "alice@example.org")
    assert api(None).get("/api/v1/me/alerts/").status_code in (401, 403)


SMART_FAILING = {"smartctl": {"exit_status": 8 | 128}, "model_name": "WDC WD40EFRX", "serial_number": "WD-1234",
                 "smart_status": {"passed": False}}
SMART_HEALTHY = {"smartctl": {"exit_status": 0}, "model_name": "WDC WD40EFRX", "serial_number": "WD-5678",
                 "smart_status": {"passed": True}}
SMART_ASLEEP = {"smartctl": {"exit_status": 2}}


def test_our_reading_of_smartctl_answers():
    failing = smart.parse_health(json.loads(json.dumps(SMART_FAILING)), "/dev/sda")
    assert failing is not None and failing.problems == ("failing", "selftest") and failing.serial == "WD-1234"
    healthy = smart.parse_health(SMART_HEALTHY, "/dev/sdb")
    assert healthy is not None and not healthy.in_trouble
    assert smart.parse_health(SMART_ASLEEP, "/dev/sdc") is None  # asleep or unsupported: not "failing"


@pytest.mark.skipif(not smart.available(), reason="smartmontools is installed by scripts/install.sh")
def test_a_device_smartctl_cannot_ask_is_unknown_not_failing(tmp_path):
    assert smart.health(str(tmp_path / "no-such-disk")) is None
    assert all(isinstance(name, str) for name, _type in smart.scan())


def test_a_partial_run_tells_only_the_people_whose_part_went_wrong_and_then_works_again(
        offsite, admins, smtp_server, webdav_server, alice, bob):
    """Bob's backup area vanished (a disk unmounted): the sync is partial; alice's part went well."""
    import shutil

    from anemone.files.paths import area_root

    put(bob, "b.txt", b"b")
    cloud.save_destination(offsite, secrets={"password": webdav_server.secret})
    sync(offsite, RunStatus.SUCCEEDED)
    jobs.claim_finished_runs()
    opt_in(alice), opt_in(bob, "fr")
    shutil.rmtree(area_root(bob, "backup"))
    partial = sync(offsite, RunStatus.PARTIAL)
    assert jobs.claim_finished_runs() == 1
    (title, _body), = to(smtp_server, "admin@example.org")
    assert title == "[maison] Cloud sync partially succeeded: offsite"
    (bob_title, bob_body), = to(smtp_server, "bob@example.org")
    assert bob_title == "[maison] Synchronisation cloud en réussite partielle : offsite" and f"/runs/{partial.pk}/" in bob_body
    assert to(smtp_server, "alice@example.org") == []  # her files were copied: nothing to tell her

    (area_root(bob, "backup")).mkdir(parents=True)
    sync(offsite, RunStatus.SUCCEEDED)
    assert jobs.claim_finished_runs() == 1
    assert to(smtp_server, "bob@example.org")[-1][0] == "[maison] Synchronisation cloud fonctionne à nouveau : offsite"
    assert to(smtp_server, "alice@example.org") == []
