"""SMB shares (issue #14, items 2 and 4): smbclient, a client nobody here wrote, against the smbd that
``serve_smb`` runs and configures from the database, on a free port of 127.0.0.1."""

from __future__ import annotations

import io
import os
import re
import subprocess
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client

from anemone.accounts import throttle
from anemone.engines import restic
from anemone.engines import samba as engine
from anemone.files import paths, trash
from anemone.files.usage import recompute_usage
from anemone.runs.models import RunStatus
from anemone.runs.services import request as request_run
from anemone.shares import samba, services
from anemone.shares.models import DevicePassword, ShareLogin
from cloudbackup.models import Kind
from p2p import repos
from p2p import restore as p2p_restore
from tests.cloudbackup.conftest import make_destination, rclone_key, server_root, tree  # noqa: F401 - a fixture
from tests.conftest import PASSWORD, api_client_for
from tests.p2p.conftest import friend  # noqa: F401 - the fixture


def smbclient(port: int, share: str, login: str, password: str, commands: str, *, cwd: Path | None = None,
              timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["smbclient", f"//127.0.0.1/{share}", "-p", str(port), "-U", f"{login}%{password}",
                           "-m", "SMB3", "-c", commands], capture_output=True, text=True, timeout=timeout,
                          cwd=cwd, env={"PATH": "/usr/bin:/bin", "HOME": "/nonexistent"})


def eventually(check, timeout: float = 15.0):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(0.2)


def plant_canary(bob) -> Path:  # type: ignore[no-untyped-def]
    """A file of Bob's that nothing done as Alice may read, list or change."""
    canary = paths.area_root(bob, "data") / "bob-canary.txt"
    canary.parent.mkdir(parents=True, exist_ok=True)
    canary.write_text("bob's canary")
    return canary


@pytest.fixture
def alice_laptop(alice):  # type: ignore[no-untyped-def]
    row, password = services.create(alice, "laptop")
    return row.smb_login, password


def test_put_get_ls_mkdir_rename_delete_then_restore_from_the_portal(smb_server, alice, alice_laptop, tmp_path):
    server, port = smb_server
    login, password = alice_laptop
    assert eventually(lambda: "[alice-backup]" in samba.layout().conf.read_text())
    source = tmp_path / "photo.jpg"
    source.write_bytes(bytes(range(256)) * 4000)
    out = smbclient(port, "alice-backup", login, password,
                    f"put {source} photo.jpg; mkdir trips; rename photo.jpg trips/beach.jpg; ls trips/*",
                    cwd=tmp_path)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "beach.jpg" in out.stdout
    stored = paths.area_root(alice, "backup") / "trips" / "beach.jpg"
    assert stored.read_bytes() == source.read_bytes()
    out = smbclient(port, "alice-backup", login, password, "get trips/beach.jpg back.jpg", cwd=tmp_path)
    assert out.returncode == 0, out.stdout + out.stderr
    assert (tmp_path / "back.jpg").read_bytes() == source.read_bytes()
    out = smbclient(port, "alice-backup", login, password, "del trips/beach.jpg")
    assert out.returncode == 0, out.stdout + out.stderr
    assert not stored.exists()
    entries = eventually(lambda: trash.list_trash(alice))
    assert [(e.area, e.original_path) for e in entries] == [("backup", "trips/beach.jpg")]
    trash.restore(alice, entries[0].id)
    assert stored.read_bytes() == source.read_bytes()


def test_a_browser_upload_and_an_smb_read_are_byte_identical_and_smb_writes_show_at_once(smb_server, alice,
                                                                                         alice_laptop, client, tmp_path):
    _server, port = smb_server
    login, password = alice_laptop
    assert eventually(lambda: "[alice-data]" in samba.layout().conf.read_text())
    body = os.urandom(500_000)
    client.force_login(alice)
    response = client.post("/files/upload/", {"area": "data", "path": "", "file": SimpleUploadedFile("scan.pdf", body)})
    assert response.status_code in (200, 302)
    out = smbclient(port, "alice-data", login, password, "get scan.pdf scan.pdf", cwd=tmp_path)
    assert out.returncode == 0, out.stdout + out.stderr
    assert (tmp_path / "scan.pdf").read_bytes() == body
    (tmp_path / "notes.txt").write_bytes(b"written over SMB")
    assert smbclient(port, "alice-data", login, password, "put notes.txt notes.txt", cwd=tmp_path).returncode == 0
    assert "notes.txt" in client.get("/files/?area=data").content.decode()  # the file browser reads the disk
    alice.refresh_from_db()
    assert eventually(lambda: (alice.refresh_from_db() or alice.usage_data_bytes) == len(body) + 16)


