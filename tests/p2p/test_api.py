"""P2P in the API with tokens: targets (admins), snapshots for each person, bulk restore — real restic."""

from __future__ import annotations

import io
import os
import shutil
import zipfile

import pytest

from anemone.files.paths import area_root
from anemone.runs import services as runs
from anemone.runs.models import Run, RunStatus
from p2p import backup, restore, services
from tests.p2p.conftest import tree_digest, write_files
from tests.p2p.test_views import add_peer, alice_files, back_up

pytestmark = pytest.mark.django_db(transaction=True)

TARGETS = "/api/v1/p2p/targets/"
SNAPSHOTS = "/api/v1/p2p/snapshots/"


def test_admins_read_and_update_targets_with_clear_validation_errors(api, friend, alice, bob, admin_user):
    client = api(admin_user)
    listed = client.get(TARGETS).data["results"]
    assert [t["peer"] for t in listed] == ["friend"]
    assert listed[0]["schedule_description"] == "daily at 01:30" and listed[0]["users"] == []
    assert set(listed[0]["reciprocity"]) == {"stored_here_bytes", "stored_there_bytes", "last_backup_at", "stale"}
    assert listed[0]["reciprocity"]["stale"] is True  # carries people, never backed up
    url = f"{TARGETS}{friend.pk}/"
    bad = client.patch(url, {"port": 70000, "host": "bad host!", "users": ["nobody"], "verify_percent": 0},
                       format="json")
    assert bad.status_code == 400
    assert set(bad.data) == {"port", "host", "users", "verify_percent"}
    assert "A host name or an IP address." in str(bad.data["host"]) and "nobody" in str(bad.data["users"])
    good = client.patch(url, {"users": ["alice"], "keep_last": 3, "schedule_kind": "interval",
                              "schedule_interval_minutes": 90}, format="json")
    assert good.status_code == 200, good.data
    assert good.data["users"] == ["alice"] and good.data["schedule_description"] == "every 90 min"
    friend.refresh_from_db()
    assert list(friend.carried_users()) == [alice] and friend.keep_last == 3
    assert client.post(TARGETS, {}, format="json").status_code == 405  # targets follow peers
    assert client.delete(url).status_code == 405


def test_sync_answers_202_with_the_run_and_409_while_one_is_active(api, friend, alice, admin_user):
    client = api(admin_user)
    active = runs.start(backup.KIND, friend.pk, label="friend")
    busy = client.post(f"{TARGETS}{friend.pk}/sync/", {}, format="json")
    assert busy.status_code == 409
    assert busy.data == {"detail": f"A backup to friend is already queued or running. (run #{active.pk})",
                         "run": active.pk}
    runs.skip(active, "test")
    stranger = client.post(f"{TARGETS}{friend.pk}/sync/", {"users": ["zed"]}, format="json")
    assert stranger.status_code == 400 and "not carried by friend: zed" in str(stranger.data["users"])
    started = client.post(f"{TARGETS}{friend.pk}/sync/", {"users": ["alice"]}, format="json")
    assert started.status_code == 202
    assert started.data["kind"] == "p2p" and started.data["status"] == "queued" and started.data["trigger"] == "api"
    assert Run.objects.get(pk=started.data["id"]).options == {"users": ["alice"]}


def test_health_returns_the_five_checks_with_the_repository_check_real(api, friend, alice, admin_user):
    client = api(admin_user)
    write_files(alice, {"a.txt": b"a"})
    before = client.post(f"{TARGETS}{friend.pk}/health/").data  # POST runs them; GET shows the last result
    assert [c["key"] for c in before] == ["wireguard", "vpn", "sftp", "repository", "backup"]
    assert before[3]["status"] == "fail" and before[3]["detail"] == "no repository yet for alice"
    assert before[4]["status"] == "pending" and "waiting for check 4" in before[4]["detail"]  # stops at the first failure
    back_up(friend, alice, {"a.txt": b"a"})
    after = {c["key"]: c for c in client.post(f"{TARGETS}{friend.pk}/health/").data}
    assert after["repository"]["status"] == "ok" and after["backup"]["status"] == "ok", after


def test_a_person_lists_browses_downloads_and_restores_their_snapshots(api, friend, alice):
    files = alice_files()
    short = back_up(friend, alice, files)
    client = api(alice)
    listed = client.get(SNAPSHOTS, {"peer": "friend"})
    assert listed.status_code == 200
    assert [(s["short_id"], s["files"], s["size"]) for s in listed.data] == [(short, 3, sum(map(len, files.values())))]
    entries = client.get(f"{SNAPSHOTS}browse/", {"peer": "friend", "snapshot": short, "path": "photos/2026"}).data
    assert [(e["name"], e["type"], e["path"], e["size"]) for e in entries] == [
        ("beach.jpg", "file", "photos/2026/beach.jpg", 300_000)]
    download = client.get(f"{SNAPSHOTS}download/", {"peer": "friend", "snapshot": short, "path": "photos/2026/beach.jpg"})
    assert download.status_code == 200 and b"".join(download.streaming_content) == files["photos/2026/beach.jpg"]
    folder = client.get(f"{SNAPSHOTS}download/", {"peer": "friend", "snapshot": short, "path": ""})
    archive = zipfile.ZipFile(io.BytesIO(b"".join(folder.streaming_content)))
    assert archive.read(next(n for n in archive.namelist() if n.endswith("notes.txt"))) == files["notes.txt"]
    shutil.rmtree(area_root(alice, "backup") / "docs")
    started = client.post(f"{SNAPSHOTS}restore/", {"peer": "friend", "snapshot": short, "path": "docs"}, format="json")
    assert started.status_code == 202 and started.data["kind"] == restore.KIND
    runs.hand_over(Run.objects.get(pk=started.data["id"]), inline=True)
    assert not any(p.name.startswith("restored-") for p in area_root(alice, "backup").iterdir())
    assert (area_root(alice, "backup") / "docs/letters/bank.txt").read_bytes() == files["docs/letters/bank.txt"]


