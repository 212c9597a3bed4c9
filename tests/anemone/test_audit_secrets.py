"""No secret ever reaches the audit log: a canary is sealed in every secret field (a person's password and
backup key, a cloud destination's password, S3 secret and crypt password, an alert channel's Apprise URL, the
server's WireGuard private key), set and changed through the portal, the API and the commands, and then
searched for in every entry and in the audit page and API bodies — as plaintext, as its sealed form, and as
the password hash."""

from __future__ import annotations

import io
import json

import pytest
from auditlog.models import LogEntry
from auditlog.registry import auditlog
from django.core.management import call_command

from anemone import crypto
from anemone.accounts.services import backup_key
from anemone.alerts.models import AlertChannel
from anemone.audit import registration
from cloudbackup.models import Destination

pytestmark = pytest.mark.django_db
CANARIES = {
    "sftp": "sftp-canary-0a9f17", "sftp2": "sftp-canary-changed-77c2", "s3": "s3-canary-secret-4b21",
    "crypt": "crypt-canary-9e0d", "crypt2": "crypt-canary-changed-1f5a", "url": "hook-canary-token-6c3e",
    "url2": "hook-canary-token-changed-d44b", "cli": "cli-canary-pass-2e7b", "person": "person-canary-pw-8b1c",
}


def every_entry_as_text() -> str:
    rows = LogEntry.objects.values("object_repr", "changes", "changes_text", "additional_data", "serialized_data",
                                   "actor_email", "object_pk")
    return json.dumps(list(rows), default=str, ensure_ascii=False)


def test_no_secret_reaches_any_entry_nor_the_page_nor_the_api(client, api, admin_user, alice, tmp_path):
    from peers.identity import get_identity

    admin_api = api(admin_user)
    # cloud destination secrets, through the API (create, then change each)
    response = admin_api.post("/api/v1/cloud/destinations/", {
        "name": "box", "kind": "sftp", "host": "backup.example.org", "username": "anemone", "remote_path": "x",
        "password": CANARIES["sftp"], "crypt_password": CANARIES["crypt"]}, format="json")
    assert response.status_code == 201, response.content
    box = Destination.objects.get(name="box")
    admin_api.patch(f"/api/v1/cloud/destinations/{box.pk}/", {"password": CANARIES["sftp2"],
                                                             "crypt_password": CANARIES["crypt2"]}, format="json")
    response = admin_api.post("/api/v1/cloud/destinations/", {
        "name": "bucket", "kind": "s3", "endpoint": "http://127.0.0.1:9", "bucket": "family", "access_key": "ak",
        "secret": CANARIES["s3"], "remote_path": "x"}, format="json")
    assert response.status_code == 201, response.content
    # and through the command
    secret_file = tmp_path / "pass"
    secret_file.write_text(CANARIES["cli"] + "\n")
    call_command("cloud_destination", "add", "cli-box", "--kind", "sftp", "--host", "backup.example.org",
                 "--user", "anemone", "--password-file", str(secret_file), "--crypt-password-file", str(secret_file),
                 "--remote-path", "family", stdout=io.StringIO())
    # an alert channel's Apprise URL, through the portal form, then the API
    client.force_login(admin_user)
    client.post("/settings/alerts/new/", {"name": "hook", "kind": "apprise", "enabled": "on", "language": "en",
                                          "on_failed": "on", "url": f"json://127.0.0.1:9/{CANARIES['url']}"})
    channel = AlertChannel.objects.get(name="hook")
    admin_api.patch(f"/api/v1/alerts/channels/{channel.pk}/", {"url": f"json://127.0.0.1:9/{CANARIES['url2']}"},
                    format="json")
    # a person's password, changed by an admin's command; the server's keys
    password_file = tmp_path / "pw"
    password_file.write_text(CANARIES["person"] + "\n")
    call_command("create_user", "dora", "--password-file", str(password_file), "--key-out", str(tmp_path / "key"),
                 stdout=io.StringIO())
    identity = get_identity()
    call_command("identity", "--listen-port", "51821", stdout=io.StringIO())

    box.refresh_from_db()
    channel.refresh_from_db()
    forbidden = list(CANARIES.values()) + [
        backup_key(alice), alice.backup_key_sealed, alice.password, (tmp_path / "key").read_text().strip(),
        crypto.unseal(identity.wg_private_sealed), identity.wg_private_sealed, box.password_sealed,
        box.crypt_password_sealed, channel.url_sealed, Destination.objects.get(name="bucket").secret_sealed]
    text = every_entry_as_text()
    leaked = [secret for secret in forbidden if secret and secret in text]
    assert not leaked, f"in the audit log: {leaked}"
    # what was recorded instead: that each secret changed
    assert '"password_sealed": ["••••••", "••••••"]' in text
    assert '"url_sealed": ["", "••••••"]' in text and '"url_sealed": ["••••••", "••••••"]' in text
    assert '"listen_port": [51820, 51821]' in text

    pages = [client.get("/settings/audit/", {"kind": kind}).content.decode()
             for kind in ("", "alerts.alertchannel", "cloudbackup.destination", "accounts.user")]
    body = admin_api.get("/api/v1/audit/", {"limit": 1000}).content.decode()
    assert "<strong>Apprise URL</strong>: — → ••••••" in pages[1] and '"object_repr":"box"' in body
    for shown in (*pages, body):
        assert not [secret for secret in forbidden if secret and secret in shown]


def test_every_secret_field_of_an_audited_model_is_excluded_or_masked():
    """A secret field added later to an audited model must be listed in anemone.audit.registration."""
    checked = 0
    for model in auditlog.get_models():
        fields = auditlog.get_model_fields(model)
        for name in registration.secret_fields(model):
            assert name in fields["exclude_fields"] or name in fields["mask_fields"], f"{model.__name__}.{name}"
            checked += 1
    assert checked >= 7  # password, backup key, WireGuard key, three cloud secrets, the Apprise URL


def test_the_mask_says_set_or_not_set_and_nothing_else():
    assert registration.mask("v1:abcdef0123456789") == registration.mask("x") == "••••••"
    assert registration.mask("") == registration.mask("None") == ""
