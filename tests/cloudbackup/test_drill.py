"""Cloud restore drills against the real OpenSSH test server (tests/fixtures/sshd.py), plain and crypt."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from anemone.runs.models import RunStatus
from anemone.runs.services import request as request_run
from cloudbackup.models import Kind
from tests.cloudbackup.conftest import make_destination, put

pytestmark = pytest.mark.django_db


def flip_one_byte(path: Path, offset: int = 100) -> None:
    """Silent damage, as a failing disk does it: one byte changed, size and modification time kept."""
    info = path.stat()
    with open(path, "r+b") as handle:
        handle.seek(offset)
        byte = handle.read(1)
        handle.seek(offset)
        handle.write(bytes([byte[0] ^ 0xFF]))
    os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns))


@pytest.fixture(params=[False, True], ids=["plain", "crypt"])
def destination(request, rclone_key, sshd):  # type: ignore[no-untyped-def]
    return make_destination(Kind.SFTP, crypt=request.param, sshd=sshd)


def synced(dest):  # type: ignore[no-untyped-def]
    run = request_run("cloud", dest.pk, inline=True)
    assert run.status == RunStatus.SUCCEEDED, run.message
    return run


def test_a_drill_of_an_untouched_mirror_passes(destination, admin_user, alice, bob):
    for i in range(25):
        put(alice, f"docs/{i}.txt", os.urandom(3000))
    put(bob, "cv.pdf", os.urandom(20_000))
    synced(destination)
    drill = request_run("cloud-drill", destination.pk, inline=True)
    assert drill.status == RunStatus.SUCCEEDED, drill.message
    items = {i.user.username: i for i in drill.items.all() if i.status != RunStatus.SKIPPED}
    assert items["alice"].stats["checked"] == 20 and items["bob"].stats["checked"] == 1
    for item in items.values():
        assert item.stats["mismatched"] == 0 and item.stats["missing"] == 0
        assert item.stats["mode"] == "compared", item.stats
    assert drill.files_done == 21 and drill.target_id == destination.pk
    page = admin_page(f"/cloud/{destination.pk}/")
    assert 'id="drill-now"' in page and "Restore drill passed" in page


def admin_page(url: str) -> str:
    from django.test import Client

    from tests.conftest import PASSWORD

    browser = Client()
    assert browser.login(username="admin", password=PASSWORD)
    answer = browser.get(url)
    assert answer.status_code == 200
    return answer.content.decode()


def test_a_drill_after_one_byte_changed_at_the_destination_fails(destination, admin_user, alice, data_dir):
    put(alice, "taxes-2026.pdf", os.urandom(90_000))
    synced(destination)
    stored = [p for p in Path(destination.remote_path).rglob("*") if p.is_file()]
    assert len(stored) == 1  # the one file (encrypted, under an encrypted name, with crypt)
    assert (stored[0].name == "taxes-2026.pdf") is not destination.has_crypt
    flip_one_byte(stored[0])
    drill = request_run("cloud-drill", destination.pk, inline=True)
    assert drill.status == RunStatus.FAILED, drill.message
    item = drill.items.get(user=alice)
    assert item.status == RunStatus.FAILED
    assert item.stats["mismatched"] + item.stats["missing"] == 1, item.stats
    assert "taxes-2026.pdf" in item.message
    assert "alice" in drill.message and "taxes-2026.pdf" not in drill.message
    assert not list((data_dir / "drills").iterdir())


def test_a_drill_of_an_unreachable_destination_fails_once_with_what_to_do(rclone_key, sshd, admin_user, alice, bob):
    from tests.fixtures.sshd import free_port

    dest = make_destination(Kind.SFTP, sshd=sshd)
    put(alice, "a.txt", os.urandom(2000))
    put(bob, "b.txt", os.urandom(2000))
    synced(dest)
    dest.port = free_port()  # nothing listens there any more
    dest.save()
    drill = request_run("cloud-drill", dest.pk, inline=True)
    assert drill.status == RunStatus.FAILED
    assert "listing the newest copy" in drill.message and "Test connection" in drill.message
    assert drill.items.count() == 1  # the next person would fail alike: the drill stopped
