"""P2P restore drills against real restic through our real SFTP endpoint on 127.0.0.1 (tests/p2p/conftest.py)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from anemone.runs.models import RunStatus
from anemone.runs.services import request as request_run
from p2p import repos
from tests.p2p.conftest import write_files

pytestmark = pytest.mark.django_db(transaction=True)


def repo_dir(data_dir: Path, target, username: str) -> Path:  # type: ignore[no-untyped-def]
    return data_dir / "incoming" / target.peer.name / repos.base_path(target) / username


def flip_byte_in_data_pack(repo: Path, offset: int = 200) -> Path:
    """One byte changed inside a data pack (the biggest pack file: the file contents, not the trees)."""
    pack = max((p for p in (repo / "data").rglob("*") if p.is_file()), key=lambda p: p.stat().st_size)
    pack.chmod(0o600)
    with open(pack, "r+b") as handle:
        handle.seek(offset)
        byte = handle.read(1)
        handle.seek(offset)
        handle.write(bytes([byte[0] ^ 0xFF]))
    return pack


def test_a_drill_of_an_untouched_copy_passes_and_compares_with_the_source(friend, alice, bob):
    write_files(alice, {f"photos/{i}.jpg": os.urandom(20_000) for i in range(30)})
    write_files(bob, {"cv.pdf": os.urandom(30_000)})
    backup = request_run("p2p", friend, inline=True)
    assert backup.status == RunStatus.SUCCEEDED, backup.message
    drill = request_run("p2p-drill", friend, inline=True)
    assert drill.status == RunStatus.SUCCEEDED, drill.message
    assert drill.kind == "p2p-drill" and drill.target_id == friend.pk
    items = {i.user.username: i for i in drill.items.all()}
    assert items["alice"].stats["checked"] == 20  # the sample is capped at 20 files of 30
    assert items["bob"].stats["checked"] == 1
    assert items["admin"].status == RunStatus.SKIPPED  # nothing of theirs to back up: no copy, not a failure
    for item in (items["alice"], items["bob"]):
        assert item.stats["mismatched"] == 0 and item.stats["missing"] == 0
        assert item.stats["mode"] == "compared", (item.user.username, item.stats, item.message)
    assert drill.files_done == 21
    assert "passed" in drill.message
    from tests.cloudbackup.test_drill import admin_page

    page = admin_page(f"/p2p/{friend.pk}/")
    assert f'action="/p2p/{friend.pk}/drill/"' in page and "Restore drill passed" in page


def test_a_drill_after_a_changed_source_checks_the_copy_itself(friend, alice, data_dir):
    write_files(alice, {"notes.txt": os.urandom(10_000)})
    assert request_run("p2p", friend, inline=True).status == RunStatus.SUCCEEDED
    write_files(alice, {"notes.txt": os.urandom(12_000)})  # changed since the copy
    drill = request_run("p2p-drill", friend, inline=True)
    assert drill.status == RunStatus.SUCCEEDED, drill.message
    item = drill.items.get(user=alice)
    assert item.stats["checked"] == 1 and item.stats["mode"] == "integrity"
    assert not list((data_dir / "drills").iterdir())  # the scratch folder is always removed


def test_a_drill_after_one_byte_changed_in_a_data_pack_fails_and_names_the_file(friend, alice, bob, data_dir):
    write_files(alice, {"taxes-2026.pdf": os.urandom(40_000)})
    write_files(bob, {"cv.pdf": os.urandom(30_000)})
    assert request_run("p2p", friend, inline=True).status == RunStatus.SUCCEEDED
    flip_byte_in_data_pack(repo_dir(data_dir, friend, "alice"))
    drill = request_run("p2p-drill", friend, inline=True)
    assert drill.status == RunStatus.FAILED, drill.message
    alice_item, bob_item = drill.items.get(user=alice), drill.items.get(user=bob)
    assert alice_item.status == RunStatus.FAILED
    assert alice_item.stats["mismatched"] + alice_item.stats["missing"] == 1
    assert "taxes-2026.pdf" in alice_item.message  # her own item names her file
    assert bob_item.status == RunStatus.SUCCEEDED and bob_item.stats["mismatched"] == 0
    assert "alice" in drill.message and "1 of 1" in drill.message and "Repaired" in drill.message
    assert "taxes-2026.pdf" not in drill.message  # the run-wide message names no file
    assert not list((data_dir / "drills").iterdir())


def test_damage_found_by_a_drill_keeps_the_checklist_red_until_a_drill_passes(friend, alice, data_dir):
    from anemone.runs.history import last_drill
    from p2p.health import check_repositories

    write_files(alice, {"taxes-2026.pdf": os.urandom(40_000)})
    assert request_run("p2p", friend, inline=True).status == RunStatus.SUCCEEDED
    assert check_repositories(friend.peer).status == "ok"
    pack = flip_byte_in_data_pack(repo_dir(data_dir, friend, "alice"))
    failed = request_run("p2p-drill", friend, inline=True)
    assert failed.status == RunStatus.FAILED
    assert "Repaired: 1 damaged pack removed" in failed.items.get(user=alice).message  # restic repair packs
    assert not pack.exists()
    assert not list(Path.cwd().glob("pack-*")) and not list((data_dir / "drills").iterdir())  # restic's leftovers
    check = check_repositories(friend.peer)
    assert check.status == "fail" and "alice" in check.detail, check  # repaired, not yet proven
    write_files(alice, {"later.txt": b"a later file\n"})
    assert request_run("p2p", friend, inline=True).status == RunStatus.SUCCEEDED  # re-sends the damaged file
    assert check_repositories(friend.peer).status == "fail"  # a backup alone does not clear it
    assert last_drill("p2p", friend.pk).status == RunStatus.FAILED
    passed = request_run("p2p-drill", friend, inline=True)
    assert passed.status == RunStatus.SUCCEEDED, passed.message
    assert passed.items.get(user=alice).stats["mode"] == "compared"  # the re-sent file, byte for byte
    assert check_repositories(friend.peer).status == "ok"
