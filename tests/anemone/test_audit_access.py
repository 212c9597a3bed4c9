"""The audit log is shown to admins only, filtered and paginated, and nobody can write it: no add, change or
delete in the Django admin (superusers included), no write in the API; old entries go after
ANEMONE_AUDIT_KEEP_DAYS through the daily system job."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from auditlog.models import LogEntry
from django.core.management import call_command
from django.utils import timezone
from django.utils.module_loading import import_string
from django_q.models import Schedule

from anemone.models import SiteSettings

pytestmark = pytest.mark.django_db


def table(response) -> str:
    """The entries of a page (the server's name is in every page's title too)."""
    html = response.content.decode()
    return html[html.index('<section id="audit-log">'):html.index("</section>")]


@pytest.fixture
def history(client, admin_user, alice):
    """A few real entries: a settings change from the portal, a quota change by a command."""
    client.force_login(admin_user)
    client.post("/settings/", {"server_name": "maison", "language": "en", "portal_url": "",
                               "trash_retention_days": 30}, REMOTE_ADDR="203.0.113.7")
    call_command("edit_user", "alice", "--quota-total-gb", "300", stdout=io.StringIO())
    client.logout()
    return LogEntry.objects.count()


def test_a_person_gets_403_on_the_page_and_the_api(client, api, alice, history):
    client.force_login(alice)
    assert client.get("/settings/audit/").status_code == 403
    assert api(alice).get("/api/v1/audit/").status_code == 403
    assert api(None).get("/api/v1/audit/").status_code == 401
    client.logout()
    assert client.get("/settings/audit/").status_code == 302  # to the login page


def test_the_page_filters_by_who_what_action_date_and_text(client, admin_user, history):
    client.force_login(admin_user)
    page = table(client.get("/settings/audit/"))
    assert "maison" in page and "cli: edit_user (" in page and "203.0.113.7" in page
    by_command = table(client.get("/settings/audit/", {"who": "cli"}))
    assert "cli: edit_user (" in by_command and "maison" not in by_command
    by_admin = table(client.get("/settings/audit/", {"who": "admin", "kind": "anemone.sitesettings",
                                                     "action": "update"}))
    assert "maison" in by_admin and "cli: edit_user" not in by_admin
    today = timezone.localdate()
    assert "maison" in table(client.get("/settings/audit/", {"since": today, "until": today}))
    later = table(client.get("/settings/audit/", {"since": today + timedelta(days=1)}))
    assert "maison" not in later and "No entry matches." in later
    by_text = table(client.get("/settings/audit/", {"text": "300000000000"}))
    assert "maison" not in by_text and "cli: edit_user" in by_text


def test_the_page_is_paginated(client, admin_user, history):
    settings_row = SiteSettings.load()
    for number in range(60):
        settings_row.trash_retention_days = 40 + number
        settings_row.save()
    client.force_login(admin_user)
    first = client.get("/settings/audit/").content.decode()
    assert first.count('<article class="card audit-entry') == 50 and 'rel="next"' in first
    second = client.get("/settings/audit/", {"page": 2}).content.decode()
    assert second.count('<article class="card audit-entry') == history + 60 - 50 and 'rel="prev"' in second


def test_the_api_lists_filters_and_paginates_for_admins(api, admin_user, history):
    client = api(admin_user)
    body = client.get("/api/v1/audit/", {"limit": 2}).json()
    assert body["count"] == history and len(body["results"]) == 2 and body["next"]
    newest = client.get("/api/v1/audit/", {"who": "admin", "kind": "anemone.sitesettings"}).json()["results"]
    assert len(newest) == 1
    entry = newest[0]
    assert (entry["actor"], entry["remote_addr"], entry["action"], entry["object_type"]) == \
        ("admin", "203.0.113.7", "update", "anemone.sitesettings")
    assert entry["changes"] == {"server_name": ["anemone", "maison"]}
    cli = client.get("/api/v1/audit/", {"who": "cli", "q": "300000000000"}).json()["results"]
    assert [e["actor"] for e in cli] == [None] and cli[0]["actor_label"].startswith("cli: edit_user (")
    assert client.get("/api/v1/audit/", {"kind": "nope.nothing"}).status_code == 400
    assert client.get("/api/v1/audit/", {"action": "explode"}).status_code == 400
    assert client.get("/api/v1/audit/", {"since": "yesterday"}).status_code == 400


def test_nobody_can_write_the_log_through_the_api(api, admin_user, history):
    client = api(admin_user)
    one = LogEntry.objects.first()
    assert client.post("/api/v1/audit/", {}, format="json").status_code == 405
    assert client.delete(f"/api/v1/audit/{one.pk}/").status_code == 405
    assert client.patch(f"/api/v1/audit/{one.pk}/", {"object_repr": "x"}, format="json").status_code == 405
    assert LogEntry.objects.count() == history


def test_the_django_admin_shows_the_log_read_only_even_to_a_superuser(client, admin_user, history):
    assert admin_user.is_superuser
    client.force_login(admin_user)
    one = LogEntry.objects.first()
    assert client.get("/admin/auditlog/logentry/").status_code == 200
    detail = client.get(f"/admin/auditlog/logentry/{one.pk}/change/")
    assert detail.status_code == 200 and 'name="_save"' not in detail.content.decode()
    assert client.get(f"/admin/auditlog/logentry/{one.pk}/delete/").status_code == 403
    assert client.post(f"/admin/auditlog/logentry/{one.pk}/delete/", {"post": "yes"}).status_code == 403
    client.post("/admin/auditlog/logentry/", {"action": "delete_selected", "_selected_action": [one.pk],
                                              "post": "yes"})
    assert client.get("/admin/auditlog/logentry/add/").status_code == 403
    assert LogEntry.objects.count() == history


def test_entries_older_than_the_retention_are_purged_by_the_daily_job(settings, history):
    settings.ANEMONE_AUDIT_KEEP_DAYS = 30
    call_command("ensure_schedules", stdout=io.StringIO())
    job = Schedule.objects.get(name="system:audit-purge")
    assert job.minutes == 24 * 60 and job.repeats == -1
    old = list(LogEntry.objects.order_by("pk").values_list("pk", flat=True)[:1])
    LogEntry.objects.filter(pk__in=old).update(timestamp=timezone.now() - timedelta(days=31))
    LogEntry.objects.exclude(pk__in=old).update(timestamp=timezone.now() - timedelta(days=29))
    assert import_string(job.func)() == 1
    assert not LogEntry.objects.filter(pk__in=old).exists()
    remaining = LogEntry.objects.filter(timestamp__lt=timezone.now() - timedelta(days=28)).count()
    assert remaining == history - 1, "the entries inside the retention stay"


def test_a_french_admin_reads_the_log_in_french(client, admin_user, history):
    admin_user.language = "fr"
    admin_user.save()
    client.force_login(admin_user)
    page = client.get("/settings/audit/").content.decode()
    assert "Journal d’audit" in page and "Les entrées sont gardées 365 jours." in page
    assert "<strong>Modifié</strong> — Paramètres du serveur" in page and "par <span class=\"audit-who\">admin</span> · depuis <span class=\"audit-from\">203.0.113.7</span>" in page
    assert "<strong>Modifié</strong> — Utilisateur “alice”" in page
    assert "<strong>nom du serveur</strong>: anemone → maison" in page  # the field's own French name


def test_the_retention_comes_from_the_environment_and_must_be_a_day_or_more(tmp_path):
    from tests.anemone.test_settings import python

    code = "from django.conf import settings; print(settings.ANEMONE_AUDIT_KEEP_DAYS)"
    assert python(tmp_path, code).stdout.strip() == "365"
    assert python(tmp_path, code, ANEMONE_AUDIT_KEEP_DAYS="90").stdout.strip() == "90"
    refused = python(tmp_path, code, ANEMONE_AUDIT_KEEP_DAYS="0")
    assert refused.returncode != 0 and "ANEMONE_AUDIT_KEEP_DAYS must be at least 1" in refused.stderr
