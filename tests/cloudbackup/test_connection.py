"""Each test-connection diagnosis comes from a real failure against a real server."""

from __future__ import annotations

import io
import subprocess
from pathlib import Path

import pytest
from django.core.management import call_command

from anemone.engines import ssh
from anemone.runs.models import Run, RunStatus
from anemone.runs.services import request as request_run
from cloudbackup import backends, keys
from cloudbackup.connection import test_connection as check
from cloudbackup.models import Kind
from tests.cloudbackup.conftest import make_destination, put
from tests.fixtures.sshd import free_port, start_sshd, stop_sshd

pytestmark = pytest.mark.django_db


def test_it_succeeds_and_pins_the_host_key_on_first_use(rclone_key, sshd):
    dest = make_destination(Kind.SFTP, sshd=sshd)
    result = check(dest)
    assert result.ok and result.outcome == "ok", result.message
    dest.refresh_from_db()
    assert dest.host_key.split()[1] == "ssh-ed25519"
    assert list((sshd.root / "srv" / dest.name).iterdir()) == []  # the probe file was removed


def test_it_says_the_key_is_not_authorized_and_shows_the_line_to_add(data_dir, master_key, sshd):
    keys.generate()  # a key the server does not know
    result = check(make_destination(Kind.SFTP, sshd=sshd))
    assert result.outcome == "auth_refused"
    assert keys.authorized_keys_line(keys.public_key()) in result.message


def test_it_says_when_anemones_key_was_never_generated(data_dir, master_key, sshd):
    result = check(make_destination(Kind.SFTP, sshd=sshd))  # key path pre-filled, key not generated yet
    assert result.outcome == "key_missing" and "certs/rclone_key" in result.message, result.message
    assert "remote path" not in result.message  # rclone says "no such file": about our key, not the server


def test_a_first_sync_pins_the_host_key_and_later_ones_check_it(rclone_key, sshd, alice):
    """A stock server offers RSA, ECDSA and Ed25519 keys: whichever is pinned, rclone must ask for that one."""
    dest = make_destination(Kind.SFTP, sshd=sshd)
    put(alice, "a.txt", b"a")
    runs = [request_run("cloud", dest.pk, inline=True) for _ in range(2)]  # never tested: the first sync pins
    dest.refresh_from_db()
    assert [Run.objects.get(pk=r.pk).status for r in runs] == [RunStatus.SUCCEEDED] * 2, \
        [Run.objects.get(pk=r.pk).message for r in runs]
    public_keys = [p.read_text().split()[1] for p in sshd.host_key.parent.glob("ssh_host_*_key.pub")]
    assert len(public_keys) == 3 and dest.host_key.split()[2] in public_keys
    env = backends.remote(dest).env
    assert env["RCLONE_CONFIG_DEST_HOST_KEY_ALGORITHMS"] == dest.host_key.split()[1]


@pytest.mark.parametrize("key_type", ["rsa", "ecdsa", "ed25519"])
def test_whichever_host_key_type_is_pinned_tests_and_syncs_ask_for_that_one(rclone_key, sshd, alice, key_type):
    dest = make_destination(Kind.SFTP, sshd=sshd)
    algorithm, blob = (sshd.host_key.parent / f"ssh_host_{key_type}_key.pub").read_text().split()[:2]
    dest.host_key = f"{ssh.known_hosts_host(sshd.host, sshd.port)} {algorithm} {blob}"  # pinned by an older version
    dest.save()
    put(alice, "a.txt", b"a")
    result = check(dest)
    run = request_run("cloud", dest.pk, inline=True)
    run.refresh_from_db()
    assert result.ok, result.message
    assert run.status == RunStatus.SUCCEEDED, run.message
    assert (Path(dest.remote_path) / "backup/alice/a.txt").read_bytes() == b"a"


def test_it_says_when_nothing_listens(rclone_key, sshd):
    dest = make_destination(Kind.SFTP, sshd=sshd)
    dest.port = free_port()
    result = check(dest)
    assert result.outcome == "unreachable" and "refused" in result.message


