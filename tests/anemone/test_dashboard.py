"""Dashboard, settings page and languages."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from anemone.models import SiteSettings
from anemone.runs import services as runs
from anemone.runs.models import Run, RunStatus
from cloudbackup.models import Destination
from usbbackup.models import UsbBackup

pytestmark = pytest.mark.django_db


def backup_run(kind: str, target, outcome: dict, *, days_ago: float, status: str = "", dry_run: bool = False,
               label: str = "") -> Run:
    """A run of a target that finished `days_ago`, with one item per person in the given state."""
    run = runs.start(kind, target.pk, label=label or target.name, options={"dry_run": True} if dry_run else {})
    for person, item_status in outcome.items():
        runs.finish_item(runs.start_item(run, user=person), status=item_status, files=1)
    when = timezone.now() - timedelta(days=days_ago)
    overall = status or (RunStatus.SUCCEEDED if set(outcome.values()) <= {"succeeded"} else RunStatus.PARTIAL)
    Run.objects.filter(pk=run.pk).update(status=overall, queued_at=when - timedelta(minutes=5),
                                         started_at=when - timedelta(minutes=5), finished_at=when)
    return Run.objects.get(pk=run.pk)


def rows(page: str, css: str) -> dict[str, str]:
    """The dashboard's rows of one table (class "backup" or "target") by destination, as plain text."""
    found = {}
    for row in re.findall(rf'<tr class="{css}"[^>]*>(.*?)</tr>', page, re.S):
        cells = [" ".join(re.sub(r"<[^>]+>", " ", c).split()) for c in re.findall(r"<td>(.*?)</td>", row, re.S)]
        found[cells[0]] = cells[1]
    return found


def test_it_speaks_the_persons_language(client, alice):
    alice.language = "fr"
    alice.save()
    client.force_login(alice)
    page = client.get("/").content.decode()
    assert "Bonjour alice" in page and "Corbeille" in page


def test_it_shows_the_last_good_copy_of_each_destination_that_carries_me(client, alice, bob):
    mine = Destination.objects.create(name="dest-1")
    theirs = Destination.objects.create(name="dest-2", carry_everyone=False)  # carries bob only
    theirs.users.add(bob)
    backup_run("cloud", mine, {alice: "succeeded"}, days_ago=2)
    backup_run("cloud", mine, {alice: "succeeded"}, days_ago=1)
    backup_run("cloud", theirs, {bob: "succeeded"}, days_ago=1)
    client.force_login(alice)
    page = client.get("/").content.decode()
    assert rows(page, "backup") == {"Cloud sync · dest-1": "last good copy 1 day ago"} and "dest-2" not in page
    assert "Your files were last copied 1\xa0day ago (dest-1)" in page


def test_it_lists_users_with_usage_for_admins_only(client, alice, admin_user):
    client.force_login(admin_user)
    assert "alice" in client.get("/").content.decode()
    client.force_login(alice)
    assert client.get("/settings/").status_code == 403  # the product's "not allowed" page


def test_it_lets_the_admin_change_the_trash_retention(client, admin_user):
    client.force_login(admin_user)
    response = client.post("/settings/", {"server_name": "home", "language": "en", "trash_retention_days": 7})
    assert response.status_code == 302
    assert SiteSettings.load().trash_retention_days == 7


def test_only_a_run_that_copied_my_files_is_my_last_backup_and_failures_since_are_shown(client, alice, bob):
    offsite = Destination.objects.create(name="offsite")
    backup_run("cloud", offsite, {alice: "succeeded", bob: "succeeded"}, days_ago=5)
    backup_run("cloud", offsite, {alice: "succeeded", bob: "succeeded"}, days_ago=4, dry_run=True)  # a preview
    backup_run("cloud-restore", offsite, {alice: "succeeded"}, days_ago=3, label="offsite → alice")  # a restore
    backup_run("trash", offsite, {alice: "succeeded"}, days_ago=3, label="Trash purge")  # a purge
    backup_run("cloud", offsite, {alice: "failed", bob: "succeeded"}, days_ago=2, status=RunStatus.PARTIAL)
    backup_run("cloud", offsite, {alice: "partial", bob: "succeeded"}, days_ago=1)  # her files not all copied
    client.force_login(alice)
    page = client.get("/").content.decode()
    assert rows(page, "backup") == {
        "Cloud sync · offsite": "last good copy 5 days ago ⚠ the last 2 runs failed (latest 1 day ago)"}
    assert "Your files were last copied 5\xa0days ago (offsite)" in page
    client.force_login(bob)  # the same runs copied bob's files: his last backup is the newest real sync
    assert rows(client.get("/").content.decode(), "backup") == {"Cloud sync · offsite": "last good copy 1 day ago"}


