"""USB in the API: endpoints in the schema, drives, jobs (with the free-space rule), sync."""

from __future__ import annotations

import pytest
from django_q.models import Schedule
from drf_spectacular.generators import SchemaGenerator

from anemone.files.paths import area_root

pytestmark = pytest.mark.django_db


def test_it_documents_the_usb_endpoints_in_the_schema():
    paths = SchemaGenerator().get_schema(request=None, public=True)["paths"]
    assert set(paths["/api/v1/usb/backups/"]) >= {"get", "post"}
    assert set(paths["/api/v1/usb/backups/{id}/"]) >= {"get", "put", "patch", "delete"}
    assert set(paths["/api/v1/usb/backups/{id}/sync/"]) == {"post"}
    assert set(paths["/api/v1/usb/backups/{id}/snapshots/"]) == {"get"}
    assert set(paths["/api/v1/usb/drives/"]) == {"get"}
    assert set(paths["/api/v1/usb/drives/eject/"]) == {"post"}


def test_it_lists_drives_in_the_api_for_admins_only(api, admin_user, alice, usb_drive):
    drives = api(admin_user).get("/api/v1/usb/drives/").json()
    assert [(d["mount_point"], d["label"], d["identity"][:5]) for d in drives] == [(str(usb_drive), "BACKUP1", "uuid:")]
    assert api(alice).get("/api/v1/usb/drives/").status_code == 403


def test_it_manages_jobs_in_the_api_and_queues_a_sync(api, admin_user, alice, usb_drive):
    client = api(admin_user)
    created = client.post("/api/v1/usb/backups/", {
        "name": "api-job", "drive_mount_point": str(usb_drive), "scope": "config_users", "users": ["alice"],
        "schedule_kind": "weekly", "schedule_time": "04:00"}, format="json")
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["drive_label"] == "BACKUP1" and body["users"] == ["alice"]
    assert Schedule.objects.filter(name=f"usb:{body['id']}").exists()
    listed = client.get("/api/v1/usb/backups/").json()["results"]
    assert listed[0]["drive_present"] is True
    sync = client.post(f"/api/v1/usb/backups/{body['id']}/sync/")
    assert sync.status_code == 202 and sync.json()["status"] == "queued"
    assert client.post(f"/api/v1/usb/backups/{body['id']}/sync/").status_code == 409
    assert api(alice).post(f"/api/v1/usb/backups/{body['id']}/sync/").status_code == 403
    bad = client.post("/api/v1/usb/backups/", {"name": "x", "drive_mount_point": "/"}, format="json")
    assert bad.status_code == 400
    assert client.delete(f"/api/v1/usb/backups/{body['id']}/").status_code == 204
    assert not Schedule.objects.filter(name=f"usb:{body['id']}").exists()


def test_it_refuses_a_job_bigger_than_the_free_space_unless_told(api, admin_user, alice, mounts):
    # Room for the configuration (about the database's size: on PostgreSQL over 1 MiB with every table),
    # not for alice's 6 MiB.
    tiny = mounts.tmpfs("tiny", size="4m")
    (area_root(alice, "backup") / "big.bin").write_bytes(b"x" * 6 * 2**20)
    job = {"name": "too-big", "drive_mount_point": str(tiny), "scope": "config_users", "users": ["alice"]}
    refused = api(admin_user).post("/api/v1/usb/backups/", job, format="json")
    assert refused.status_code == 400 and "free on the drive" in refused.json()["accept_over_free"][0]
    accepted = api(admin_user).post("/api/v1/usb/backups/", {**job, "accept_over_free": True}, format="json")
    assert accepted.status_code == 201, accepted.json()
    config_only = api(admin_user).patch(f"/api/v1/usb/backups/{accepted.json()['id']}/", {"scope": "config"},
                                        format="json")
    assert config_only.status_code == 200  # the configuration alone fits
    back = api(admin_user).patch(f"/api/v1/usb/backups/{accepted.json()['id']}/", {"scope": "config_users"},
                                 format="json")
    assert back.status_code == 400  # the rule holds on update too (the drive is found by its identity)