def test_another_persons_share_is_refused_and_never_listed(smb_server, alice, bob, alice_laptop):
    _server, port = smb_server
    bob_row, bob_password = services.create(bob, "bob's pc")
    (paths.area_root(alice, "data")).mkdir(parents=True, exist_ok=True)
    (paths.area_root(alice, "data") / "alice-diary.txt").write_text("private")
    assert eventually(lambda: "[bob-data]" in samba.layout().conf.read_text())
    out = smbclient(port, "alice-data", bob_row.smb_login, bob_password, "ls")
    assert out.returncode != 0 and "alice-diary" not in out.stdout
    assert "NT_STATUS_ACCESS_DENIED" in out.stdout + out.stderr or "BAD_NETWORK_NAME" in out.stdout + out.stderr
    listing = subprocess.run(["smbclient", "-L", "//127.0.0.1", "-p", str(port), "-U", f"{bob_row.smb_login}%{bob_password}",
                              "-m", "SMB3"], capture_output=True, text=True, timeout=60,
                             env={"PATH": "/usr/bin:/bin", "HOME": "/nonexistent"})
    assert "bob-data" in listing.stdout, listing.stdout + listing.stderr
    assert "alice" not in listing.stdout  # access-based share enumeration: not even the name
    # Bob's own login name with his account password is no way in either; nor is a guest.
    assert smbclient(port, "bob-data", "bob", PASSWORD, "ls").returncode != 0
    guest = subprocess.run(["smbclient", "//127.0.0.1/bob-data", "-p", str(port), "-N", "-m", "SMB3", "-c", "ls"],
                           capture_output=True, text=True, timeout=60, env={"PATH": "/usr/bin:/bin"})
    assert guest.returncode != 0