def test_snapshots_are_scoped_to_their_owner(api, friend, alice, bob, admin_user):
    alice_short = back_up(friend, alice, alice_files())
    back_up(friend, bob, {"cv.txt": b"bob"})
    add_peer("elsewhere", alice)
    bob_api = api(bob)
    assert "user:alice" not in str(bob_api.get(SNAPSHOTS, {"peer": "friend"}).data)
    assert bob_api.get(SNAPSHOTS, {"peer": "elsewhere"}).status_code == 404  # not carried: as if absent
    assert bob_api.get(SNAPSHOTS, {"peer": "friend", "username": "alice"}).status_code == 403
    query = {"peer": "friend", "snapshot": alice_short, "path": "notes.txt"}
    assert bob_api.get(f"{SNAPSHOTS}download/", query).status_code == 404
    assert bob_api.get(f"{SNAPSHOTS}browse/", {**query, "path": ""}).status_code == 404
    assert bob_api.post(f"{SNAPSHOTS}restore/", {**query, "path": ""}, format="json").status_code == 404
    as_admin = api(admin_user).get(SNAPSHOTS, {"peer": "friend", "username": "alice"})
    assert [s["short_id"] for s in as_admin.data] == [alice_short]
    assert not Run.objects.filter(kind=restore.KIND).exists()


def test_bad_snapshot_ids_and_paths_are_refused_clearly(api, friend, alice):
    short = back_up(friend, alice, {"a.txt": b"a"})
    client = api(alice)
    assert client.get(SNAPSHOTS).status_code == 400  # peer is required
    browse = f"{SNAPSHOTS}browse/"
    refused = client.get(browse, {"peer": "friend", "snapshot": "nothex!"})
    assert refused.status_code == 400 and refused.data["detail"] == "Not a snapshot id."
    assert client.get(browse, {"peer": "friend", "snapshot": short, "path": "../bob"}).status_code == 400
    missing = client.get(browse, {"peer": "friend", "snapshot": "deadbeef"})
    assert missing.status_code == 404 and missing.data["detail"] == "No such snapshot."
    assert client.get(f"{SNAPSHOTS}download/", {"peer": "friend", "snapshot": short, "path": "b.txt"}).status_code == 404
    restore_bad = client.post(f"{SNAPSHOTS}restore/", {"peer": "friend", "snapshot": short, "path": "/etc"}, format="json")
    assert restore_bad.status_code == 400 and not Run.objects.filter(kind=restore.KIND).exists()


def test_bulk_restore_brings_everyone_back_into_an_emptied_area(api, friend, alice, bob, admin_user):
    services.save_target(friend, users=[alice, bob])
    back_up(friend, alice, alice_files())
    back_up(friend, bob, {"cv.txt": b"bob's cv"})
    before = {p.username: tree_digest(area_root(p, "backup")) for p in (alice, bob)}
    shutil.rmtree(area_root(alice, "backup"))  # alice's area lost entirely
    (area_root(alice, "backup")).mkdir()
    (area_root(bob, "backup") / "cv.txt").unlink()
    (area_root(bob, "backup") / "new.txt").write_bytes(b"written since")  # bob's is not empty
    client = api(admin_user)
    refused = client.post("/api/v1/p2p/bulk-restore/", {"peer": "friend", "users": ["charlie"]}, format="json")
    assert refused.status_code == 400 and "charlie" in str(refused.data["users"])
    assert client.post("/api/v1/p2p/bulk-restore/", {"peer": "nowhere"}, format="json").status_code == 404
    started = client.post("/api/v1/p2p/bulk-restore/", {"peer": "friend", "users": []}, format="json")
    assert started.status_code == 202 and started.data["kind"] == restore.BULK_KIND
    runs.hand_over(Run.objects.get(pk=started.data["id"]), inline=True)
    run = Run.objects.get(pk=started.data["id"])
    assert run.status == RunStatus.SUCCEEDED, run.message
    assert tree_digest(area_root(alice, "backup")) == before["alice"]  # straight back into the empty area
    after = tree_digest(area_root(bob, "backup"))  # back in place, beside what was written since
    assert {k: v for k, v in after.items() if k != "new.txt"} == before["bob"]
    assert (area_root(bob, "backup") / "new.txt").read_bytes() == b"written since"


def test_a_file_of_several_mib_downloads_intact(api, friend, alice):
    """Several MiB cross many stream chunks: the API must not cut or buffer them wrongly."""
    big = os.urandom(5 * 2**20 + 123)
    short = back_up(friend, alice, {"big.bin": big})
    response = api(alice).get(f"{SNAPSHOTS}download/", {"peer": "friend", "snapshot": short, "path": "big.bin"})
    assert response["Content-Disposition"] == "attachment; filename*=UTF-8''big.bin"
    assert b"".join(response.streaming_content) == big
