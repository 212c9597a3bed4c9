"""The USB commands scripts rely on: usb_drives, usb_backup_now, usb_eject, usb_restore (the failure paths;
usb_backup_now --wait and usb_restore's success path run in test_disaster_recovery)."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from anemone.runs.models import Run, RunStatus
from usbbackup import detection, services
from usbbackup.models import UsbBackup

pytestmark = pytest.mark.django_db


def run_command(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out, stderr=StringIO())
    return out.getvalue()


def test_it_lists_the_mounted_drives(mounts):
    assert run_command("usb_drives").startswith("No drive mounted under")
    stick = mounts.ext4("usb stick", label="PHOTOS", fs_uuid="6f1c2d3e-4a5b-4c6d-8e7f-9a0b1c2d3e4f")
    line = run_command("usb_drives").strip()
    assert line.startswith(f"{stick}\text4\t/dev/loop") and "label=PHOTOS" in line
    assert "uuid=6f1c2d3e-4a5b-4c6d-8e7f-9a0b1c2d3e4f" in line and "free of" in line
    (listed,) = json.loads(run_command("usb_drives", "--json"))
    assert listed["mount_point"] == str(stick) and listed["identity"] == "uuid:6f1c2d3e-4a5b-4c6d-8e7f-9a0b1c2d3e4f"


def test_it_queues_or_waits_for_a_usb_backup_and_says_skipped_when_the_drive_is_absent(mounts, admin_user):
    with pytest.raises(CommandError, match="no USB backup named 'nope'"):
        run_command("usb_backup_now", "nope")
    point = mounts.tmpfs("weekly")
    job = UsbBackup(name="weekly")
    services.set_drive(job, detection.find_mount(str(point)))
    services.save_job(job)
    queued = run_command("usb_backup_now", "weekly")
    run = Run.objects.get(kind="usb", target_id=job.pk)
    assert queued.strip() == f"queued run {run.pk}" and run.status == RunStatus.QUEUED
    with pytest.raises(CommandError, match="already"):  # one run per job at a time
        run_command("usb_backup_now", "weekly")
    Run.objects.filter(pk=run.pk).update(status=RunStatus.INTERRUPTED)
    mounts.umount(point)
    bar = StringIO()
    with pytest.raises(CommandError, match="^skipped: drive absent") as caught:
        call_command("usb_backup_now", "weekly", "--wait", stdout=StringIO(), stderr=bar)
    assert caught.value.returncode == 3
    assert "skipped" in bar.getvalue() and bar.getvalue().startswith("\r[....")  # the progress bar, on stderr


def test_it_explains_why_it_cannot_eject_or_restore(mounts, tmp_path, db):
    with pytest.raises(CommandError, match="no drive mounted at /mnt/nothing-here"):
        run_command("usb_eject", "/mnt/nothing-here")
    empty = mounts.tmpfs("empty")
    kit = tmp_path / "kit.txt"
    with pytest.raises(CommandError, match="cannot read"):
        run_command("usb_restore", "--drive", str(empty), "--recovery-kit", str(kit))
    kit.write_text("Master key: " + "A" * 43 + "=\n")
    with pytest.raises(CommandError, match="No Anemone backup found"):
        run_command("usb_restore", "--drive", str(empty), "--recovery-kit", str(kit))
