"""Files: what a person can do to their own area by accident or on purpose, through the pages and the API.

Issue #11: a symlink's delete trashed its target (26); encoded traversal names answered 500 on the web (26);
a full disk answered an upload with a 500 (27); an empty file could not be uploaded (28); an upload
whose file had no name was silently dropped (31); a folder named only spaces became an invisible row and
the trash deleted for good without asking (14).
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from anemone.files.paths import area_root, shares_root, trash_root
from anemone.files.services import TEMP_PREFIX

pytestmark = pytest.mark.django_db

# Names and paths that try to climb out of the area once decoded, normalised or read by another program.
TRAVERSAL = [
    "..%2fbob", "..%2f..%2fbob%2fbackup", "%2e%2e%2fbob", "%252e%252e%252fbob", "..%252fbob", "..\u2215bob",
    "..\u2044bob", "..\uff0fbob", "..\\bob", "..\\..\\bob", "a\x00b", "..%c0%af..%c0%afbob", "%c0%ae%c0%ae%c0%afbob",
    "..\ufffd\ufffdbob", "\u2025", "\uff0e\uff0e", "..", ".", "   ", "\u202e..bob", "a\nb",
]


def state(*roots: Path) -> set[str]:
    return {str(p) for root in roots for p in root.rglob("*")}


@pytest.fixture
def world(alice, bob, data_dir):  # type: ignore[no-untyped-def]
    (area_root(bob, "backup") / "diary.txt").write_bytes(b"bob's diary")
    (area_root(alice, "backup") / "docs").mkdir()
    (area_root(alice, "backup") / "docs" / "ok.txt").write_bytes(b"mine")
    return {"alice": area_root(alice, "backup"), "bob": area_root(bob, "backup"), "data": data_dir}


def reason(response) -> str:  # type: ignore[no-untyped-def]
    """The API's refusal: {"detail": ...} from the files code, {"field": [...]} from the serializer (NUL)."""
    body = response.json()
    return str(body.get("detail") or next(iter(body.values()), ""))


def messages_of(response) -> list[str]:  # type: ignore[no-untyped-def]
    return [str(m) for m in response.context["messages"]] if response.context else []


# Item 26: a symlink is deleted (or renamed) itself, never its target -------------------------------------------

@pytest.mark.parametrize("door", ["web", "api"])
def test_deleting_a_symlink_trashes_the_link_and_leaves_its_folder(client, api, alice, world, door):
    area = world["alice"]
    os.symlink("docs", area / "docs-link")
    if door == "web":
        client.force_login(alice)
        response = client.post("/files/delete/", {"area": "backup", "path": "docs-link"})
        assert response.status_code == 302
    else:
        response = api(alice).post("/api/v1/files/delete/", {"area": "backup", "path": "docs-link"}, format="json")
        assert response.status_code == 200, response.content
    assert (area / "docs" / "ok.txt").read_bytes() == b"mine"  # the target folder is where it was
    assert not os.path.lexists(area / "docs-link")
    trashed = [p for p in trash_root(alice).rglob("*") if p.name == "docs-link"]
    assert len(trashed) == 1 and trashed[0].is_symlink()
    names = [e["name"] for e in api(alice).get("/api/v1/files/", {"area": "backup"}).data]
    assert names == ["docs"]


def test_a_symlink_out_of_the_area_is_deleted_itself_and_its_target_stays(api, alice, world):
    outside = world["data"] / "outside"
    outside.mkdir()
    (outside / "keep.txt").write_bytes(b"keep")
    os.symlink(outside, world["alice"] / "out")
    response = api(alice).post("/api/v1/files/delete/", {"area": "backup", "path": "out"}, format="json")
    assert response.status_code == 200
    assert (outside / "keep.txt").read_bytes() == b"keep"
    assert not os.path.lexists(world["alice"] / "out")


def test_renaming_a_symlink_renames_the_link_not_its_target(api, alice, world):
    os.symlink("docs", world["alice"] / "docs-link")
    response = api(alice).post("/api/v1/files/rename/", {"area": "backup", "path": "docs-link", "new_name": "shortcut"},
                               format="json")
    assert response.status_code == 200, response.content
    assert (world["alice"] / "docs").is_dir() and (world["alice"] / "shortcut").is_symlink()


