"""A destination folder that vanished after good syncs is not silently made again (issue 11, item 27).

On a server whose backup disk came unmounted, rclone would create the folder again on the system disk and fill
it, and the history in .versions/ would look gone: the sync stops and says so, until the disk is back or the
admin asks to start again from an empty folder."""

from __future__ import annotations

import shutil

import pytest
from django.core.management import call_command

from anemone.runs.models import RunStatus
from anemone.runs.services import request as request_run
from cloudbackup import sync
from cloudbackup.models import Kind
from tests.cloudbackup.conftest import make_destination, put, server_root, tree

pytestmark = pytest.mark.django_db


# SFTP only: the rclone serve s3/webdav stand-ins cache their listings, so files removed behind them stay visible
# (turning that cache off made every other cloud test several times slower).
@pytest.fixture(params=[(Kind.SFTP, False), (Kind.SFTP, True)],
                ids=lambda p: f"{p[0]}{'-crypt' if p[1] else ''}")
def synced(request, rclone_key, sshd, s3_server, webdav_server, alice):
    kind, crypt = request.param
    dest = make_destination(kind, crypt=crypt, sshd=sshd, s3=s3_server, webdav=webdav_server)
    put(alice, "photos/cat.jpg", b"cat")
    first = request_run("cloud", dest.pk, inline=True)
    first.refresh_from_db()
    assert first.status == RunStatus.SUCCEEDED, first.message
    root = server_root(dest, sshd=sshd, s3=s3_server, webdav=webdav_server)
    assert tree(root)
    return dest, root


def test_a_vanished_folder_stops_the_sync_and_nothing_is_written(synced):
    dest, root = synced
    shutil.rmtree(root)  # the backup disk came unmounted: the path is gone
    run = request_run("cloud", dest.pk, inline=True)
    run.refresh_from_db()
    assert run.status == RunStatus.FAILED
    assert "gone or empty" in run.message and "mount it again" in run.message, run.message
    assert not root.exists()  # not re-created: nothing landed on the wrong disk


def test_an_empty_folder_stops_it_too_and_the_admin_can_start_again(synced):
    dest, root = synced
    shutil.rmtree(root)
    root.mkdir(parents=True)  # an empty mount point
    run = request_run("cloud", dest.pk, inline=True)
    run.refresh_from_db()
    assert run.status == RunStatus.FAILED and tree(root) == {}
    again = request_run("cloud", dest.pk, options={"recreate_remote": True}, inline=True)
    again.refresh_from_db()
    assert again.status == RunStatus.SUCCEEDED, again.message
    assert tree(root)  # the copy starts again, as asked
    later = request_run("cloud", dest.pk, inline=True)  # and later syncs see it as theirs
    later.refresh_from_db()
    assert later.status == RunStatus.SUCCEEDED, later.message


def test_a_first_sync_still_creates_the_folder(rclone_key, sshd, alice):
    dest = make_destination(Kind.SFTP, sshd=sshd)
    shutil.rmtree(dest.remote_path)
    put(alice, "a.txt", b"a")
    run = request_run("cloud", dest.pk, inline=True)
    run.refresh_from_db()
    assert run.status == RunStatus.SUCCEEDED, run.message


def test_the_api_the_page_and_the_cli_can_start_again(rclone_key, sshd, alice, admin_user, api, client):
    dest = make_destination(Kind.SFTP, sshd=sshd)
    put(alice, "a.txt", b"a")
    request_run("cloud", dest.pk, inline=True)
    shutil.rmtree(dest.remote_path)
    response = api(admin_user).post(f"/api/v1/cloud/destinations/{dest.pk}/sync/", {"recreate_remote": "maybe"},
                                    format="json")
    assert response.status_code == 400  # validated at the edge, not read as "false"
    response = api(admin_user).post(f"/api/v1/cloud/destinations/{dest.pk}/sync/", {"recreate_remote": True},
                                    format="json")
    assert response.status_code == 202 and response.json()["id"]
    from anemone.runs.models import Run

    run = Run.objects.get(pk=response.json()["id"])
    assert run.options["recreate_remote"] is True
    Run.objects.filter(pk=run.pk).delete()
    client.force_login(admin_user)
    page = client.get(f"/cloud/{dest.pk}/").content.decode()
    assert 'name="recreate_remote"' in page
    client.post(f"/cloud/{dest.pk}/sync/", {"recreate_remote": "1"})
    run = Run.objects.get(kind=sync.KIND, status=RunStatus.QUEUED)
    assert run.options["recreate_remote"] is True
    Run.objects.filter(pk=run.pk).delete()
    call_command("cloud_sync", dest.name, "--recreate-remote", "--wait")
    assert (sshd.root / "srv" / dest.name / "backup/alice/a.txt").read_bytes() == b"a"
