"""USB pages and API without restic: drives, job form (estimate vs free space), schedule, access."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django_q.models import Schedule

from anemone.runs.models import Run, RunStatus
from anemone.runs.tasks import execute as execute_run
from tests.conftest import PASSWORD
from usbbackup import detection
from usbbackup.models import Scope, UsbBackup


@pytest.fixture
def admin_client(client, admin_user):  # type: ignore[no-untyped-def]
    client.login(username="admin", password=PASSWORD)
    return client


def job_data(mount: str, **extra) -> dict:  # type: ignore[type-arg]
    data = {"name": "drawer", "enabled": "on", "drive": mount, "folder": "anemone-backup", "scope": "config",
            "include_backup_area": "on", "schedule_kind": "daily", "schedule_interval_minutes": 60,
            "schedule_time": "03:00", "schedule_weekday": 0, "schedule_monthday": 1, "keep_last": 3,
            "keep_daily": 7, "keep_weekly": 4, "keep_monthly": 6}
    data.update(extra)
    return data


def test_it_lists_the_plugged_drive_and_offers_a_job(admin_client, usb_drive):
    page = admin_client.get(reverse("usbbackup:index")).content.decode()
    assert "BACKUP1" in page and str(usb_drive) in page and "Back up to this drive" in page


def test_it_keeps_the_usb_pages_for_admins(client, alice, usb_root):
    client.login(username="alice", password=PASSWORD)
    for name in ("usbbackup:index", "usbbackup:new"):
        assert client.get(reverse(name)).status_code == 403  # the product's "not allowed" page


def test_it_creates_a_job_bound_to_the_drive_uuid_with_its_schedule(admin_client, usb_drive, alice):
    form = admin_client.get(reverse("usbbackup:new") + f"?drive={usb_drive}").content.decode()
    assert "alice" in form and "BACKUP1" in form
    response = admin_client.post(reverse("usbbackup:new"), job_data(
        str(usb_drive), scope="config_users", users=[alice.pk]))
    assert response.status_code == 302, response.content.decode()[:3000]
    job = UsbBackup.objects.get(name="drawer")
    assert job.drive_identity[0] == "uuid" and job.drive_label == "BACKUP1"
    assert list(job.users.all()) == [alice] and job.scope == Scope.CONFIG_USERS
    assert Schedule.objects.filter(name=f"usb:{job.pk}").exists()
    admin_client.post(reverse("usbbackup:delete", args=[job.pk]))
    assert not UsbBackup.objects.exists() and not Schedule.objects.filter(name=f"usb:{job.pk}").exists()


def test_it_refuses_a_job_bigger_than_the_free_space_unless_told(admin_client, mounts, alice):
    point = mounts.tmpfs("tiny", size="1m")
    from anemone.files.paths import area_root

    (area_root(alice, "backup") / "big.bin").write_bytes(b"x" * 3 * 2**20)
    data = job_data(str(point), scope="config_users", users=[alice.pk])
    page = admin_client.post(reverse("usbbackup:new"), data).content.decode()
    assert "only" in page and "free on the drive" in page and not UsbBackup.objects.exists()
    assert admin_client.post(reverse("usbbackup:new"), {**data, "accept_over_free": "on"}).status_code == 302
    assert UsbBackup.objects.filter(name="drawer").exists()


def test_it_shows_the_estimate_fragment(admin_client, usb_drive, alice):
    from anemone.files.paths import area_root

    (area_root(alice, "data") / "d.bin").write_bytes(b"y" * 5000)
    fragment = admin_client.post(reverse("usbbackup:estimate"), job_data(
        str(usb_drive), scope="config_users", users=[alice.pk], include_data_area="on")).content.decode()
    assert "alice" in fragment and "4.9" in fragment and "It fits" in fragment


def test_it_asks_for_people_when_the_scope_includes_them(admin_client, usb_drive):
    page = admin_client.post(reverse("usbbackup:new"), job_data(str(usb_drive), scope="config_users")).content
    assert b"Choose at least one person" in page


def test_it_skips_a_run_whose_drive_is_absent_and_writes_nothing(admin_client, mounts):
    point = mounts.ext4("gone", label="GONE")
    admin_client.post(reverse("usbbackup:new"), job_data(str(point), name="gone"))
    job = UsbBackup.objects.get(name="gone")
    mounts.umount(point)
    admin_client.post(reverse("usbbackup:sync", args=[job.pk]))
    run = Run.objects.get(kind="usb", target_id=job.pk)
    execute_run(run.pk)  # what the worker does
    run.refresh_from_db()
    assert run.status == RunStatus.SKIPPED and "drive absent" in run.message
    assert list(point.iterdir()) == []  # the empty mount point on the root disk got nothing
    assert "drive absent" in admin_client.get(reverse("usbbackup:detail", args=[job.pk])).content.decode()


def test_it_ejects_from_the_page(admin_client, mounts):
    point = mounts.tmpfs("stick")
    response = admin_client.post(reverse("usbbackup:eject"), {"mount": str(point)}, follow=True)
    assert "is unmounted" in response.content.decode() and not mounts.is_mounted(point)


def test_it_opens_the_import_page_only_before_setup(client, db, usb_root):
    response = client.get("/usb/import/")
    assert response.status_code == 200 and b"Import an existing installation" in response.content
    from anemone import crypto
    from tests.conftest import make_person

    crypto.create_master_key()
    make_person("boss", admin=True)
    assert client.get("/usb/import/").status_code == 302


def test_it_saves_where_drives_are_looked_for(admin_client, usb_root):
    from usbbackup.models import UsbSettings

    admin_client.post(reverse("usbbackup:roots"), {"mount_roots": "/mnt\n/srv/usb"})
    assert UsbSettings.load().roots() == ["/mnt", "/srv/usb"]
    admin_client.post(reverse("usbbackup:roots"), {"mount_roots": "relative/path"})
    assert UsbSettings.load().roots() == ["/mnt", "/srv/usb"]


def test_it_records_a_scheduled_run_without_its_drive_as_skipped(mounts, admin_user):
    from anemone.runs import tasks as run_tasks
    from usbbackup import services

    point = mounts.tmpfs("weekly")
    job = UsbBackup(name="weekly", schedule_kind="daily")
    services.set_drive(job, detection.find_mount(str(point)))
    services.save_job(job)
    mounts.umount(point)
    run_id = run_tasks.scheduled_run("usb", job.pk)
    execute_run(run_id)
    run = Run.objects.get(pk=run_id)
    assert (run.status, run.trigger) == (RunStatus.SKIPPED, "schedule") and "drive absent" in run.message
    job.enabled = False
    services.save_job(job)
    assert run_tasks.scheduled_run("usb", job.pk) is None  # a disabled job does not run
    services.delete_job(job)
    assert not UsbBackup.objects.filter(pk=job.pk).exists() and run_tasks.scheduled_run("usb", job.pk) is None


def test_it_speaks_french(admin_client, admin_user, usb_drive):
    admin_user.language = "fr"
    admin_user.save()
    page = admin_client.get(reverse("usbbackup:index")).content.decode()
    assert "Disques" in page and "Sauvegarder sur ce disque" in page and "Éjecter" in page


def test_it_shows_jobs_in_the_django_admin_and_deleting_there_removes_the_schedule(admin_client, usb_drive):
    admin_client.post(reverse("usbbackup:new"), job_data(str(usb_drive)))
    job = UsbBackup.objects.get(name="drawer")
    listing = admin_client.get("/admin/usbbackup/usbbackup/").content.decode()
    assert "drawer" in listing and job.drive_uuid in listing
    assert admin_client.get(f"/admin/usbbackup/usbbackup/{job.pk}/change/").status_code == 200
    admin_client.post(f"/admin/usbbackup/usbbackup/{job.pk}/delete/", {"post": "yes"})
    assert not UsbBackup.objects.exists() and not Schedule.objects.filter(name=f"usb:{job.pk}").exists()