# Item 26: encoded traversal payloads are a clear 400 on every file operation, web and API ----------------------

def test_the_web_refuses_traversal_names_with_a_message_and_creates_nothing_outside(client, alice, world):
    client.force_login(alice)
    outside_before = state(world["bob"], world["data"] / "shares" / "bob")
    for name in TRAVERSAL:
        for folder in ("", "docs"):
            response = client.post("/files/mkdir/", {"area": "backup", "path": folder, "name": name})
            assert response.status_code == 400, (name, response.status_code)
            assert messages_of(response), name  # the page says why
        response = client.post("/files/rename/", {"area": "backup", "path": "docs/ok.txt", "new_name": name})
        assert response.status_code == 400, (name, response.status_code)
        if name == ".":  # as a path (not a new name), "." is the area itself: fine to look up
            continue
        upload = SimpleUploadedFile("x.txt", b"x")
        response = client.post("/files/upload/", {"area": "backup", "path": name, "file": upload})
        assert response.status_code in (400, 404), (name, response.status_code)
        for url in ("/files/delete/", "/files/rename/"):
            response = client.post(url, {"area": "backup", "path": name, "new_name": "x"})
            assert response.status_code in (400, 404), (url, name, response.status_code)
        for url in ("/files/", "/files/download/"):
            assert client.get(url, {"area": "backup", "path": name}).status_code < 500, (url, name)
    assert state(world["bob"], world["data"] / "shares" / "bob") == outside_before
    assert sorted(p.name for p in world["alice"].iterdir()) == ["docs"]
    assert sorted(p.name for p in (world["alice"] / "docs").iterdir()) == ["ok.txt"]
    assert sorted(p.name for p in shares_root().iterdir()) == ["admin", "alice", "bob"]


def test_the_api_refuses_traversal_names_with_a_400_json_reason(api, alice, world):
    client = api(alice)
    for name in TRAVERSAL:
        for path in (name, f"docs/{name}"):
            response = client.post("/api/v1/files/mkdir/", {"area": "backup", "path": path}, format="json")
            assert response.status_code == 400, (path, response.status_code)
            assert reason(response), path
        response = client.post("/api/v1/files/rename/", {"area": "backup", "path": "docs/ok.txt", "new_name": name},
                               format="json")
        assert response.status_code == 400 and reason(response), (name, response.status_code)
        if name == ".":  # as a path (not a new name), "." is the area itself: fine to look up
            continue
        for url in ("/api/v1/files/delete/", "/api/v1/files/rename/"):
            response = client.post(url, {"area": "backup", "path": name, "new_name": "x"}, format="json")
            assert response.status_code in (400, 404), (url, name, response.status_code)
        response = client.post("/api/v1/files/upload/", {"area": "backup", "path": name,
                                                         "file": SimpleUploadedFile("x.txt", b"x")}, format="multipart")
        assert response.status_code in (400, 404), (name, response.status_code)
        for url in ("/api/v1/files/", "/api/v1/files/download/"):
            assert client.get(url, {"area": "backup", "path": name}).status_code in (400, 404), (url, name)
    assert sorted(p.name for p in world["alice"].iterdir()) == ["docs"]
    assert sorted(p.name for p in (world["alice"] / "docs").iterdir()) == ["ok.txt"]


def test_ordinary_odd_names_are_still_accepted(api, alice, world):
    for name in ("50% off", "a%20b", "résumé", "*", "?", "[a]", "👨\u200d👩\u200d👧", " leading space"):
        response = api(alice).post("/api/v1/files/mkdir/", {"area": "backup", "path": name}, format="json")
        assert response.status_code == 200, (name, response.content)
        assert (world["alice"] / name).is_dir()


# Item 14: a folder named only spaces is refused at the edge -----------------------------------------------------

