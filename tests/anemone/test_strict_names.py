"""One strict rule for names that become folders, engine arguments or config lines (issue #11, item 22),
and bounds on numbers that would break things (item 28): negative quotas, a trash kept 0 days."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from anemone.accounts.models import User
from anemone.models import SiteSettings
from anemone.validators import http_url_validator, safe_name_validator
from cloudbackup.models import Destination
from usbbackup.models import UsbBackup

pytestmark = pytest.mark.django_db
SFTP = {"kind": "sftp", "host": "backup.example.org", "username": "anemone-backup", "remote_path": "/srv/b"}


@pytest.mark.parametrize("name", ["eve\n", "a\nb", "tab\there", "-rf", "a/b", "..", "nul\x00", " padded",
                                  "zero\u200bwidth", "x" * 65, ""])
def test_the_shared_rule_refuses_unsafe_names(name):
    with pytest.raises(ValidationError):
        safe_name_validator(name)


@pytest.mark.parametrize("name", ["family-nas", "Grand-mère", "nas_2", "Backup.Drive"])
def test_the_shared_rule_accepts_ordinary_names(name):
    safe_name_validator(name)


def test_the_command_refuses_a_username_with_a_newline(master_key):
    with pytest.raises(CommandError):
        call_command("create_user", "eve\n", stdout=io.StringIO())
    assert not User.objects.filter(username__startswith="eve").exists()


def test_the_api_refuses_a_username_with_a_newline(api, admin_user):
    response = api(admin_user).post("/api/v1/users/", {"username": "eve\n"}, format="json")
    assert response.status_code == 400 and "username" in response.json()
    assert not User.objects.filter(username__startswith="eve").exists()


def test_a_destination_name_with_a_newline_is_refused_everywhere(api, admin_user, client):
    with pytest.raises(ValidationError):
        Destination(name="offsite\n", **SFTP).full_clean()
    with pytest.raises(CommandError):
        call_command("cloud_destination", "add", "offsite\n", "--kind", "sftp", "--host", "backup.example.org",
                     "--user", "anemone-backup", stdout=io.StringIO())
    api(admin_user).post("/api/v1/cloud/destinations/", {"name": "offsite\n", **SFTP}, format="json")
    client.force_login(admin_user)
    client.post("/admin/cloudbackup/destination/add/", {"name": "offsite\n", **SFTP})
    assert not any("\n" in name for name in Destination.objects.values_list("name", flat=True))


def test_a_cloud_config_value_with_a_trailing_newline_is_refused(api, admin_user):
    response = api(admin_user).post("/api/v1/cloud/destinations/",
                                    {"name": "offsite", **SFTP, "remote_path": "/srv/b\n"}, format="json")
    assert response.status_code == 400 or "\n" not in Destination.objects.get().remote_path
    with pytest.raises(ValidationError, match="remote_path"):
        Destination(name="offsite2", **{**SFTP, "remote_path": "/srv/b\n"}).full_clean()


def test_a_usb_job_name_with_a_newline_is_refused():
    for field in ("name", "folder"):
        with pytest.raises(ValidationError, match=field):
            UsbBackup(**{"name": "drawer", field: "drawer\n"}).full_clean(exclude=["drive_path"])


def test_negative_quotas_are_refused_by_every_door(api, admin_user, alice, client):
    assert api(admin_user).patch(f"/api/v1/users/{alice.pk}/", {"quota_total_bytes": -1}, format="json").status_code == 400
    assert api(admin_user).post("/api/v1/users/", {"username": "neg", "quota_backup_bytes": -5},
                                format="json").status_code == 400
    with pytest.raises(CommandError, match="greater than or equal to 0"):
        call_command("edit_user", "alice", "--quota-total-gb", "-1")
    with pytest.raises(CommandError, match="greater than or equal to 0"):
        call_command("create_user", "neg", "--quota-backup-gb", "-2", stdout=io.StringIO())
    client.force_login(admin_user)
    client.post(f"/users/{alice.pk}/", {"quota_total_gb": -1, "quota_backup_gb": 1, "is_active": "on"})
    client.post(f"/admin/accounts/user/{alice.pk}/change/", {"username": "alice", "is_active": "on",
                                                            "quota_total_bytes": -1, "quota_backup_bytes": 0})
    alice.refresh_from_db()
    assert alice.quota_total_bytes >= 0 and alice.quota_backup_bytes >= 0
    assert not User.objects.filter(username="neg").exists()


def test_a_trash_retention_of_zero_days_is_refused(client, admin_user):
    client.force_login(admin_user)
    response = client.post("/settings/", {"server_name": "anemone", "language": "en", "portal_url": "",
                                          "trash_retention_days": 0})
    assert response.status_code == 200 and SiteSettings.load().trash_retention_days == 30
    with pytest.raises(ValidationError):
        SiteSettings(trash_retention_days=0).full_clean()


@pytest.mark.parametrize("url", ["https://nas.example.org", "http://nas:8000", "http://192.0.2.10:8000/",
                                 "http://[2001:db8::1]:8000"])
def test_ordinary_portal_addresses_are_accepted(url):
    http_url_validator(url)


@pytest.mark.parametrize("url", ["javascript:alert(1)", "nas.example.org", "http://a b", "http://x\n",
                                 "https://u:p@nas.example.org", "http://nas/?next=evil", "http://nas:99999"])
def test_odd_portal_addresses_are_refused(url):
    with pytest.raises(ValidationError):
        http_url_validator(url)
