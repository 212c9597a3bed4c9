"""Bad destination input is refused at the edge (API, portal form, Django admin) with a message on the field,
and nothing is saved; what the admin saves there takes effect (secrets sealed, schedule mirrored)."""

from __future__ import annotations

import subprocess

import pytest
from django.utils import timezone
from django_q.models import Schedule

from anemone import crypto
from cloudbackup.models import Destination
from cloudbackup.validators import S3_PROVIDERS

pytestmark = pytest.mark.django_db
SFTP = {"name": "offsite", "kind": "sftp", "host": "backup.example.org", "username": "anemone-backup",
        "remote_path": "/srv/anemone-backups"}
S3 = {"name": "bucket", "kind": "s3", "bucket": "family", "access_key": "AKID", "secret": "s"}


@pytest.mark.parametrize("base, field, value", [
    (SFTP, "name", "Backup Server FR2"),
    (SFTP, "host", "-oProxyCommand=touch /tmp/x"),
    (SFTP, "host", "example.org,user=root"),
    (SFTP, "port", 0),
    (SFTP, "port", 70000),
    (SFTP, "username", "anemone\nhost=evil.example"),
    (SFTP, "username", "--help"),
    (SFTP, "remote_path", "/srv:other-remote"),
    (SFTP, "remote_path", "/srv/a,key_file=/etc/shadow"),
    (SFTP, "remote_path", "-rf"),
    (SFTP, "key_path", "/etc/ssh/ssh_host_ed25519_key"),
    (SFTP, "key_path", "certs/../../../root/.ssh/id_ed25519"),
    (SFTP, "bandwidth_limit", "fast"),
    (SFTP, "retention_days", 100000),
    (SFTP, "schedule_monthday", 31),
    (SFTP, "schedule_interval_minutes", 0),
    (S3, "bucket", "Bad_Bucket"),
    (S3, "provider", "NotAProvider"),
    (S3, "endpoint", "ftp://s3.example.org"),
    (S3, "endpoint", "http://s3.example.org\nregion=x"),
    (S3, "endpoint", "http://user:pw@s3.example.org"),
    (S3, "region", "eu-west-1,endpoint=http://evil.example"),
    ({"name": "dav", "kind": "webdav"}, "url", "javascript:alert(1)"),
    ({"name": "dav", "kind": "webdav"}, "url", "https://cloud.example.org/dav files/"),
])
def test_the_api_refuses_each_bad_field_with_a_message_on_that_field(api, admin_user, base, field, value):
    response = api(admin_user).post("/api/v1/cloud/destinations/", {**base, field: value}, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json(), response.json()
    assert not Destination.objects.exists()


@pytest.mark.parametrize("base, missing", [(SFTP, "host"), (SFTP, "username"), (S3, "bucket"),
                                           ({"name": "dav", "kind": "webdav", "url": ""}, "url")])
def test_each_kind_names_what_it_needs(api, admin_user, base, missing):
    response = api(admin_user).post("/api/v1/cloud/destinations/", {**base, missing: ""}, format="json")
    assert response.status_code == 400 and missing in str(response.json()), response.json()
    assert not Destination.objects.exists()


def test_good_values_of_a_home_network_are_accepted(api, admin_user):
    answers = [api(admin_user).post("/api/v1/cloud/destinations/", body, format="json") for body in [
        {**S3, "endpoint": "http://nas:9000", "provider": "Minio"},
        {"name": "nextcloud", "kind": "webdav", "url": "https://cloud.example.org/remote.php/dav/files/alice/",
         "vendor": "nextcloud", "username": "alice", "password": "p"},
        {**SFTP, "name": "ipv6", "host": "2001:db8::7", "key_path": "certs/other_key"},
    ]]
    assert [a.status_code for a in answers] == [201, 201, 201], [a.json() for a in answers]
    assert all("password" not in a.json() and "secret" not in a.json() for a in answers)


def test_every_offered_s3_provider_is_one_rclone_knows():
    from anemone.engines.paths import rclone_binary

    text = subprocess.run([rclone_binary(), "help", "backend", "s3"], capture_output=True, text=True, check=True,
                          env={"RCLONE_CONFIG": "/dev/null"}).stdout
    known = {line.strip().strip('-').strip().strip('"') for line in text.splitlines() if line.strip().startswith('- "')}
    assert {value for value, _label in S3_PROVIDERS} <= known, {value for value, _ in S3_PROVIDERS} - known


def test_the_portal_form_marks_missing_fields_of_the_chosen_kind(client, admin_user):
    client.force_login(admin_user)
    page = client.post("/cloud/new/", {"name": "s3-one", "kind": "s3", "access_key": "AKID", "port": 22,
                                       "retention_days": 30, "schedule_kind": "off", "schedule_interval_minutes": 60,
                                       "schedule_weekday": 0, "schedule_monthday": 1}).content.decode()
    assert "Required for this kind of destination." in page and not Destination.objects.exists()


def test_the_django_admin_seals_secrets_and_mirrors_the_schedule(client, admin_user, master_key):
    client.force_login(admin_user)
    form = {"name": "offsite", "kind": "sftp", "enabled": "on", "carry_everyone": "on", "host": "backup.example.org", "port": 22,
            "username": "anemone-backup", "key_path": "certs/rclone_key", "provider": "Other", "vendor": "other",
            "password": "admin-canary-pass", "crypt_password": "admin-canary-crypt",
            "crypt_password_again": "admin-canary-crypt", "retention_days": 30,
            "schedule_kind": "daily", "schedule_time": "03:15", "schedule_interval_minutes": 60,
            "schedule_weekday": 0, "schedule_monthday": 1}
    response = client.post("/admin/cloudbackup/destination/add/", form)
    assert response.status_code == 302, response.content.decode()[-3000:]
    dest = Destination.objects.get()
    assert crypto.unseal(dest.password_sealed) == "admin-canary-pass"
    assert crypto.unseal(dest.crypt_password_sealed) == "admin-canary-crypt"
    schedule = Schedule.objects.get(name=f"cloud:{dest.pk}")
    assert timezone.localtime(schedule.next_run).strftime("%H:%M") == "03:15"
    page = client.get(f"/admin/cloudbackup/destination/{dest.pk}/change/").content.decode()
    assert "admin-canary" not in page and "currently set" in page
    client.post(f"/admin/cloudbackup/destination/{dest.pk}/change/",
                {**form, "password": "", "crypt_password": "", "crypt_password_again": "", "schedule_kind": "weekly",
                 "schedule_weekday": 2})
    dest.refresh_from_db()
    assert crypto.unseal(dest.password_sealed) == "admin-canary-pass"  # left empty: kept
    assert timezone.localtime(Schedule.objects.get(name=f"cloud:{dest.pk}").next_run).weekday() == 2
    client.post(f"/admin/cloudbackup/destination/{dest.pk}/delete/", {"post": "yes"})
    assert not Destination.objects.exists() and not Schedule.objects.filter(name=f"cloud:{dest.pk}").exists()


def test_the_encryption_password_is_typed_twice(client, admin_user, master_key):
    client.force_login(admin_user)
    form = {"name": "offsite", "kind": "sftp", "enabled": "on", "carry_everyone": "on", "host": "backup.example.org",
            "port": 22, "username": "anemone-backup", "key_path": "certs/rclone_key", "provider": "Other",
            "vendor": "other", "crypt_password": "correct horse", "crypt_password_again": "correct hrose",
            "retention_days": 30, "schedule_kind": "daily", "schedule_time": "03:15", "schedule_interval_minutes": 60,
            "schedule_weekday": 0, "schedule_monthday": 1}
    page = client.post("/cloud/new/", form)
    assert page.status_code == 200 and "The two encryption passwords differ" in page.content.decode()
    assert not Destination.objects.exists()
    assert client.post("/cloud/new/", {**form, "crypt_password_again": "correct horse"}).status_code == 302
    assert crypto.unseal(Destination.objects.get().crypt_password_sealed) == "correct horse"



def test_a_new_destination_starts_nightly(client, admin_user):
    client.force_login(admin_user)
    page = client.get("/cloud/new/").content.decode()
    assert '<option value="daily" selected>' in page and 'value="02:30"' in page