@pytest.mark.parametrize("name", [" ", "   ", "\u3000", "\t"])
def test_a_folder_named_only_spaces_is_refused_on_the_page_and_the_api(client, api, alice, world, name):
    client.force_login(alice)
    response = client.post("/files/mkdir/", {"area": "backup", "path": "", "name": name})
    assert response.status_code == 400
    assert any("empty" in m or "control" in m for m in messages_of(response)), messages_of(response)
    response = api(alice).post("/api/v1/files/mkdir/", {"area": "backup", "path": name}, format="json")
    assert response.status_code == 400
    response = api(alice).post("/api/v1/files/rename/", {"area": "backup", "path": "docs", "new_name": name},
                               format="json")
    assert response.status_code == 400
    assert sorted(p.name for p in world["alice"].iterdir()) == ["docs"]


# Item 28: an empty file uploads and comes back, on the page and through the API ---------------------------------

def test_an_empty_file_uploads_and_round_trips(client, api, alice, world):
    response = api(alice).post("/api/v1/files/upload/", {"area": "backup", "path": "docs",
                                                         "file": SimpleUploadedFile("empty-api.txt", b"")},
                               format="multipart")
    assert response.status_code == 201, response.content
    assert response.json() == [{"path": "docs/empty-api.txt"}]
    download = api(alice).get("/api/v1/files/download/", {"area": "backup", "path": "docs/empty-api.txt"})
    assert download.status_code == 200 and b"".join(download.streaming_content) == b""
    client.force_login(alice)
    response = client.post("/files/upload/", {"area": "backup", "path": "docs",
                                              "file": SimpleUploadedFile("empty-web.txt", b"")})
    assert response.status_code == 302
    listing = {e["name"]: e["size"] for e in api(alice).get("/api/v1/files/", {"area": "backup", "path": "docs"}).data}
    assert listing == {"empty-api.txt": 0, "empty-web.txt": 0, "ok.txt": 4}
    download = client.get("/files/download/", {"area": "backup", "path": "docs/empty-web.txt"})
    assert download.status_code == 200 and b"".join(download.streaming_content) == b""


# Item 31: a file part without a name is refused, not silently dropped -------------------------------------------

def multipart_without_filename() -> tuple[bytes, str]:
    boundary = "anemoneboundary"
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"area\"\r\n\r\nbackup\r\n"
            f"--{boundary}\r\nContent-Disposition: form-data; name=\"path\"\r\n\r\ndocs\r\n"
            f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"\"\r\n"
            f"Content-Type: text/plain\r\n\r\nsome content\r\n--{boundary}--\r\n").encode()
    return body, f"multipart/form-data; boundary={boundary}"


def test_an_upload_whose_file_has_no_name_is_refused_with_a_reason(client, api, alice, world):
    body, content_type = multipart_without_filename()
    response = api(alice).generic("POST", "/api/v1/files/upload/", body, content_type=content_type)
    assert response.status_code == 400, response.content
    assert "No file received" in str(response.json())
    client.force_login(alice)
    body, content_type = multipart_without_filename()
    response = client.generic("POST", "/files/upload/", body, content_type=content_type)
    assert response.status_code == 400
    assert any("No file received" in m for m in messages_of(response))
    assert sorted(p.name for p in (world["alice"] / "docs").iterdir()) == ["ok.txt"]


# Item 27: a full disk answers "disk full" (507), nothing left behind -------------------------------------------

@pytest.fixture
def small_disk(alice):  # type: ignore[no-untyped-def]
    """alice's backup area on a 256 KiB tmpfs, mounted for the test and unmounted after."""
    area = area_root(alice, "backup")
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=256k,mode=0700", "tmpfs", str(area)], check=True)
    try:
        (area / "docs").mkdir()
        yield area
    finally:
        subprocess.run(["umount", "-l", str(area)], check=True)


