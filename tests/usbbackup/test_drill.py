"""USB restore drills with real restic on a real loop-mounted ext4 drive (tests/usbbackup/conftest.py)."""

from __future__ import annotations

import os

import pytest

from anemone import crypto
from anemone.files.paths import user_root
from anemone.runs.models import RunStatus
from anemone.runs.services import request as request_run
from tests.conftest import make_person
from tests.p2p.test_drill import flip_byte_in_data_pack
from tests.usbbackup.conftest import write_tree
from tests.usbbackup.test_backup import make_job

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def people(db):  # type: ignore[no-untyped-def]
    crypto.create_master_key()
    make_person("admin", admin=True)
    alice, bob = make_person("alice"), make_person("bob")
    write_tree(user_root("alice"), {"backup/sea.jpg": os.urandom(40_000), "data/film.mkv": os.urandom(20_000)})
    write_tree(user_root("bob"), {"backup/thesis.odt": os.urandom(30_000)})
    return alice, bob


def test_a_drill_of_an_untouched_drive_passes(people, usb_drive):
    alice, bob = people
    job = make_job(usb_drive, [alice, bob])
    assert request_run("usb", job, inline=True).status == RunStatus.SUCCEEDED
    drill = request_run("usb-drill", job, inline=True)
    assert drill.status == RunStatus.SUCCEEDED, drill.message
    items = {i.user.username: i for i in drill.items.all()}
    assert items["alice"].stats["checked"] == 2 and items["bob"].stats["checked"] == 1  # both areas of alice
    assert all(i.stats["mismatched"] == 0 and i.stats["missing"] == 0 and i.stats["mode"] == "compared"
               for i in items.values())
    assert drill.files_done == 3


def test_a_drill_after_one_byte_changed_on_the_drive_fails(people, usb_drive, data_dir):
    alice, bob = people
    job = make_job(usb_drive, [alice])
    assert request_run("usb", job, inline=True).status == RunStatus.SUCCEEDED
    flip_byte_in_data_pack(usb_drive / "anemone-backup" / "repo")
    drill = request_run("usb-drill", job, inline=True)
    assert drill.status == RunStatus.FAILED, drill.message
    item = drill.items.get(user=alice)
    assert item.status == RunStatus.FAILED and item.stats["mismatched"] + item.stats["missing"] >= 1, item.stats
    assert "alice" in drill.message and "Repaired: 1 damaged pack removed" in item.message
    assert not list((data_dir / "drills").iterdir())
    assert request_run("usb", job, inline=True).status == RunStatus.SUCCEEDED  # sends the damaged file again
    again = request_run("usb-drill", job, inline=True)
    assert again.status == RunStatus.SUCCEEDED, again.message
    assert again.items.get(user=alice).stats["mode"] == "compared"


def test_a_drill_with_the_drive_absent_is_skipped(people, usb_drive, mounts):
    alice, _bob = people
    job = make_job(usb_drive, [alice])
    assert request_run("usb", job, inline=True).status == RunStatus.SUCCEEDED
    mounts.umount(usb_drive)
    drill = request_run("usb-drill", job, inline=True)
    assert drill.status == RunStatus.SKIPPED and "BACKUP1" in drill.message