def test_a_preview_is_never_a_backup_and_a_run_that_reached_nobody_is_a_failure(client, alice):
    preview_only = Destination.objects.create(name="tried")
    backup_run("cloud", preview_only, {alice: "succeeded"}, days_ago=1, dry_run=True)
    unreachable = Destination.objects.create(name="remote")
    backup_run("cloud", unreachable, {alice: "succeeded"}, days_ago=3)
    backup_run("cloud", unreachable, {}, days_ago=1, status=RunStatus.FAILED)  # "Connecting to remote: refused"
    client.force_login(alice)
    page = client.get("/").content.decode()
    assert rows(page, "backup") == {
        "Cloud sync · remote": "last good copy 3 days ago ⚠ the last run failed (1 day ago)",
        "Cloud sync · tried": "never copied"}


def test_it_says_so_when_nothing_ever_copied_my_files(client, alice):
    backup_run("cloud", Destination.objects.create(name="offsite"), {alice: "failed"}, days_ago=1,
               status=RunStatus.FAILED)
    client.force_login(alice)
    page = client.get("/").content.decode()
    assert rows(page, "backup") == {"Cloud sync · offsite": "never copied ⚠ the last run failed (1 day ago)"}
    assert "Your files were last copied" not in page


def test_the_admin_sees_each_targets_last_good_copy_and_failures_since(client, alice, admin_user):
    offsite, drawer = Destination.objects.create(name="offsite"), UsbBackup.objects.create(name="drawer")
    gone = Destination.objects.create(name="old-nas")
    backup_run("cloud", offsite, {alice: "succeeded"}, days_ago=3)
    backup_run("cloud", offsite, {alice: "partial"}, days_ago=2)  # partial: not a good copy for everyone
    backup_run("cloud", offsite, {alice: "succeeded"}, days_ago=1, dry_run=True)
    backup_run("usb", drawer, {alice: "succeeded"}, days_ago=6)
    backup_run("usb", drawer, {}, days_ago=1, status=RunStatus.SKIPPED)  # drive absent: neither
    backup_run("cloud", gone, {alice: "succeeded"}, days_ago=9)
    gone.delete()  # a removed destination's old copy is nobody's backup any more
    client.force_login(admin_user)
    page = client.get("/").content.decode()
    assert rows(page, "target") == {
        "Cloud sync · offsite": "last good copy 3 days ago ⚠ the last run failed (2 days ago)",
        "USB backup · drawer": "last good copy 6 days ago"}
    cloud = client.get("/cloud/").content.decode()
    assert "the last run failed" in cloud and "last good copy 3\xa0days ago" in cloud


def test_a_running_backup_is_shown_as_in_progress(client, alice):
    offsite = Destination.objects.create(name="offsite")
    backup_run("cloud", offsite, {alice: "succeeded"}, days_ago=1)
    run = runs.start("cloud", offsite.pk, label="offsite")
    runs.begin(run.pk)
    client.force_login(alice)
    runs.start_item(Run.objects.get(pk=run.pk), user=alice)
    assert rows(client.get("/").content.decode(), "backup") == {
        "Cloud sync · offsite": "last good copy 1 day ago a run is in progress"}


def test_the_backup_state_speaks_french(client, alice):
    alice.language = "fr"
    alice.save()
    backup_run("cloud", Destination.objects.create(name="offsite"), {alice: "failed"}, days_ago=1,
               status=RunStatus.FAILED)
    client.force_login(alice)
    page = client.get("/").content.decode()
    assert "jamais copié" in page and "la dernière exécution a échoué" in page
