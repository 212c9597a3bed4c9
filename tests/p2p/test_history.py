"""History at the peer stays where it is, or its loss is said out loud (issue #11, items 29 and 31): a
repository deleted at the peer is not silently re-created, and renaming the server keeps every snapshot
listed and restorable."""

from __future__ import annotations

import os
import shutil
import time

import pytest
from django.urls import reverse

from anemone.files.paths import area_root
from anemone.models import SiteSettings
from anemone.runs.models import Run, RunStatus
from anemone.runs.services import request as request_run
from p2p import backup, repos
from p2p import restore as p2p_restore
from p2p.health import check_repositories
from p2p.models import UserRepository
from peers import services as peer_services
from tests.conftest import api_client_for
from tests.p2p.conftest import tree_digest, write_files
from tests.p2p.test_failures import repo_dir

pytestmark = pytest.mark.django_db(transaction=True)


def run_backup(target):  # type: ignore[no-untyped-def]
    run = request_run("p2p", target.pk, inline=True)
    run.refresh_from_db()
    return run


def forget_listings_at_the_peer() -> None:
    """The endpoint drops its sessions and cached listings (as after a peer's data was deleted there)."""
    peer_services.revoke_logins()
    deadline = time.monotonic() + 15
    while peer_services.restart_marker().exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    time.sleep(1)


def test_a_repository_deleted_at_the_peer_is_not_recreated_and_the_admin_is_told(client, friend, alice, bob,
                                                                                 admin_user):
    write_files(alice, {"a.txt": b"alice"})
    write_files(bob, {"b.txt": b"bob"})
    assert run_backup(friend).status == RunStatus.SUCCEEDED
    shutil.rmtree(repo_dir(friend, "alice"))  # gone at the friend's (deleted, or their disk not mounted)
    forget_listings_at_the_peer()
    write_files(alice, {"a2.txt": b"more"})
    run = run_backup(friend)
    assert run.status == RunStatus.PARTIAL, run.message
    assert "repository missing at the friend's server: history gone" in run.message.splitlines()[0]
    items = {i.user.username: i for i in run.items.all()}
    assert items["alice"].status == RunStatus.FAILED and "history gone" in items["alice"].message
    assert items["bob"].status == RunStatus.SUCCEEDED
    assert not (repo_dir(friend, "alice") / "config").exists(), "the repository was silently re-created"
    assert UserRepository.objects.get(target=friend, user=alice).history_missing
    repository_check = check_repositories(friend.peer)
    assert repository_check.status == "fail" and "history gone for alice" in repository_check.detail
    refused = api_client_for(admin_user).post(f"/api/v1/p2p/targets/{friend.pk}/sync/", {"new_history": ["zed"]},
                                              format="json")
    assert refused.status_code == 400  # only someone the target carries

    client.force_login(admin_user)
    page = client.get(reverse("p2p:detail", args=[friend.pk])).content.decode()
    assert "history gone" in page and 'id="new-history-alice"' in page and "Start a new history for alice" in page
    # The admin's explicit choice: a new, empty history for alice only.
    assert client.post(reverse("p2p:backup", args=[friend.pk]), {"new_history": "alice"}).status_code == 302
    queued = Run.objects.filter(kind=backup.KIND, status=RunStatus.QUEUED).get()
    assert queued.options["users"] == ["alice"]
    backup.runs.execute(queued.pk, backup.backup_body)
    queued.refresh_from_db()
    assert queued.status == RunStatus.SUCCEEDED, queued.message
    assert (repo_dir(friend, "alice") / "config").is_file()
    record = UserRepository.objects.get(target=friend, user=alice)
    assert not record.history_missing and not record.problem
    assert len(p2p_restore.list_snapshots(friend, alice)) == 1
    assert 'id="new-history-alice"' not in client.get(reverse("p2p:detail", args=[friend.pk])).content.decode()


def test_renaming_the_server_keeps_every_snapshot_listed_and_restorable(client, friend, alice, admin_user, tmp_path):
    original = {"photos/beach.jpg": os.urandom(50_000), "notes.txt": b"before the rename\n"}
    write_files(alice, original)
    assert run_backup(friend).status == RunStatus.SUCCEEDED
    folder_before = repos.base_path(friend)
    client.force_login(admin_user)
    form = {"server_name": "family-nas", "language": "en", "portal_url": "", "trash_retention_days": 30}
    asked = client.post("/settings/", form)
    text = asked.content.decode()
    assert asked.status_code == 200 and SiteSettings.load().server_name != "family-nas"
    assert "keep using their folder there" in text and f"friend: {folder_before}" in text
    done = client.post("/settings/", {**form, "confirm_rename": "on"}, follow=True)
    assert SiteSettings.load().server_name == "family-nas"
    assert "every snapshot made before the rename stays listed and restorable" in done.content.decode()

    write_files(alice, {"after.txt": b"after the rename\n"})
    friend.refresh_from_db()
    assert run_backup(friend).status == RunStatus.SUCCEEDED
    assert repos.base_path(friend) == folder_before
    snapshots = p2p_restore.list_snapshots(friend, alice)
    assert len(snapshots) == 2, "the snapshot made before the rename is not listed"
    assert not (peer_services.peer_root(friend.peer) / "family-nas").exists()
    oldest = snapshots[-1]
    out = tmp_path / "restored"
    from anemone.engines import restic

    restic.restore(repos.repository(friend, alice), oldest.id, out)
    backup_area = tmp_path / "expected"
    for rel, content in original.items():
        (backup_area / rel).parent.mkdir(parents=True, exist_ok=True)
        (backup_area / rel).write_bytes(content)
    assert tree_digest(out) == tree_digest(backup_area)
    assert area_root(alice, "backup").is_dir()


def test_the_django_admin_starts_a_new_history_explicitly(client, friend, alice, admin_user):
    from django.utils import timezone

    record = UserRepository.objects.create(target=friend, user=alice, initialised_at=timezone.now(),
                                           last_snapshot_id="ab" * 32, history_missing=True, problem="history gone")
    client.force_login(admin_user)
    response = client.post(reverse("admin:p2p_userrepository_changelist"),
                           {"action": "start_new_history", "_selected_action": [record.pk]}, follow=True)
    assert "The next backup starts a new history for 1 repositories." in response.content.decode()
    record.refresh_from_db()
    assert not record.had_history and not record.history_missing and not record.problem