def test_it_refuses_a_changed_host_key_with_both_fingerprints_and_so_does_a_sync(rclone_key, alice, tmp_path):
    server = start_sshd(tmp_path / "one")
    try:
        dest = make_destination(Kind.SFTP, sshd=server)
        server.authorize(keys.public_key())
        assert check(dest).ok
        old = dest.host_key
    finally:
        stop_sshd(server)
    other = start_sshd(tmp_path / "two", port=server.port)  # "reinstalled": same address, new key
    put(alice, "a.txt", b"a")
    try:
        other.authorize(keys.public_key())
        result = check(dest)
        run = request_run("cloud", dest.pk, inline=True)  # rclone checks the pinned key itself, too
        run.refresh_from_db()
        dest.refresh_from_db()
        pinned_while_refused = dest.host_key
        # The admin confirms the reinstall: forget the old key, test (pins the new one), sync again.
        out = io.StringIO()
        call_command("cloud_destination", "test", dest.name, "--forget-host-key", stdout=out)
        after = request_run("cloud", dest.pk, inline=True)
    finally:
        stop_sshd(other)
    assert result.outcome == "host_key_changed"
    fingerprints = subprocess.run(["ssh-keygen", "-lf", str(other.host_key) + ".pub"], capture_output=True, text=True).stdout
    assert fingerprints.split()[1] in result.message
    assert "SHA256:" in result.message and pinned_while_refused == old
    assert run.status == RunStatus.FAILED and "host key is not the one pinned" in run.message, run.message
    assert "successful" in out.getvalue()
    dest.refresh_from_db()
    assert dest.host_key.split()[2] == other.host_key.with_suffix(".pub").read_text().split()[1]
    after.refresh_from_db()
    assert after.status == RunStatus.SUCCEEDED and (Path(dest.remote_path) / "backup/alice/a.txt").read_bytes() == b"a"


def test_it_says_when_the_remote_path_is_missing(rclone_key, sshd):
    dest = make_destination(Kind.SFTP, sshd=sshd)
    dest.remote_path = str(sshd.root / "srv" / "does-not-exist")
    assert check(dest).outcome == "path_missing"


def test_it_says_when_the_remote_path_is_not_writable(rclone_key, sshd):
    dest = make_destination(Kind.SFTP, sshd=sshd)
    # The backup account is root on the test server, so permission bits would not stop it: the folder is
    # made immutable instead, which the kernel enforces for root too ("Operation not permitted").
    subprocess.run(["chattr", "+i", dest.remote_path], check=True)
    try:
        result = check(dest)
    finally:
        subprocess.run(["chattr", "-i", dest.remote_path], check=True)
    assert result.outcome == "not_writable", result.message
    assert dest.remote_path in result.message


def test_it_says_when_the_account_is_read_only(data_dir, master_key, sshd_read_only):
    sshd_read_only.authorize(keys.generate())
    result = check(make_destination(Kind.SFTP, sshd=sshd_read_only))
    assert result.outcome == "not_writable", result.message


def test_it_says_when_s3_credentials_are_wrong(data_dir, master_key, s3_server):
    dest = make_destination(Kind.S3, s3=s3_server)
    from cloudbackup import services

    services.apply_secrets(dest, {"secret": "wrong"})
    assert check(dest).outcome == "auth_refused"


def test_the_pinned_key_is_shown_and_forgotten_only_with_confirmation(rclone_key, sshd, admin_user, client, api):
    dest = make_destination(Kind.SFTP, sshd=sshd)
    assert check(dest).ok
    client.force_login(admin_user)
    page = client.get(f"/cloud/{dest.pk}/").content.decode()
    assert ssh.host_key_fingerprint(dest.host_key) in page
    client.post(f"/cloud/{dest.pk}/forget-host-key/")
    dest.refresh_from_db()
    assert dest.host_key  # no confirmation ticked: kept
    client.post(f"/cloud/{dest.pk}/forget-host-key/", {"confirm": "1"})
    dest.refresh_from_db()
    assert dest.host_key == "" and not backends.known_hosts_file(dest).exists()
    assert check(dest).ok and dest.host_key
    assert api(admin_user).post(f"/api/v1/cloud/destinations/{dest.pk}/forget-host-key/").status_code == 204
    dest.refresh_from_db()
    assert dest.host_key == ""


def test_the_django_admin_tests_the_connection_of_the_destinations_ticked(rclone_key, sshd, client, admin_user):
    good = make_destination(Kind.SFTP, sshd=sshd)
    broken = make_destination(Kind.SFTP, sshd=sshd)
    broken.port = free_port()  # nothing listens there
    broken.save()
    client.force_login(admin_user)
    page = client.post("/admin/cloudbackup/destination/", {"action": "test_connection",
                                                           "_selected_action": [good.pk, broken.pk]}, follow=True)
    shown = [str(m) for m in page.context["messages"]]
    assert any(m.startswith(f"{good.name}: ") for m in shown) and check(good).ok
    failure = next(m for m in shown if m.startswith(f"{broken.name}: "))
    assert failure != f"{broken.name}: {check(good).message}"  # says what is wrong, not "OK"
    assert "admin/cloudbackup/destination" in page.request["PATH_INFO"]