def test_revoked_or_switched_off_is_refused_at_once_and_a_connected_client_is_cut(smb_server, alice, alice_laptop):
    server, port = smb_server
    login, password = alice_laptop
    assert eventually(lambda: "[alice-data]" in samba.layout().conf.read_text())
    assert smbclient(port, "alice-data", login, password, "ls").returncode == 0
    # A client that stays connected (an open smbclient session), then the password is revoked.
    held = subprocess.Popen(["smbclient", "//127.0.0.1/alice-data", "-p", str(port), "-U", f"{login}%{password}",
                             "-m", "SMB3"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True, env={"PATH": "/usr/bin:/bin", "HOME": "/nonexistent"})
    try:
        assert eventually(lambda: len(engine.sessions(samba.layout())) == 1)
        assert services.revoke(alice, "laptop")
        out = smbclient(port, "alice-data", login, password, "ls")  # no wait: the passdb is already rewritten
        assert out.returncode != 0 and "NT_STATUS_LOGON_FAILURE" in out.stdout + out.stderr
        assert eventually(lambda: held.poll() is not None or not engine.sessions(samba.layout()))
    finally:
        held.kill()
        held.wait()
    row, fresh = services.create(alice, "phone")
    assert eventually(lambda: "[alice-data]" in samba.layout().conf.read_text())
    assert smbclient(port, "alice-data", row.smb_login, fresh, "ls").returncode == 0
    services.set_shares_allowed(alice, False)
    assert smbclient(port, "alice-data", row.smb_login, fresh, "ls").returncode != 0
    services.set_shares_allowed(alice, True)
    alice.is_active = False
    alice.save()
    assert smbclient(port, "alice-data", row.smb_login, fresh, "ls").returncode != 0


def test_the_quota_is_the_disk_size_and_a_full_area_turns_read_only(smb_server, alice, alice_laptop, tmp_path):
    server, port = smb_server
    login, password = alice_laptop
    alice.quota_total_bytes = 4 * 1024 * 1024
    alice.save()
    assert eventually(lambda: "[alice-data]" in samba.layout().conf.read_text())
    out = smbclient(port, "alice-data", login, password, "du")
    assert re.search(r"(\d+) blocks of size 1024\. (\d+) blocks available", out.stdout), out.stdout
    total, free = map(int, re.search(r"(\d+) blocks of size 1024\. (\d+) blocks available", out.stdout).groups())
    assert (total, free) == (4096, 4096)
    (tmp_path / "big.bin").write_bytes(os.urandom(4 * 1024 * 1024))
    assert smbclient(port, "alice-data", login, password, "put big.bin big.bin", cwd=tmp_path).returncode == 0
    assert eventually(lambda: samba.full_shares_of(alice) == ["backup", "data"] and "read only = yes" in samba.layout().conf.read_text())
    (tmp_path / "more.bin").write_bytes(b"one byte too many")
    refused = smbclient(port, "alice-data", login, password, "put more.bin more.bin", cwd=tmp_path)
    assert "NT_STATUS_ACCESS_DENIED" in refused.stdout + refused.stderr
    assert not (paths.area_root(alice, "data") / "more.bin").exists()
    home = Client()
    home.force_login(alice)
    assert "read-only" in home.get("/").content.decode()  # the dashboard says why writes stop
    refused = smbclient(port, "alice-data", login, password, "del big.bin")  # read-only: no delete either
    assert "NT_STATUS_ACCESS_DENIED" in refused.stdout and (paths.area_root(alice, "data") / "big.bin").exists()
    (paths.area_root(alice, "data") / "big.bin").unlink()  # freed in the portal
    recompute_usage(alice)
    assert eventually(lambda: "read only = yes" not in samba.layout().conf.read_text())
    assert smbclient(port, "alice-data", login, password, "put more.bin more.bin", cwd=tmp_path).returncode == 0


def test_symlinks_and_traversal_never_reach_outside_the_area(smb_server, alice, bob, alice_laptop, tmp_path):
    _server, port = smb_server
    login, password = alice_laptop
    canary = plant_canary(bob)
    data = paths.area_root(alice, "data")
    data.mkdir(parents=True, exist_ok=True)
    (data / "to-bob").symlink_to(canary.parent)
    (data / "canary-link.txt").symlink_to(canary)
    assert eventually(lambda: "[alice-data]" in samba.layout().conf.read_text())
    for remote in ("to-bob/bob-canary.txt", "canary-link.txt", "../../bob/data/bob-canary.txt",
                   "..\\..\\bob\\data\\bob-canary.txt", "/../bob/data/bob-canary.txt"):
        smbclient(port, "alice-data", login, password, f'get "{remote}" got.txt', cwd=tmp_path)
        assert not (tmp_path / "got.txt").exists(), remote
    listing = smbclient(port, "alice-data", login, password, "ls; ls to-bob/*")
    assert "bob-canary" not in listing.stdout
    (tmp_path / "x.txt").write_text("x")
    smbclient(port, "alice-data", login, password, "put x.txt to-bob/planted.txt", cwd=tmp_path)
    assert not (canary.parent / "planted.txt").exists()
    assert canary.read_text() == "bob's canary"


def test_names_are_shown_as_they_are_and_temp_uploads_hidden(smb_server, alice, alice_laptop):
    _server, port = smb_server
    login, password = alice_laptop
    data = paths.area_root(alice, "data")
    data.mkdir(parents=True, exist_ok=True)
    (data / "Zoé's été — 2026.txt").write_text("accents")
    (data / "what?.txt").write_text("a name Windows cannot carry")
    (data / ".anemone-upload-abc123").write_text("half an upload")
    assert eventually(lambda: "[alice-data]" in samba.layout().conf.read_text())
    out = smbclient(port, "alice-data", login, password, "ls")
    assert "Zoé's été — 2026.txt" in out.stdout and "what?.txt" in out.stdout  # not an invented 8.3 name
    assert "anemone-upload" not in out.stdout
    assert not re.search(r"\b[A-Z0-9_]{1,8}~[0-9A-Z]\b", out.stdout)


def test_logins_are_counted_last_used_set_and_guessing_is_locked_out(smb_server, alice, alice_laptop):
    server, port = smb_server
    login, password = alice_laptop
    assert eventually(lambda: "[alice-data]" in samba.layout().conf.read_text())
    assert smbclient(port, "alice-data", login, password, "ls").returncode == 0
    assert eventually(lambda: ShareLogin.objects.filter(protocol="smb", outcome="ok", count__gte=1).exists())
    assert DevicePassword.objects.get(user=alice, name="laptop").last_used_at is not None
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        smbclient(port, "alice-data", login, "a-guess", "ls")
    assert eventually(lambda: any(lock.username == "alice" and lock.ip_address == "127.0.0.1"
                                  for lock in throttle.lockouts()))
    assert eventually(lambda: "hosts deny = 127.0.0.1" in samba.layout().conf.read_text())
    time.sleep(0.5)
    refused = smbclient(port, "alice-data", login, password, "ls")  # even the right password, while locked
    assert refused.returncode != 0
    assert ShareLogin.objects.get(protocol="smb", outcome="failed").count >= settings.AXES_FAILURE_LIMIT
    metrics = Client().get("/metrics").content.decode()
    assert 'anemone_share_logins_total{outcome="failed",protocol="smb"}' in metrics
    throttle.clear_lockout("127.0.0.1", "alice")
    assert eventually(lambda: "hosts deny" not in samba.layout().conf.read_text())
    assert eventually(lambda: smbclient(port, "alice-data", login, password, "ls").returncode == 0)


def test_settings_api_and_cli_say_smbd_runs_and_turning_smb_off_stops_it(smb_server, alice_laptop, admin_user):
    server, port = smb_server
    smbd = server.process
    assert smbd is not None and smbd.poll() is None
    assert eventually(lambda: samba.server_status().get("running") is True)
    page = Client()
    page.force_login(admin_user)
    assert "smbd is running" in page.get("/settings/").content.decode()
    api = api_client_for(admin_user)
    assert api.get("/api/v1/shares/").json()["smb_server"]["running"] is True
    out = io.StringIO()
    call_command("shares", "status", stdout=out)
    assert "smbd running" in out.getvalue()
    services.configure(smb=False)
    assert eventually(lambda: smbd.poll() is not None)
    assert eventually(lambda: samba.server_status()["running"] is False)  # written just after smbd stops
    services.configure(smb=True)
    assert eventually(lambda: server.process is not None and samba.server_status()["running"] is True)



def test_hardlinks_cannot_reach_outside_the_share(smb_server, alice, bob, alice_laptop, tmp_path):
    _server, port = smb_server
    login, password = alice_laptop
    canary = plant_canary(bob)
    (tmp_path / "mine.txt").write_text("mine")
    assert eventually(lambda: "[alice-data]" in samba.layout().conf.read_text())
    assert smbclient(port, "alice-data", login, password, "put mine.txt mine.txt", cwd=tmp_path).returncode == 0
    for source, target in (("../../bob/data/bob-canary.txt", "stolen.txt"), ("mine.txt", "../../bob/data/planted.txt"),
                           (str(canary), "stolen2.txt")):
        smbclient(port, "alice-data", login, password, f'hardlink "{source}" "{target}"')
    data = paths.area_root(alice, "data")
    assert not (data / "stolen.txt").exists() and not (data / "stolen2.txt").exists()
    assert not (canary.parent / "planted.txt").exists()
    assert os.stat(canary).st_nlink == 1 and canary.read_text() == "bob's canary"
    # Inside the share a hard link is an ordinary second name, and allowed.
    smbclient(port, "alice-data", login, password, 'hardlink mine.txt "also mine.txt"')
    assert (data / "also mine.txt").read_text() == "mine"


def test_a_file_written_over_smb_is_in_the_next_cloud_sync_and_p2p_snapshot(smb_server, alice, alice_laptop, sshd,
                                                                             rclone_key, friend, tmp_path):  # noqa: F811
    _server, port = smb_server
    login, password = alice_laptop
    body = os.urandom(200_000)
    (tmp_path / "from-laptop.jpg").write_bytes(body)
    assert eventually(lambda: "[alice-backup]" in samba.layout().conf.read_text())
    out = smbclient(port, "alice-backup", login, password, "mkdir photos; put from-laptop.jpg photos/from-laptop.jpg",
                    cwd=tmp_path)
    assert out.returncode == 0, out.stdout + out.stderr
    dest = make_destination(Kind.SFTP, sshd=sshd)
    run = request_run("cloud", dest.pk, inline=True)
    run.refresh_from_db()
    assert run.status == RunStatus.SUCCEEDED, run.message
    assert tree(server_root(dest, sshd=sshd))["backup/alice/photos/from-laptop.jpg"] == body
    run = request_run("p2p", friend.pk, inline=True)
    run.refresh_from_db()
    assert run.status == RunStatus.SUCCEEDED, run.message
    snapshot = p2p_restore.list_snapshots(friend, alice)[-1]
    restic.restore(repos.repository(friend, alice), snapshot.id, tmp_path / "restored")
    restored = [p for p in (tmp_path / "restored").rglob("from-laptop.jpg")]
    assert len(restored) == 1 and restored[0].read_bytes() == body
