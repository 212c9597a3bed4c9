"""Settings → Network shares, ``manage.py shares``, ``/api/v1/shares/`` and the share-login metrics
(issue #14, item 5): one model behind all of them, validated the same way, audited, admins only."""

from __future__ import annotations

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.management import CommandError, call_command
from django.test import Client, RequestFactory

from anemone.shares import services
from anemone.shares.models import ShareSettings
from tests.anemone.test_metrics import parse
from tests.conftest import api_client_for

pytestmark = pytest.mark.django_db


def test_the_settings_page_turns_the_shares_on_and_refuses_a_bad_address(client, admin_user):
    client.force_login(admin_user)
    page = client.get("/settings/").content.decode()
    assert 'id="network-shares"' in page and "SMB: off" in page.replace("\n", " ")
    saved = client.post("/settings/shares/", {"smb_enabled": "on", "webdav_enabled": "on",
                                               "smb_listen": "127.0.0.1:4450"}, follow=True)
    assert "Network share settings saved." in saved.content.decode()
    current = ShareSettings.load()
    assert (current.smb_enabled, current.webdav_enabled, current.effective_smb_listen()) == (True, True, "127.0.0.1:4450")
    assert "smbd listens on 127.0.0.1:4450" in client.get("/settings/").content.decode()
    for bad in ["nas.local:445", "127.0.0.1", "127.0.0.1:0", "127.0.0.1:70000", "1.2.3.4:44 5", "-x:1"]:
        refused = client.post("/settings/shares/", {"smb_enabled": "on", "smb_listen": bad}, follow=True)
        assert "Give an address and a port" in refused.content.decode(), bad
    assert ShareSettings.load().smb_listen == "127.0.0.1:4450"


def test_a_person_cannot_change_the_share_settings(client, alice):
    client.force_login(alice)
    assert client.post("/settings/shares/", {"smb_enabled": "on"}).status_code in (302, 403)
    assert not ShareSettings.load().smb_enabled


def test_the_command_enables_disables_and_reports(capsys, db):
    call_command("shares", "enable", "--smb", "--listen", "[::1]:4451")
    call_command("shares", "status")
    out = capsys.readouterr().out.splitlines()
    assert out[-3:] == ["smb on [::1]:4451", "webdav off /dav/", "smbd not running"]  # no serve_smb here
    call_command("shares", "enable")
    call_command("shares", "disable", "--smb")
    current = ShareSettings.load()
    assert (current.smb_enabled, current.webdav_enabled) == (False, True)
    with pytest.raises(CommandError, match="address and a port"):
        call_command("shares", "enable", "--listen", "somewhere")
    with pytest.raises(CommandError, match="goes with enable"):
        call_command("shares", "status", "--listen", "127.0.0.1:1")


def test_the_api_reads_and_patches_for_admins_only(admin_user, alice):
    admin = api_client_for(admin_user)
    assert admin.get("/api/v1/shares/").json() == {
        "smb_enabled": False, "webdav_enabled": False, "smb_listen": "", "smb_listen_effective": "0.0.0.0:445",
        "smb_server": {"running": False, "listen": "", "sessions": 0, "error": ""}}
    answer = admin.patch("/api/v1/shares/", {"webdav_enabled": True}, format="json")
    assert answer.status_code == 200 and answer.json()["webdav_enabled"] is True
    refused = admin.patch("/api/v1/shares/", {"smb_listen": "not an address"}, format="json")
    assert refused.status_code == 400 and "smb_listen" in refused.json()
    person = api_client_for(alice)
    assert person.get("/api/v1/shares/").status_code == 403
    assert person.patch("/api/v1/shares/", {"smb_enabled": True}, format="json").status_code == 403
    assert not ShareSettings.load().smb_enabled


def test_every_change_is_in_the_audit_log(admin_user):
    services.configure(smb=True, smb_listen="127.0.0.1:4452")
    services.configure(smb=False)
    entries = LogEntry.objects.filter(content_type=ContentType.objects.get_for_model(ShareSettings))
    assert entries.count() >= 2
    assert any("smb_enabled" in (entry.changes_dict or {}) for entry in entries)


def test_share_logins_and_failures_are_counted_on_metrics(alice):
    _row, password = services.create(alice, "phone")
    request = RequestFactory().get("/dav/", REMOTE_ADDR="192.0.2.30")
    services.authenticate(request, "webdav", "alice", password)
    services.authenticate(request, "webdav", "alice", "wrong")
    services.count_login("smb", "failed")
    samples = parse(Client(REMOTE_ADDR="127.0.0.1").get("/metrics").content.decode())
    value = {labels: v for (name, labels), v in samples.items() if name == "anemone_share_logins_total"}
    assert value[frozenset({("protocol", "webdav"), ("outcome", "ok")})] == 1
    assert value[frozenset({("protocol", "webdav"), ("outcome", "failed")})] == 1
    assert value[frozenset({("protocol", "smb"), ("outcome", "failed")})] == 1


def test_the_section_speaks_french(client, admin_user):
    admin_user.language = "fr"
    admin_user.save()
    client.force_login(admin_user)
    client.cookies["django_language"] = "fr"
    services.configure(smb=True)
    page = client.get("/settings/").content.decode()
    for french in ["Partages réseau", "smbd écoute sur 0.0.0.0:445", "Adresse d’écoute SMB",
                   "Enregistrer les partages réseau"]:
        assert french in page.replace("&#x27;", "’"), french
