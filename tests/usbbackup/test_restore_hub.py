"""The Restore hub (core, filled by each kind's restore source): a person sees every copy that keeps their
files — friends' servers, cloud destinations, USB drives — and nothing of anybody else's; from a plugged-in
USB drive they bring their own files back themselves (real restic on a real mounted drive)."""

from __future__ import annotations

import shutil

import pytest
from django.test import Client
from django.urls import reverse

from anemone.files.paths import area_root
from anemone.runs.models import Run, RunStatus
from anemone.runs.services import request as request_run
from anemone.runs.tasks import execute as execute_run
from cloudbackup import services as cloud_services
from cloudbackup.models import Destination, Kind
from tests.usbbackup.conftest import tree_bytes
from tests.usbbackup.test_backup import ALICE_FILES, make_job, people  # noqa: F401

pytestmark = pytest.mark.django_db(transaction=True)


def hub(person) -> str:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(person)
    response = client.get(reverse("restore"))
    assert response.status_code == 200
    return response.content.decode()


def test_each_person_sees_the_copies_that_keep_their_files_and_nobody_elses(people, usb_drive):  # noqa: F811
    from anemone.accounts.models import User

    alice, bob = people
    admin = User.objects.get(username="admin")  # kept by none of these copies
    make_job(usb_drive, [alice], name="alice-drawer")
    cloud_services.save_destination(Destination(name="bobs-cloud", kind=Kind.SFTP, host="backup.example.org",
                                                username="u"), users=[bob])
    mine = hub(alice)
    assert "alice-drawer" in mine and "Restore my files from this drive" in mine
    assert "bobs-cloud" not in mine and "No cloud destination keeps your files." in mine
    theirs = hub(bob)
    assert "bobs-cloud" in theirs and 'id="cloud-restore"' in theirs and "alice-drawer" not in theirs
    nobody = hub(admin)
    assert 'id="nothing-to-restore"' in nobody
    assert "alice-drawer" not in nobody and "bobs-cloud" not in nobody


def test_a_person_restores_their_own_files_from_a_plugged_in_drive(people, usb_drive):  # noqa: F811
    alice, bob = people
    job = make_job(usb_drive, [alice, bob])
    assert request_run("usb", job, inline=True).status == RunStatus.SUCCEEDED
    shutil.rmtree(area_root(alice, "backup") / "photos")  # lost since
    before_bob = tree_bytes(area_root(bob, "backup"))
    client = Client()
    client.force_login(alice)
    started = client.post(reverse("usbbackup:restore-mine", args=[job.pk]), follow=True)
    assert started.status_code == 200 and "on their way back" in started.content.decode()
    run = Run.objects.get(kind="usb-person-restore", target_id=alice.pk)
    execute_run(run.pk)  # what the worker does
    run.refresh_from_db()
    assert run.status == RunStatus.SUCCEEDED, run.message
    assert (area_root(alice, "backup") / "photos/sea.jpg").read_bytes() == ALICE_FILES["backup/photos/sea.jpg"]
    assert tree_bytes(area_root(bob, "backup")) == before_bob  # only her own files moved
    assert "bob" not in hub(alice).split("Your restores")[-1]  # her restore, listed, names nobody else


def test_nobody_restores_from_a_job_that_does_not_keep_them_or_a_drive_that_is_absent(people, usb_drive, mounts):  # noqa: F811
    alice, bob = people
    job = make_job(usb_drive, [alice])
    client = Client()
    client.force_login(bob)
    assert client.post(reverse("usbbackup:restore-mine", args=[job.pk])).status_code == 404
    assert not Run.objects.filter(kind="usb-person-restore").exists()
    mounts.umount(usb_drive)
    assert "Plug this drive in to restore from it." in hub(alice)
    client.force_login(alice)
    client.post(reverse("usbbackup:restore-mine", args=[job.pk]))
    run = Run.objects.get(kind="usb-person-restore", target_id=alice.pk)
    execute_run(run.pk)
    run.refresh_from_db()
    assert run.status == RunStatus.SKIPPED and "not plugged in" in run.message


def test_the_hub_speaks_french(people, usb_drive):  # noqa: F811
    alice, _bob = people
    alice.language = "fr"
    alice.save()
    make_job(usb_drive, [alice], name="tiroir")
    page = hub(alice)
    assert "Disques USB" in page and "Restaurer mes fichiers depuis ce disque" in page
    for english in ("Restore my files", "USB drives", "Friends' servers", "No cloud destination", "Everywhere your"):
        assert english not in page, english
