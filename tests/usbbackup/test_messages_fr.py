"""USB runs store their messages as codes: a French reader reads them in French, whatever language the worker
had, while the ``message`` column keeps the English (real restic on real mounts, as in test_backup)."""

from __future__ import annotations

import os
import shutil

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from django.utils import translation

from anemone.files.paths import area_root
from anemone.runs.models import Run, RunStatus
from anemone.runs.services import request as request_run
from anemone.runs.tasks import execute as execute_run
from tests.usbbackup.test_backup import make_job, people  # noqa: F401
from usbbackup import layout

pytestmark = pytest.mark.django_db(transaction=True)

# English fragments of the USB run messages: none may reach a French reader.
ENGLISH = ("snapshot(s) on", "of new data", "drive absent", "is not plugged in", "nothing was written",
           "Writing to the drive", "the drive is full", "Earlier snapshots", "holds the backup of another server",
           "Choose another folder", "files from", "back in place", "No area to back up", "problem(s)")


def french(run: Run) -> str:
    run.refresh_from_db()
    with translation.override("fr"):
        return run.shown_message


def french_client(username: str) -> Client:
    person = get_user_model().objects.get(username=username)
    person.language = "fr"
    person.save()
    client = Client()
    client.force_login(person)
    return client


def assert_no_english(text: str) -> None:
    for fragment in ENGLISH:
        assert fragment not in text, fragment


def test_a_backup_and_a_skip_read_in_french_and_the_usb_page_has_no_english_of_them(people, mounts):  # noqa: F811
    alice, _bob = people
    point = mounts.ext4("stick", label="STICK")
    job = make_job(point, [alice])
    done = request_run("usb", job, inline=True)
    assert done.status == RunStatus.SUCCEEDED, done.message
    assert done.message_code == "runs.lines" and done.message.startswith("2 snapshot(s) on ")  # English kept
    said = french(done)
    assert said.startswith("2 instantané(s) sur ") and "de nouvelles données." in said, said
    assert_no_english(said)

    mounts.umount(point)
    skipped = request_run("usb", job, inline=True)  # the kind's precheck: the drive is absent
    assert skipped.status == RunStatus.SKIPPED and skipped.message_code == "usbbackup.drive_absent"
    assert skipped.message.startswith("drive absent: the drive \"STICK\"")
    said = french(skipped)
    assert said.startswith("disque absent : le disque \"STICK\"") and "rien n'a été écrit" in said, said

    admin = french_client("admin")
    for page in (reverse("usbbackup:index"), reverse("usbbackup:detail", args=[job.pk])):
        content = admin.get(page).content.decode()
        assert "disque absent" in content, page
        assert_no_english(content)
    assert "instantané(s) sur" in admin.get(reverse("usbbackup:detail", args=[job.pk])).content.decode()


def test_failures_read_in_french_step_message_and_hint(people, usb_drive, mounts):  # noqa: F811
    alice, bob = people
    folder = usb_drive / "anemone-backup"
    folder.mkdir()
    layout.write_manifest(folder, layout.Manifest(server_name="neighbour", master_key_id="deadbeef", job="x"))
    refused = request_run("usb", make_job(usb_drive, [alice], name="theirs"), inline=True)
    assert refused.status == RunStatus.FAILED and "holds the backup of another server (neighbour)" in refused.message
    said = french(refused)
    assert said.startswith("Disque : ") and "contient la sauvegarde d'un autre serveur (neighbour)" in said, said
    assert "Choisissez un autre dossier pour cette tâche." in said
    assert_no_english(said)

    small = mounts.tmpfs("small", size="5m")
    job = make_job(small, [alice, bob])
    (area_root(alice, "data") / "huge.bin").write_bytes(os.urandom(6 * 2**20))
    full = request_run("usb", job, inline=True)
    assert full.status == RunStatus.FAILED and "the drive is full while backing up alice" in full.message
    said = french(full)
    assert said.startswith("Écriture sur le disque : le disque est plein pendant la sauvegarde de alice"), said
    assert "plus de place sur le disque" in said and "Les instantanés précédents sur le disque sont intacts" in said
    assert_no_english(said)
    failed_item = full.items.get(label="alice")
    with translation.override("fr"):
        assert failed_item.shown_message.startswith("Écriture sur le disque : ")


def test_a_restore_reads_in_french_on_the_restore_hub(people, usb_drive):  # noqa: F811
    alice, _bob = people
    job = make_job(usb_drive, [alice], name="tiroir")
    assert request_run("usb", job, inline=True).status == RunStatus.SUCCEEDED
    shutil.rmtree(area_root(alice, "backup") / "photos")  # lost since
    client = french_client("alice")
    client.post(reverse("usbbackup:restore-mine", args=[job.pk]))
    run = Run.objects.get(kind="usb-person-restore", target_id=alice.pk)
    execute_run(run.pk)  # what the worker does (in English here)
    run.refresh_from_db()
    assert run.status == RunStatus.SUCCEEDED, run.message
    assert run.message.startswith("alice: files from tiroir's snapshot ") and "back in place in backup/" in run.message
    said = french(run)
    assert said.startswith("alice : fichiers de l'instantané ") and "de tiroir" in said, said
    assert "remis à leur place dans backup/" in said
    assert_no_english(said)
    hub = client.get(reverse("restore")).content.decode()
    assert "remis à leur place dans backup/" in hub
    assert_no_english(hub)
