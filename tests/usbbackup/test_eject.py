"""Eject: a real unmount; a busy drive names what holds it; never while a backup writes to it."""

from __future__ import annotations

import subprocess

import pytest

from anemone.runs import services as runs
from usbbackup import detection, eject
from usbbackup.models import UsbBackup


def test_it_unmounts_a_drive(mounts):
    point = mounts.ext4("stick")
    drive = detection.find_mount(str(point))
    result = eject.eject(drive)
    assert result.unmounted and not mounts.is_mounted(point)
    assert not result.powered_off  # a loop device is never powered off
    assert str(point) in result.message and detection.detect_drives() == []


def test_it_names_the_program_that_keeps_the_drive_busy(mounts):
    point = mounts.tmpfs("busy")
    (point / "notes.txt").write_text("x")
    holder = subprocess.Popen(["sleep", "60"], cwd=point)
    reader = subprocess.Popen(["tail", "-f", str(point / "notes.txt")], stdout=subprocess.DEVNULL)
    try:
        drive = detection.find_mount(str(point))
        with pytest.raises(eject.EjectError) as caught:
            eject.eject(drive)
        message = str(caught.value)
        assert "busy" in message and f"sleep (pid {holder.pid}" in message and f"tail (pid {reader.pid}" in message
        assert {h.pid for h in caught.value.holders} >= {holder.pid, reader.pid}
        assert mounts.is_mounted(point)
    finally:
        for process in (holder, reader):
            process.kill()
            process.wait()
    assert eject.eject(detection.find_mount(str(point))).unmounted


def test_it_refuses_to_eject_while_a_backup_writes_to_the_drive(mounts):
    point = mounts.tmpfs("stick")
    job = UsbBackup.objects.create(name="weekly", drive_path=str(point))
    run = runs.start("usb", job.pk, label=job.name)
    with pytest.raises(eject.EjectError, match="running"):
        eject.eject(detection.find_mount(str(point)))
    assert mounts.is_mounted(point)
    runs.skip(run, "test over")


def test_it_finds_the_whole_disk_of_a_partition():
    assert eject.parent_disk("/dev/doesnotexist1") == "/dev/doesnotexist1"
