"""Disaster recovery, as an admin would live it: two servers (two data dirs), one drive, one kit.

Server A (two people with files) backs up to a real mounted drive with `usb_backup_now --wait`.
Server B is a fresh data dir: `usb_restore --with-users` from that drive with A's recovery kit.
Then on B both people log in with their passwords, their backup keys are A's, and every file is
byte-identical. Each server is `manage.py` in subprocesses, exactly as on two machines.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import PASSWORD
from tests.usbbackup.conftest import tree_bytes, write_tree

ROOT = Path(__file__).resolve().parents[2]


def server_env(data_dir: Path, home: Path) -> dict[str, str]:
    """A server of its own: own data dir, embedded SQLite (no DATABASE_URL / REDIS_URL inherited)."""
    return {"ANEMONE_DATA_DIR": str(data_dir), "PATH": os.environ["PATH"], "HOME": str(home)}


def manage(env, *args, expect: int = 0) -> str:  # type: ignore[no-untyped-def]
    result = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True,
                            text=True, timeout=300)
    assert result.returncode == expect, f"{args}: {result.stdout}\n{result.stderr}"
    return result.stdout.strip()


CREATE_JOB = """
from usbbackup import detection, services
from usbbackup.models import UsbBackup, UsbSettings
from django.contrib.auth import get_user_model
UsbSettings.objects.update_or_create(pk=1, defaults={{"mount_roots": "{root}"}})
job = UsbBackup(name="drawer", scope="config_users", include_data_area=True)
services.set_drive(job, detection.find_mount("{mount}"))
services.save_job(job, users=get_user_model().objects.filter(username__in=["alice", "bob"]))
print(job.drive_identity)
"""

CHECK_LOGINS = """
from django.test import Client
from django.contrib.auth import get_user_model
from anemone.accounts import services
for name in ("alice", "bob"):
    client = Client()
    response = client.post("/login/", {{"username": name, "password": "{password}"}})
    home = client.get("/")
    print(name, response.status_code, home.status_code, services.backup_key(get_user_model().objects.get(username=name)))
"""


WEB_IMPORT = """
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from anemone.runs.models import Run
from anemone.runs.tasks import execute as execute_run
from usbbackup.models import UsbSettings
UsbSettings.objects.update_or_create(pk=1, defaults={{"mount_roots": "{root}"}})
client = Client()
page = client.get("/usb/import/")
assert page.status_code == 200 and "{mount}/anemone-backup" in page.content.decode(), page.content
kit = SimpleUploadedFile("kit.txt", open("{kit}", "rb").read())
done = client.post("/usb/import/", {{"folder": "{mount}/anemone-backup", "recovery_kit": kit, "with_users": "on"}})
run = Run.objects.get(kind="usb-restore")
execute_run(run.pk)  # what the worker does
run.refresh_from_db()
print(done.status_code, "Installation imported" in done.content.decode(), run.status)
"""


@pytest.mark.django_db
def test_it_rebuilds_a_server_from_the_drive_and_the_recovery_kit(mounts, usb_root, tmp_path):
    drive = mounts.ext4("BACKUP", label="BACKUP", size_mb=48)
    env_a = server_env(tmp_path / "server-a", tmp_path)
    password_file = tmp_path / "password"
    password_file.write_text(PASSWORD + "\n")
    manage(env_a, "migrate", "--noinput", "-v", "0")
    kit = Path(manage(env_a, "setup", "--server-name", "family-nas", "--admin", "boss",
                      "--password-file", str(password_file)).splitlines()[-1])
    keys = {}
    for name in ("alice", "bob"):
        manage(env_a, "create_user", name, "--password-file", str(password_file),
               "--key-out", str(tmp_path / f"{name}.key"))
        keys[name] = (tmp_path / f"{name}.key").read_text().strip()
    shares_a = tmp_path / "server-a" / "shares"
    write_tree(shares_a / "alice", {"backup/photos/sea.jpg": os.urandom(50_000), "data/list.txt": b"eggs\n"})
    write_tree(shares_a / "bob", {"backup/thesis.odt": os.urandom(20_000), "backup/a b/c d.txt": b"x" * 10})
    assert "uuid" in manage(env_a, "shell", "-c", CREATE_JOB.format(root=usb_root, mount=drive))
    out = manage(env_a, "usb_backup_now", "drawer", "--wait")
    assert out.startswith("succeeded"), out

    env_b = server_env(tmp_path / "server-b", tmp_path)
    manage(env_b, "migrate", "--noinput", "-v", "0")
    wrong_kit = tmp_path / "wrong-kit.txt"
    wrong_kit.write_text("Master key: " + "A" * 43 + "=\n")
    assert "not the one of this backup" in subprocess.run(
        [sys.executable, "manage.py", "usb_restore", "--drive", str(drive), "--recovery-kit", str(wrong_kit)],
        cwd=ROOT, env=env_b, capture_output=True, text=True, timeout=120).stderr
    out = manage(env_b, "usb_restore", "--drive", str(drive), "--recovery-kit", str(kit), "--with-users")
    assert "Imported server family-nas" in out and "2 person(s)" in out

    logins = manage(env_b, "shell", "-c", CHECK_LOGINS.format(password=PASSWORD)).splitlines()[-2:]
    assert logins == [f"alice 302 200 {keys['alice']}", f"bob 302 200 {keys['bob']}"]
    shares_b = tmp_path / "server-b" / "shares"
    for name in ("alice", "bob"):
        assert tree_bytes(shares_b / name) == tree_bytes(shares_a / name)
    assert (tmp_path / "server-b" / "certs" / "recovery-kit.txt").read_text() == kit.read_text()
    assert manage(env_b, "usb_restore", "--drive", str(drive), "--recovery-kit", str(kit), expect=1) == ""

    # The same from the setup page of a third fresh server, people's files by a background run.
    env_c = server_env(tmp_path / "server-c", tmp_path)
    manage(env_c, "migrate", "--noinput", "-v", "0")
    out = manage(env_c, "shell", "-c", WEB_IMPORT.format(root=usb_root, mount=drive, kit=kit))
    assert out.splitlines()[-1] == "200 True succeeded", out
    for name in ("alice", "bob"):
        assert tree_bytes(tmp_path / "server-c" / "shares" / name) == tree_bytes(shares_a / name)