def test_a_full_disk_answers_an_upload_with_disk_full_and_keeps_nothing(client, api, alice, small_disk):
    big = os.urandom(400 * 1024)
    response = api(alice).post("/api/v1/files/upload/", {"area": "backup", "path": "docs",
                                                         "file": SimpleUploadedFile("big.bin", big)}, format="multipart")
    assert response.status_code == 507, response.content
    assert "disk is full" in response.json()["detail"]
    assert list((small_disk / "docs").iterdir()) == []  # no half-written file, no hidden temp file
    client.force_login(alice)
    response = client.post("/files/upload/", {"area": "backup", "path": "docs", "file": SimpleUploadedFile("big.bin", big)})
    assert response.status_code == 507
    assert any("disk is full" in m for m in messages_of(response))
    assert [p.name for p in (small_disk / "docs").iterdir() if p.name.startswith(TEMP_PREFIX) or p.name == "big.bin"] == []
    alice.refresh_from_db()
    assert alice.usage_backup_bytes == 0
    small = api(alice).post("/api/v1/files/upload/", {"area": "backup", "path": "docs",
                                                       "file": SimpleUploadedFile("small.txt", b"fits")}, format="multipart")
    assert small.status_code == 201  # the disk works again for what fits


# Item 14: deleting for good asks first -----------------------------------------------------------------------

def test_delete_for_good_and_empty_the_trash_ask_for_confirmation(client, api, alice, world):
    entry = api(alice).post("/api/v1/files/delete/", {"area": "backup", "path": "docs/ok.txt"}, format="json").json()
    client.force_login(alice)
    response = client.post("/files/trash/action/", {"action": "delete", "id": entry["trash_id"]})
    assert response.status_code == 200
    text = response.content.decode()
    assert "cannot be restored" in text and "docs/ok.txt" in text and 'name="confirm" value="yes"' in text
    assert [e["id"] for e in api(alice).get("/api/v1/trash/").json()] == [entry["trash_id"]]  # still there
    response = client.post("/files/trash/action/", {"action": "empty"})
    assert response.status_code == 200 and "Yes, empty the trash" in response.content.decode()
    assert len(api(alice).get("/api/v1/trash/").json()) == 1
    response = client.post("/files/trash/action/", {"action": "delete", "id": entry["trash_id"], "confirm": "yes"})
    assert response.status_code == 302
    assert api(alice).get("/api/v1/trash/").json() == []
    api(alice).post("/api/v1/files/delete/", {"area": "backup", "path": "docs"}, format="json")
    response = client.post("/files/trash/action/", {"action": "empty", "confirm": "yes"}, follow=True)
    assert "Trash emptied (1 items)" in response.content.decode()
    assert api(alice).get("/api/v1/trash/").json() == []


def test_the_refusals_and_the_confirmation_speak_french(client, api, alice, world):
    alice.language = "fr"
    alice.save()
    client.cookies["django_language"] = "fr"
    client.force_login(alice)
    response = client.post("/files/mkdir/", {"area": "backup", "path": "", "name": "   "})
    assert "Un nom ne peut pas être vide ni fait seulement d&#x27;espaces." in response.content.decode()
    response = client.post("/files/mkdir/", {"area": "backup", "path": "", "name": "..%2fbob"})
    assert "chemin encodé" in response.content.decode()
    entry = api(alice).post("/api/v1/files/delete/", {"area": "backup", "path": "docs"}, format="json").json()
    page = client.post("/files/trash/action/", {"action": "delete", "id": entry["trash_id"]}).content.decode()
    assert "Supprimer définitivement ?" in page and "Oui, supprimer définitivement" in page


def test_an_api_upload_with_one_nameless_file_among_named_ones_is_refused(api, alice, world):
    boundary = "b0undary"
    parts = [("file", "kept.txt", b"named"), ("file", "", b"no name"), ("file", "..", b"dots")]
    body = b"".join(f"--{boundary}\r\nContent-Disposition: form-data; name=\"{field}\"; filename=\"{name}\"\r\n"
                    f"Content-Type: text/plain\r\n\r\n".encode() + content + b"\r\n" for field, name, content in parts)
    body = f"--{boundary}\r\nContent-Disposition: form-data; name=\"area\"\r\n\r\nbackup\r\n".encode() + body
    body += f"--{boundary}--\r\n".encode()
    response = api(alice).generic("POST", "/api/v1/files/upload/", body,
                                  content_type=f"multipart/form-data; boundary={boundary}")
    assert response.status_code == 400 and "No file received" in response.json()["detail"], response.content
    assert sorted(p.name for p in world["alice"].iterdir()) == ["docs"]  # nothing stored, not even the named one
