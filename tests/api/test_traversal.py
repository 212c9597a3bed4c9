"""Traversal payloads and planted symlinks on every file endpoint: refused or confined, never outside.

A sentinel file and folder live beside alice's area (in bob's area and outside the shares): their
content must never come back and nothing may appear next to them.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from anemone.files.paths import area_root, shares_root

SECRET = b"sentinel: bob's diary"
PAYLOADS = [
    "..", "../..", "../bob", "../bob/backup/diary.txt", "a/../../b", "../../../../etc/passwd", "/etc/passwd",
    "//etc/passwd", "~/diary.txt", "..\\..\\diary.txt", "a\\..\\..\\x", "a\x00b", "..%2f..%2fdiary.txt",
    "%2e%2e/%2e%2e/diary.txt", "．．/．．/diary.txt", "‥/diary.txt", "x/" + "a" * 300, "\u202e../diary.txt",
    "backup/../../../outside/secret.txt",
    # issue #11, item 26: double encoding, look-alike slashes, overlong UTF-8 (as text once decoded)
    "..%252fbob", "%252e%252e%252fbob%252fbackup", "..∕bob", "..∕..∕outside", "..／bob",
    "..%c0%af..%c0%afoutside", "..��bob", "   ", "‥/diary.txt",
]


@pytest.fixture
def world(alice, bob, admin_user, data_dir):
    (area_root(bob, "backup") / "diary.txt").write_bytes(SECRET)
    outside = data_dir / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_bytes(SECRET)
    alice_area = area_root(alice, "backup")
    (alice_area / "docs").mkdir()
    (alice_area / "docs" / "ok.txt").write_text("mine")
    return {"outside": outside, "alice_area": alice_area, "bob_area": area_root(bob, "backup")}


def snapshot(*roots: Path) -> dict[str, bytes]:
    state = {}
    for root in roots:
        for path in sorted(root.rglob("*")):
            state[str(path)] = path.read_bytes() if path.is_file() and not path.is_symlink() else b"<dir>"
    return state


def every_endpoint(client, payload: str):
    """Call each file endpoint with the payload in each path-like position."""
    yield client.get("/api/v1/files/", {"area": "backup", "path": payload})
    yield client.get("/api/v1/files/download/", {"area": "backup", "path": payload})
    yield client.post("/api/v1/files/mkdir/", {"area": "backup", "path": payload}, format="json")
    yield client.post("/api/v1/files/mkdir/", {"area": "backup", "path": f"docs/{payload}"}, format="json")
    yield client.post("/api/v1/files/rename/", {"area": "backup", "path": payload, "new_name": "x"}, format="json")
    yield client.post("/api/v1/files/rename/", {"area": "backup", "path": "docs/ok.txt", "new_name": payload}, format="json")
    yield client.post("/api/v1/files/delete/", {"area": "backup", "path": payload}, format="json")
    encoded = payload.replace("/", "%2F")
    yield client.post(f"/api/v1/trash/{encoded}/restore/", format="json")
    from django.core.files.uploadedfile import SimpleUploadedFile

    yield client.post("/api/v1/files/upload/", {"area": "backup", "path": payload,
                                                "file": SimpleUploadedFile("x.txt", b"x")}, format="multipart")
    from django.core.exceptions import SuspiciousFileOperation

    try:  # Django itself refuses some names before any view sees them
        named = SimpleUploadedFile(payload, b"x")
    except SuspiciousFileOperation:
        return
    yield client.post("/api/v1/files/upload/", {"area": "backup", "path": "docs", "file": named}, format="multipart")


@pytest.mark.django_db
def test_it_never_reads_or_writes_outside_the_area_whatever_the_path(api, world, alice):
    client = api(alice)
    before = snapshot(world["outside"], world["bob_area"])
    for payload in PAYLOADS:
        for response in every_endpoint(client, payload):
            body = b"".join(response.streaming_content) if getattr(response, "streaming", False) else response.content
            assert SECRET not in body, payload
            assert response.status_code < 500, (payload, response.status_code, body[:200])
    assert snapshot(world["outside"], world["bob_area"]) == before
    stray = [p for p in shares_root().parent.rglob("*") if p.name in {"x", "x.txt"}
             and world["alice_area"] not in p.parents]
    assert stray == []


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["file", "parent-dir", "absolute", "relative-escape", "dangling"])
def test_it_refuses_to_follow_planted_symlinks_out_of_the_area(api, world, alice, kind):
    area, outside = world["alice_area"], world["outside"]
    link = area / "link"
    target = {
        "file": outside / "secret.txt", "parent-dir": outside, "absolute": Path("/etc"),
        "relative-escape": Path("../../../outside"), "dangling": outside / "not-yet.txt",
    }[kind]
    os.symlink(target, link)
    client = api(alice)
    before = snapshot(outside)
    for relpath in ["link", "link/secret.txt", "link/passwd"]:
        for response in every_endpoint(client, relpath):
            body = b"".join(response.streaming_content) if getattr(response, "streaming", False) else response.content
            assert SECRET not in body and b"root:" not in body, (kind, relpath)
    listing = client.get("/api/v1/files/", {"area": "backup", "path": ""})
    assert "link" not in [entry["name"] for entry in listing.data]
    assert snapshot(outside) == before
    assert not (outside / "not-yet.txt").exists()
