"""P2P restores that went wrong (issue #11): quotas ignored and copies doubled (13), empty restored-… folders
left by failures (14), a file named '*' restoring 16 files (24), a path not in the snapshot reported as
a success (31). Real restic, through our real SFTP endpoint (tests/p2p/conftest.py)."""

from __future__ import annotations

import os
import shutil

import pytest

from anemone.files.landing import STAGE_PREFIX
from anemone.files.paths import area_root, user_root
from anemone.runs import services as runs
from anemone.runs.models import Run, RunStatus
from p2p import restore
from tests.p2p.conftest import tree_digest
from tests.p2p.test_views import back_up

pytestmark = pytest.mark.django_db(transaction=True)

SNAPSHOTS = "/api/v1/p2p/snapshots/"
ODD = ["*", "?", "[a]", "a*b"]
ORDINARY = ["a", "b", "ab", "axb", "a-b", "aab", "c", "d", "e", "f", "g", "h", "[", "]", "ba", "x?y"]


def restore_now(target, person, snapshot: str, path: str) -> Run:  # type: ignore[no-untyped-def]
    run = restore.request_restore(target, person, snapshot, path=path, queue=False)
    runs.hand_over(run, inline=True)
    run.refresh_from_db()
    return run


def visible(person) -> list[str]:  # type: ignore[no-untyped-def]
    """Everything in the person's backup area, as paths, plus any staging folder left beside the areas."""
    area = area_root(person, "backup")
    found = sorted(p.relative_to(area).as_posix() for p in area.rglob("*"))
    return found + sorted(p.name for p in user_root(person.username).iterdir() if p.name.startswith(STAGE_PREFIX))


def test_a_file_named_like_a_pattern_restores_only_itself(api, friend, alice):
    files = {f"odd/{name}": f"content of {name}\n".encode() for name in ODD + ORDINARY}
    short = back_up(friend, alice, files)
    client = api(alice)
    for name in ODD:
        download = client.get(f"{SNAPSHOTS}download/", {"peer": "friend", "snapshot": short, "path": f"odd/{name}"})
        assert download.status_code == 200 and b"".join(download.streaming_content) == files[f"odd/{name}"], name
    for name in ODD:
        shutil.rmtree(area_root(alice, "backup") / "odd")
        run = restore_now(friend, alice, short, f"odd/{name}")
        assert run.status == RunStatus.SUCCEEDED, run.message
        assert visible(alice) == ["odd", f"odd/{name}"], name  # exactly the one file came back
        assert (area_root(alice, "backup") / "odd" / name).read_bytes() == files[f"odd/{name}"]


def test_a_path_not_in_the_snapshot_is_a_failure_and_leaves_nothing(api, client, friend, alice):
    short = back_up(friend, alice, {"notes.txt": b"notes"})
    before = visible(alice)
    run = restore_now(friend, alice, short, "no/such/thing.txt")
    assert run.status == RunStatus.FAILED
    assert "not in this copy" in run.message and "not in this copy" in run.items.get().message
    assert visible(alice) == before  # no empty restored-… folder, no staging left
    refused = api(alice).post(f"{SNAPSHOTS}restore/", {"peer": "friend", "snapshot": short, "path": "nope.txt"},
                              format="json")
    assert refused.status_code == 404 and "in this snapshot" in refused.json()["detail"]
    client.force_login(alice)
    page = client.post(f"/p2p/restore/friend/{short}/restore/", {"path": "nope.txt"})
    assert page.status_code == 404
    assert Run.objects.filter(kind=restore.KIND).count() == 1  # the refusals queued nothing


def test_a_restore_that_does_not_fit_the_quota_is_refused_with_the_figures(friend, alice):
    short = back_up(friend, alice, {"big.bin": os.urandom(300_000), "small.txt": b"small"})
    (area_root(alice, "backup") / "big.bin").unlink()
    alice.usage_backup_bytes = 5
    alice.quota_backup_bytes = 200_000
    alice.save()
    run = restore_now(friend, alice, short, "")
    assert run.status == RunStatus.FAILED
    assert "Not enough space" in run.message and "293.0\xa0KB needed" in run.message and "195.3\xa0KB left" in run.message, run.message
    assert visible(alice) == ["small.txt"]  # nothing landed, nothing left half-way
    alice.refresh_from_db()
    assert alice.usage_backup_bytes == 5
    alice.quota_backup_bytes = 0
    alice.save()
    assert restore_now(friend, alice, short, "").status == RunStatus.SUCCEEDED


def test_files_go_back_where_they_were_and_a_changed_file_is_kept_beside(friend, alice):
    files = {"notes.txt": b"old notes", "photos/beach.jpg": os.urandom(50_000), "docs/a.txt": b"a"}
    short = back_up(friend, alice, files)
    area = area_root(alice, "backup")
    (area / "notes.txt").write_bytes(b"new notes, written since")
    shutil.rmtree(area / "photos")
    run = restore_now(friend, alice, short, "")
    assert run.status == RunStatus.SUCCEEDED, run.message
    snapshot_day = run.items.get().stats["snapshot_id"] and restore.find_snapshot(friend, alice, short).time[:10]
    beside = f"notes (restored {snapshot_day}).txt"
    assert visible(alice) == sorted(["docs", "docs/a.txt", "notes.txt", beside, "photos", "photos/beach.jpg"])
    assert (area / "photos/beach.jpg").read_bytes() == files["photos/beach.jpg"]  # back at its own path
    assert (area / "notes.txt").read_bytes() == b"new notes, written since"  # the current one kept
    assert (area / beside).read_bytes() == b"old notes"
    item = run.items.get()
    assert "1 kept beside" in item.message and "already there unchanged" in item.message, item.message
    assert "back in place in backup/" in run.message
    assert not any(p.name.startswith("restored-") for p in area.iterdir())  # no folder of copies to upload again
    assert item.bytes == 50_000 + len(b"old notes")  # only what landed counts


def test_the_bulk_restore_puts_everyone_back_in_place(api, friend, alice, admin_user):
    files = {"x/1.txt": b"one", "2.bin": os.urandom(5000)}
    back_up(friend, alice, files)
    before = tree_digest(area_root(alice, "backup"))
    (area_root(alice, "backup") / "2.bin").unlink()
    (area_root(alice, "backup") / "since.txt").write_bytes(b"since")
    run = restore.request_bulk_restore(friend, ["alice"], queue=False)
    runs.hand_over(run, inline=True)
    run.refresh_from_db()
    assert run.status == RunStatus.SUCCEEDED, run.message
    assert tree_digest(area_root(alice, "backup")) == {**before, **tree_digest_of({"since.txt": b"since"})}
    assert "alice: 1 file(s) back in place" in run.message


def tree_digest_of(files: dict[str, bytes]) -> dict[str, str]:
    import hashlib

    return {name: hashlib.sha256(content).hexdigest() for name, content in files.items()}
