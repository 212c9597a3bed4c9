"""WebDAV at /dav/ (issue #14, items 3 and 4): the litmus compliance suite and rclone as outside clients,
the same rules as the portal (resolver, quota, trash, usage), and the doors kept shut (other people, revoked
or account passwords, traversal, symlinks, brute force). Served by the portal's own WSGI application."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest
import requests
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile

from anemone.accounts import throttle
from anemone.files import paths, trash
from anemone.files.services import list_dir
from anemone.files.uploads import save_upload
from anemone.shares import services
from tests.conftest import PASSWORD

RCLONE = str(Path(settings.BASE_DIR) / ".venv" / "bin" / "rclone")


@pytest.fixture
def alice_phone(alice):  # type: ignore[no-untyped-def]
    _row, password = services.create(alice, "phone")
    return ("alice", password)


def dav(method: str, url: str, auth, **kwargs) -> requests.Response:  # type: ignore[no-untyped-def]
    return requests.request(method, url, auth=auth, timeout=30, **kwargs)


def test_litmus_passes_every_test_of_its_five_suites(dav_server, alice_phone, tmp_path):
    result = subprocess.run(["litmus", "-k", f"{dav_server}/dav/alice/data/", *alice_phone], capture_output=True,
                            cwd=tmp_path, text=True, timeout=600, env={"TESTS": "basic copymove props locks http",
                                                         "PATH": "/usr/bin:/bin", "HOME": str(settings.DATA_DIR)})
    summaries = dict(re.findall(r"summary for `(\w+)': of (\d+) tests run: \1?", result.stdout))
    counts = {suite: (int(run), int(failed)) for suite, run, _passed, failed in
              re.findall(r"summary for `(\w+)': of (\d+) tests run: (\d+) passed, (\d+) failed", result.stdout)}
    assert set(counts) == {"basic", "copymove", "props", "locks", "http"}, result.stdout[-3000:] + str(summaries)
    assert all(failed == 0 for _run, failed in counts.values()), result.stdout[-6000:]
    assert sum(run for run, _failed in counts.values()) >= 100  # 16 + 13 + 30 + 41 + 4 with litmus 0.13


def test_rclone_copies_up_and_down_byte_identical_and_its_delete_lands_in_the_trash(dav_server, alice_phone, alice,
                                                                                   tmp_path):
    source = tmp_path / "photos"
    (source / "2026").mkdir(parents=True)
    for index in range(5):
        (source / "2026" / f"img-{index}.jpg").write_bytes(os.urandom(50_000 + index))
    (source / "notes é.txt").write_text("été\n")
    obscured = subprocess.run([RCLONE, "obscure", alice_phone[1]], capture_output=True, text=True, check=True).stdout.strip()
    remote = f":webdav,url='{dav_server}/dav/alice/data/',user=alice,pass='{obscured}':"
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "RCLONE_CONFIG": "/dev/null"}

    def rclone(*args: str) -> str:
        done = subprocess.run([RCLONE, *args], capture_output=True, text=True, timeout=120, env=env)
        assert done.returncode == 0, done.stderr[-2000:]
        return done.stdout

    rclone("copy", str(source), remote + "photos")
    assert sorted(rclone("lsf", "-R", remote + "photos").split()) == sorted(
        ["2026/", "2026/img-0.jpg", "2026/img-1.jpg", "2026/img-2.jpg", "2026/img-3.jpg", "2026/img-4.jpg",
         "notes", "é.txt"])  # lsf prints one name per line: "notes é.txt" splits on the space
    back = tmp_path / "back"
    rclone("copy", remote + "photos", str(back))
    rclone("check", str(source), str(back))
    for file in source.rglob("*.jpg"):
        assert (back / file.relative_to(source)).read_bytes() == file.read_bytes()
    assert [e.name for e in list_dir(alice, "data", "photos/2026")] == [f"img-{i}.jpg" for i in range(5)]
    alice.refresh_from_db()
    assert alice.usage_data_bytes == sum(f.stat().st_size for f in source.rglob("*") if f.is_file())

    rclone("deletefile", remote + "photos/2026/img-0.jpg")
    entries = trash.list_trash(alice)
    assert [(e.name, e.area, e.original_path) for e in entries] == [("img-0.jpg", "data", "photos/2026/img-0.jpg")]
    trash.restore(alice, entries[0].id)
    assert (paths.area_root(alice, "data") / "photos/2026/img-0.jpg").read_bytes() == \
        (source / "2026/img-0.jpg").read_bytes()


def test_a_browser_upload_reads_back_identical_and_a_dav_put_shows_in_the_file_browser(dav_server, alice_phone, alice,
                                                                                       client):
    body = os.urandom(300_000)
    client.force_login(alice)
    save_upload(alice, "backup", "", SimpleUploadedFile("scan.pdf", body))
    assert dav("GET", f"{dav_server}/dav/alice/backup/scan.pdf", alice_phone).content == body
    assert dav("PUT", f"{dav_server}/dav/alice/backup/from-phone.bin", alice_phone, data=body).status_code == 201
    page = client.get("/files/?area=backup").content.decode()
    assert "from-phone.bin" in page
    alice.refresh_from_db()
    assert alice.usage_backup_bytes == 2 * len(body)


def test_only_my_own_folder_is_reachable_and_listed(dav_server, alice_phone, bob, alice):
    (paths.area_root(bob, "data") / "bob-secret-plans.txt").write_text("bob's")
    _row, bob_password = services.create(bob, "laptop")
    bob_phone = ("bob", bob_password)
    assert dav("GET", f"{dav_server}/dav/alice/data/", bob_phone).status_code in (403, 404)
    assert dav("PROPFIND", f"{dav_server}/dav/alice/data/", bob_phone, headers={"Depth": "1"}).status_code == 403
    assert dav("PUT", f"{dav_server}/dav/alice/data/x", bob_phone, data=b"x").status_code == 403
    listing = dav("PROPFIND", f"{dav_server}/dav/", alice_phone, headers={"Depth": "infinity"})
    assert listing.status_code == 207
    assert "/dav/alice/" in listing.text and "bob" not in listing.text
    answer = dav("PROPFIND", f"{dav_server}/dav/bob/data/", alice_phone, headers={"Depth": "1"})
    assert answer.status_code == 403 and "bob-secret-plans" not in answer.text


def test_revoked_account_and_switched_off_passwords_are_refused_at_once(dav_server, alice_phone, alice):
    url = f"{dav_server}/dav/alice/data/"
    assert dav("PROPFIND", url, alice_phone, headers={"Depth": "0"}).status_code == 207
    assert dav("PROPFIND", url, ("alice", PASSWORD), headers={"Depth": "0"}).status_code == 401
    services.set_shares_allowed(alice, False)
    assert dav("PROPFIND", url, alice_phone, headers={"Depth": "0"}).status_code == 401
    services.set_shares_allowed(alice, True)
    assert dav("PROPFIND", url, alice_phone, headers={"Depth": "0"}).status_code == 207
    services.revoke(alice, "phone")
    assert dav("PROPFIND", url, alice_phone, headers={"Depth": "0"}).status_code == 401
    assert requests.request("PROPFIND", url, timeout=10).status_code == 401  # no credentials at all
    assert 'Basic realm="Anemone"' in requests.get(url, timeout=10).headers["WWW-Authenticate"]


def test_webdav_turned_off_answers_404(dav_server, alice_phone):
    services.configure(webdav=False)
    answer = dav("PROPFIND", f"{dav_server}/dav/alice/data/", alice_phone)
    assert answer.status_code == 404 and "turned off" in answer.text


TRAVERSALS = ["../bob/data/canary.txt", "..%2fbob%2fdata%2fcanary.txt", "%2e%2e/bob/data/canary.txt",
              "%2e%2e%2fbob/data/canary.txt", "..%5cbob%5cdata%5ccanary.txt", "%c0%ae%c0%ae/bob/data/canary.txt",
              "..%252fbob/data/canary.txt", "x%00/../../bob/data/canary.txt", "/../../../etc/passwd",
              "..%E2%88%95bob%E2%88%95data%E2%88%95canary.txt", "....//bob/data/canary.txt"]


@pytest.mark.parametrize("payload", TRAVERSALS)
def test_traversal_never_reaches_the_canary(dav_server, alice_phone, bob, payload):
    canary = paths.area_root(bob, "data") / "canary.txt"
    canary.write_bytes(b"CANARY-BYTES")
    before = canary.stat()
    base = f"{dav_server}/dav/alice/data/"
    for method, extra in [("GET", {}), ("PUT", {"data": b"overwritten"}), ("DELETE", {}), ("MKCOL", {}),
                          ("PROPFIND", {"headers": {"Depth": "1"}})]:
        answer = dav(method, base + payload, alice_phone, **extra)
        assert answer.status_code >= 400 or method == "PROPFIND" and "canary" not in answer.text, (method, answer.status_code)
        assert b"CANARY-BYTES" not in answer.content
    (paths.area_root(bob.__class__.objects.get(username="alice"), "data") / "mine.txt").write_text("mine")
    for method in ["MOVE", "COPY"]:
        answer = dav(method, base + "mine.txt", alice_phone, headers={"Destination": base + payload, "Overwrite": "T"})
        assert answer.status_code >= 400, (method, answer.status_code)
    assert canary.read_bytes() == b"CANARY-BYTES" and canary.stat().st_mtime == before.st_mtime


def test_a_planted_symlink_is_neither_listed_nor_followed(dav_server, alice_phone, alice, bob):
    canary = paths.area_root(bob, "data") / "canary.txt"
    canary.write_bytes(b"CANARY-BYTES")
    data = paths.area_root(alice, "data")
    (data / "link-to-bob").symlink_to(canary)
    (data / "dir-link").symlink_to(canary.parent, target_is_directory=True)
    listing = dav("PROPFIND", f"{dav_server}/dav/alice/data/", alice_phone, headers={"Depth": "1"})
    assert "link-to-bob" not in listing.text and "dir-link" not in listing.text
    for path in ["link-to-bob", "dir-link/canary.txt", "dir-link/"]:
        answer = dav("GET", f"{dav_server}/dav/alice/data/{path}", alice_phone)
        assert answer.status_code in (403, 404) and b"CANARY-BYTES" not in answer.content, path
    assert dav("PUT", f"{dav_server}/dav/alice/data/link-to-bob", alice_phone, data=b"x").status_code >= 400
    assert canary.read_bytes() == b"CANARY-BYTES"


def test_names_the_portal_refuses_are_refused_not_mangled(dav_server, alice_phone, alice):
    for name in ["a%E2%80%AEtxt.exe", "%20%20", "x%01y", "..%E2%88%95up"]:  # bidi override, spaces, control, ∕
        assert dav("PUT", f"{dav_server}/dav/alice/data/{name}", alice_phone, data=b"x").status_code == 403, name
        assert dav("MKCOL", f"{dav_server}/dav/alice/data/{name}", alice_phone).status_code == 403, name
    assert os.listdir(paths.area_root(alice, "data")) == []


def test_a_put_past_the_quota_is_507_and_leaves_nothing(dav_server, alice_phone, alice):
    alice.quota_total_bytes = 100_000
    alice.save()
    url = f"{dav_server}/dav/alice/data/"
    assert dav("PUT", url + "fits.bin", alice_phone, data=os.urandom(60_000)).status_code == 201
    refused = dav("PUT", url + "too-big.bin", alice_phone, data=os.urandom(60_000))
    assert refused.status_code == 507 and "Not enough space" in refused.text
    assert sorted(os.listdir(paths.area_root(alice, "data"))) == ["fits.bin"]
    quota = dav("PROPFIND", url, alice_phone, headers={"Depth": "0"},
                data='<?xml version="1.0"?><propfind xmlns="DAV:"><prop><quota-available-bytes/>'
                     '<quota-used-bytes/></prop></propfind>')
    assert "<ns0:quota-available-bytes>40000<" in quota.text.replace("D:", "ns0:") or ">40000<" in quota.text
    assert dav("DELETE", url + "fits.bin", alice_phone).status_code == 204
    alice.refresh_from_db()
    assert (alice.usage_data_bytes, alice.usage_trash_bytes) == (0, 60_000)  # the trash still counts


def test_guessing_device_passwords_is_locked_out(dav_server, alice_phone):
    url = f"{dav_server}/dav/alice/data/"
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        assert dav("PROPFIND", url, ("alice", "guess"), headers={"Depth": "0"}).status_code == 401
    locked = dav("PROPFIND", url, alice_phone, headers={"Depth": "0"})
    assert locked.status_code == 429
    assert any(lock.username == "alice" and lock.ip_address == "127.0.0.1" for lock in throttle.lockouts())
