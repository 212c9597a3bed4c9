"""API: tokens, me/, users/ and the file operations a phone app uses."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from anemone.files.paths import area_root
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def test_it_issues_and_revokes_a_token(alice, admin_user):
    client = APIClient()
    response = client.post("/api/v1/auth/token/", {"username": "alice", "password": PASSWORD})
    token = response.data["token"]
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.get("/api/v1/me/").data["username"] == "alice"
    assert client.delete("/api/v1/auth/token/").status_code == 204
    assert client.get("/api/v1/me/").status_code == 401


def test_it_answers_the_same_for_unknown_users_and_wrong_passwords(alice, admin_user):
    client = APIClient()
    wrong = client.post("/api/v1/auth/token/", {"username": "alice", "password": "nope"})
    unknown = client.post("/api/v1/auth/token/", {"username": "ghost", "password": "nope"})
    assert wrong.status_code == unknown.status_code == 400
    assert wrong.data == unknown.data


def test_it_locks_token_requests_after_five_failures(alice, admin_user):
    client = APIClient()
    for _ in range(5):
        client.post("/api/v1/auth/token/", {"username": "alice", "password": "nope"})
    locked = client.post("/api/v1/auth/token/", {"username": "alice", "password": PASSWORD})
    assert locked.status_code == 429 and "token" not in locked.json()


def test_it_reports_my_usage_and_changes_my_language(api, alice):
    client = api(alice)
    me = client.get("/api/v1/me/").data
    assert me["usage"]["backup"]["quota"] == alice.quota_backup_bytes
    assert "backup_key_sealed" not in me and "password" not in me
    assert client.patch("/api/v1/me/", {"language": "fr"}, format="json").data["language"] == "fr"


def test_it_lets_admins_add_users_with_an_activation_link(api, admin_user, alice):
    response = api(admin_user).post("/api/v1/users/", {"username": "gina", "email": "g@example.org"}, format="json")
    assert response.status_code == 201
    assert "/activate/" in response.data["activation_link"]
    assert api(alice).get("/api/v1/users/").status_code == 403
    listed = api(admin_user).get("/api/v1/users/").data["results"]
    assert {"admin", "alice", "gina"} <= {u["username"] for u in listed}
    assert all("password" not in u for u in listed)


def test_it_uploads_lists_downloads_with_range_renames_and_trashes(api, alice):
    client = api(alice)
    content = bytes(range(256)) * 100
    up = client.post("/api/v1/files/upload/", {"area": "backup", "path": "",
                                               "file": [SimpleUploadedFile("a.bin", content),
                                                        SimpleUploadedFile("b.txt", b"hello")]}, format="multipart")
    assert up.status_code == 201 and [f["path"] for f in up.data] == ["a.bin", "b.txt"]
    again = client.post("/api/v1/files/upload/", {"area": "backup", "file": SimpleUploadedFile("b.txt", b"again")},
                        format="multipart")
    assert again.data == [{"path": "b (1).txt"}]  # keep both
    names = [e["name"] for e in client.get("/api/v1/files/", {"area": "backup"}).data]
    assert names == ["a.bin", "b (1).txt", "b.txt"]
    part = client.get("/api/v1/files/download/", {"area": "backup", "path": "a.bin"}, HTTP_RANGE="bytes=100-199")
    assert part.status_code == 206 and b"".join(part.streaming_content) == content[100:200]
    assert part["Content-Range"] == f"bytes 100-199/{len(content)}"
    whole = client.get("/api/v1/files/download/", {"area": "backup", "path": "a.bin"})
    assert b"".join(whole.streaming_content) == content
    assert client.post("/api/v1/files/mkdir/", {"area": "backup", "path": "photos"}, format="json").status_code == 200
    renamed = client.post("/api/v1/files/rename/", {"area": "backup", "path": "b.txt", "new_name": "c.txt"}, format="json")
    assert renamed.data == {"path": "c.txt"}
    trashed = client.post("/api/v1/files/delete/", {"area": "backup", "path": "a.bin"}, format="json").data
    assert not (area_root(alice, "backup") / "a.bin").exists()
    entries = client.get("/api/v1/trash/").data
    assert [e["name"] for e in entries] == ["a.bin"] and entries[0]["id"] == trashed["trash_id"]
    alice.refresh_from_db()
    assert alice.usage_trash_bytes == len(content)
    assert client.post(f"/api/v1/trash/{trashed['trash_id']}/restore/").data == {"path": "a.bin"}
    assert (area_root(alice, "backup") / "a.bin").read_bytes() == content


def test_it_refuses_an_upload_over_quota_and_leaves_nothing(api, alice):
    alice.quota_backup_bytes = 1000
    alice.save()
    response = api(alice).post("/api/v1/files/upload/", {"area": "backup", "file": SimpleUploadedFile("big.bin", b"x" * 2000)},
                               format="multipart")
    assert response.status_code == 413 and "Not enough space" in response.data["detail"]
    assert list(area_root(alice, "backup").iterdir()) == []


def test_it_keeps_trash_ids_private(api, alice, bob):
    (area_root(bob, "backup") / "bob.txt").write_text("bob's")
    entry = api(bob).post("/api/v1/files/delete/", {"area": "backup", "path": "bob.txt"}, format="json").data
    assert api(alice).post(f"/api/v1/trash/{entry['trash_id']}/restore/").status_code == 404
    assert api(alice).delete(f"/api/v1/trash/{entry['trash_id']}/").status_code == 404
    assert api(alice).get("/api/v1/trash/").data == []
    assert api(bob).get(f"/api/v1/trash/{entry['trash_id']}/").status_code == 200


def test_it_restores_beside_a_file_that_took_the_name(api, alice):
    client = api(alice)
    (area_root(alice, "backup") / "a.bin").write_bytes(b"old")
    entry = client.post("/api/v1/files/delete/", {"area": "backup", "path": "a.bin"}, format="json").data
    (area_root(alice, "backup") / "a.bin").write_bytes(b"new")
    assert client.post(f"/api/v1/trash/{entry['trash_id']}/restore/").data == {"path": "a (restored).bin"}
    assert (area_root(alice, "backup") / "a (restored).bin").read_bytes() == b"old"
    assert (area_root(alice, "backup") / "a.bin").read_bytes() == b"new"
