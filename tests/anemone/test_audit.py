"""The audit log records every admin action with who, when, from where and what changed: through the portal's
forms, the API, a management command and the Django admin, and the actions that are not a model save
(stored data deleted, bulk restore started, host key forgotten)."""

from __future__ import annotations

import io
import os
import pwd

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command

from anemone.accounts import throttle
from anemone.accounts.models import User
from anemone.audit.services import details
from anemone.models import SiteSettings
from cloudbackup.models import Destination

pytestmark = pytest.mark.django_db
CLIENT = "203.0.113.7"
PROXY = "198.51.100.1"


def entries_for(model, **filters) -> list[LogEntry]:
    content_type = ContentType.objects.get_for_model(model)
    return list(LogEntry.objects.filter(content_type=content_type, **filters).order_by("pk"))


def last_for(model, **filters) -> LogEntry:
    found = entries_for(model, **filters)
    assert found, f"no audit entry for {model.__name__}"
    return found[-1]


def test_a_settings_change_through_the_portal_form_is_recorded_with_actor_address_and_fields(client, admin_user):
    client.force_login(admin_user)
    response = client.post("/settings/", {"server_name": "maison", "language": "fr", "portal_url": "",
                                          "trash_retention_days": 12}, REMOTE_ADDR=CLIENT)
    assert response.status_code == 302
    entry = last_for(SiteSettings, action=LogEntry.Action.UPDATE)
    assert entry.actor == admin_user and entry.remote_addr == CLIENT
    assert entry.changes_dict["server_name"] == ["anemone", "maison"]
    assert entry.changes_dict["trash_retention_days"] == [30, 12]
    assert entry.changes_dict["language"] == ["en", "fr"]


def test_the_address_is_the_one_the_login_throttle_charges(client, admin_user, settings, rf):
    """Behind a trusted proxy the client in X-Forwarded-For; from anyone else the header is ignored."""
    client.force_login(admin_user)
    settings.ANEMONE_TRUSTED_PROXIES = [PROXY]
    form = {"server_name": "one", "language": "en", "portal_url": "", "trash_retention_days": 30}
    client.post("/settings/", form, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=f"192.0.2.99, {CLIENT}")
    assert last_for(SiteSettings).remote_addr == CLIENT
    same = rf.post("/settings/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=f"192.0.2.99, {CLIENT}")
    assert throttle.client_ip(same) == CLIENT
    client.post("/settings/", {**form, "server_name": "two"}, REMOTE_ADDR="203.0.113.50",
                HTTP_X_FORWARDED_FOR="192.0.2.66")  # not a trusted proxy: its header is a client's claim
    assert last_for(SiteSettings).remote_addr == "203.0.113.50"


def test_a_quota_change_through_the_api_is_recorded_with_the_token_owner(api, admin_user, alice):
    response = api(admin_user).patch(f"/api/v1/users/{alice.pk}/", {"quota_total_bytes": 70 * 10**9}, format="json",
                                     REMOTE_ADDR=CLIENT)
    assert response.status_code == 200, response.content
    entry = last_for(User, object_pk=str(alice.pk), action=LogEntry.Action.UPDATE)
    assert entry.actor == admin_user, "the token's owner, authenticated inside the view, is the actor"
    assert entry.remote_addr == CLIENT
    assert entry.changes_dict == {"quota_total_bytes": [100 * 10**9, 70 * 10**9]}


def test_a_change_through_the_django_admin_is_recorded(client, admin_user, alice):
    client.force_login(admin_user)
    response = client.post(f"/admin/accounts/user/{alice.pk}/change/", {
        "username": "alice", "email": "alice@example.org", "language": "", "is_active": "on",
        "quota_total_bytes": 100 * 10**9, "quota_backup_bytes": 20 * 10**9}, REMOTE_ADDR=CLIENT)
    assert response.status_code == 302, response.content.decode()[:2000]
    entry = last_for(User, object_pk=str(alice.pk), action=LogEntry.Action.UPDATE)
    assert (entry.actor, entry.remote_addr) == (admin_user, CLIENT)
    assert entry.changes_dict == {"quota_backup_bytes": [50 * 10**9, 20 * 10**9]}


def test_a_management_command_is_recorded_as_the_command_and_the_os_user(admin_user, tmp_path):
    secret = tmp_path / "pass"
    secret.write_text("cli-canary-5d1e\n")
    call_command("cloud_destination", "add", "offsite", "--kind", "sftp", "--host", "backup.example.org",
                 "--user", "anemone", "--password-file", str(secret), "--remote-path", "family", stdout=io.StringIO())
    entry = last_for(Destination, action=LogEntry.Action.CREATE)
    assert entry.actor is None and entry.remote_addr is None
    assert entry.actor_email == f"cli: cloud_destination ({pwd.getpwuid(os.geteuid()).pw_name})"
    assert entry.changes_dict["host"] == [None, "backup.example.org"]
    assert entry.changes_dict["password_sealed"] == ["", "••••••"], "that a password was set, nothing of it"
    call_command("edit_user", "admin", "--quota-total-gb", "300", stdout=io.StringIO())
    assert last_for(User).actor_email.startswith("cli: edit_user (")
    call_command("create_user", "erin", stdout=io.StringIO())
    created = last_for(User, action=LogEntry.Action.CREATE, object_repr="erin")
    assert created.actor_email.startswith("cli: create_user (")
    assert {"username", "is_staff", "quota_total_bytes"} <= set(created.changes_dict)
    assert not {"password", "last_login", "backup_key_sealed", "links", "auth_token_set"} & set(created.changes_dict)


def test_people_carried_by_a_destination_are_recorded(api, admin_user, alice, bob):
    client = api(admin_user)
    response = client.post("/api/v1/cloud/destinations/", {
        "name": "box", "kind": "sftp", "host": "backup.example.org", "username": "anemone", "remote_path": "x",
        "password": "p", "carry_everyone": False, "users": ["alice"]}, format="json")
    assert response.status_code == 201, response.content
    dest = Destination.objects.get(name="box")
    client.patch(f"/api/v1/cloud/destinations/{dest.pk}/", {"users": ["bob"]}, format="json")
    m2m = [e.changes_dict["users"] for e in entries_for(Destination) if "users" in e.changes_dict]
    assert {"type": "m2m", "operation": "add", "objects": ["alice"]} in m2m
    assert {"type": "m2m", "operation": "add", "objects": ["bob"]} in m2m
    assert {"type": "m2m", "operation": "delete", "objects": ["alice"]} in m2m


def test_forgetting_a_host_key_is_recorded(api, admin_user):
    from cloudbackup import services

    dest = services.save_destination(Destination(name="pinned", kind="sftp", host="backup.example.org",
                                                 username="u", remote_path="x", host_key="ssh-ed25519 AAAA"))
    response = api(admin_user).post(f"/api/v1/cloud/destinations/{dest.pk}/forget-host-key/", REMOTE_ADDR=CLIENT)
    assert response.status_code in (200, 204), response.content
    entry = last_for(Destination, additional_data__event="host_key_forgotten")
    assert (entry.actor, entry.remote_addr, entry.object_repr) == (admin_user, CLIENT, "pinned")
    assert details(entry) == {"host": "backup.example.org"}


def test_deleting_what_a_peer_stored_here_is_recorded(client, admin_user):
    from peers import services
    from peers.identity import get_identity
    from peers.models import IncomingFolder, Peer

    get_identity()
    peer = Peer.objects.create(name="friend", wg_public_key="B" * 43 + "=", allowed_ips="198.51.100.9/32",
                               ssh_public_key=get_identity().ssh_public_key, folder="friend")
    root = services.peer_root(peer)
    root.mkdir(parents=True, exist_ok=True)
    (root / "data").write_bytes(b"x")
    client.force_login(admin_user)
    client.post(f"/peers/{peer.pk}/delete-data/", {"confirm_name": "friend"}, REMOTE_ADDR=CLIENT)
    assert not (root / "data").exists()
    entry = last_for(IncomingFolder, additional_data__event="stored_data_deleted")
    assert (entry.actor, entry.remote_addr, entry.object_repr) == (admin_user, CLIENT, "friend")
    assert entry.action == LogEntry.Action.DELETE and details(entry) == {"folder": "friend"}


def test_a_bulk_restore_is_recorded_with_who_asked_and_for_whom(admin_user, alice):
    from p2p import restore, services
    from peers.identity import get_identity
    from peers.models import Peer

    get_identity()
    peer = Peer.objects.create(name="friend", wg_public_key="C" * 43 + "=", allowed_ips="198.51.100.9/32",
                               ssh_public_key=get_identity().ssh_public_key)
    target = services.ensure_target(peer)
    run = restore.request_bulk_restore(target, ["alice"], requested_by=admin_user, queue=False)
    entry = last_for(type(target), additional_data__event="bulk_restore_started")
    assert entry.actor == admin_user
    assert details(entry) == {"run": run.pk, "users": ["alice"]}
    from anemone.audit.services import entries

    assert entry in entries(action="bulk_restore_started") and entry not in entries(action="create")
    assert entries(action="create").filter(object_repr="alice").exists(), "plain saves still match"


def test_what_the_system_maintains_adds_no_entry(admin_user, alice):
    """Usage counters, health results and last-sent times change all day: no entry for them."""
    before = LogEntry.objects.count()
    alice.usage_backup_bytes = 12345
    alice.save(update_fields=["usage_backup_bytes"])
    User.objects.get(pk=alice.pk).save()
    assert LogEntry.objects.count() == before


def test_issuing_a_reset_link_is_recorded_without_the_link(api, admin_user, alice):
    response = api(admin_user).post(f"/api/v1/users/{alice.pk}/reset-link/", REMOTE_ADDR=CLIENT)
    assert response.status_code == 200
    url = response.json()["url"]
    entry = last_for(User, additional_data__event="account_link_issued")
    assert (entry.actor, entry.remote_addr, entry.object_repr) == (admin_user, CLIENT, "alice")
    assert details(entry) == {"purpose": "reset"}
    token = url.rstrip("/").rsplit("/", 1)[-1]
    assert token not in str(entry.additional_data) + str(entry.changes) + entry.object_repr


def test_clearing_a_login_lock_is_recorded(api, admin_user, alice):
    from axes.models import AccessAttempt
    from django.utils import timezone

    AccessAttempt.objects.create(username="alice", ip_address="192.0.2.44", failures_since_start=9,
                                 attempt_time=timezone.now(), user_agent="x", path_info="/login/")
    response = api(admin_user).post("/api/v1/auth/lockouts/clear/", {"username": "alice", "ip_address": "192.0.2.44"},
                                    format="json", REMOTE_ADDR=CLIENT)
    assert response.json() == {"cleared": 1}
    entry = last_for(AccessAttempt, additional_data__event="login_lock_cleared")
    assert (entry.actor, entry.remote_addr, entry.object_repr) == (admin_user, CLIENT, "alice @ 192.0.2.44")
    assert details(entry) == {"username": "alice", "ip_address": "192.0.2.44",
                                     "attempts": 1}


def test_a_command_run_through_sudo_names_who_ran_it(monkeypatch, admin_user):
    from anemone.audit import cli

    me = pwd.getpwuid(os.geteuid()).pw_name
    monkeypatch.setenv("SUDO_USER", "bob-the-admin")
    monkeypatch.setenv("USER", "someone-else")  # the environment's name is not believed
    assert cli.os_user() == f"{me}, sudo by bob-the-admin"
    call_command("edit_user", "admin", "--quota-total-gb", "400", stdout=io.StringIO())
    assert last_for(User).actor_email == f"cli: edit_user ({me}, sudo by bob-the-admin)"


def test_who_acted_outlives_their_account(client, admin_user, alice):
    from anemone.accounts import services

    other = services.create_user("eve", email="", is_admin=True)
    client.force_login(other)
    client.post("/settings/", {"server_name": "eves", "language": "en", "portal_url": "", "trash_retention_days": 30})
    client.logout()
    other.delete()
    entry = last_for(SiteSettings)
    assert entry.actor is None and not entry.actor_email  # the link is gone and eve had no e-mail
    from anemone.audit.services import actor_label, entries

    assert actor_label(entry) == "eve" and entry in entries(who="eve")
    assert details(entry) == {}


def test_a_schedule_and_retention_change_is_recorded_and_a_health_check_is_not(api, admin_user):
    from p2p import services
    from peers.identity import get_identity
    from peers.models import Peer

    get_identity()
    peer = Peer.objects.create(name="friend", wg_public_key="D" * 43 + "=", allowed_ips="198.51.100.9/32",
                               ssh_public_key=get_identity().ssh_public_key)
    target = services.ensure_target(peer)
    response = api(admin_user).patch(f"/api/v1/p2p/targets/{target.pk}/", {
        "schedule_kind": "weekly", "schedule_weekday": 6, "schedule_time": "03:30", "keep_daily": 9}, format="json")
    assert response.status_code == 200, response.content
    entry = last_for(type(target), action=LogEntry.Action.UPDATE)
    assert entry.actor == admin_user
    assert entry.changes_dict["schedule_kind"][1] == "weekly" and entry.changes_dict["keep_daily"][1] == 9
    assert entry.changes_dict["schedule_time"][1] == "03:30:00"
    before = LogEntry.objects.count()
    peer.health_results = [{"check": "tunnel", "ok": True}]
    peer.save()
    assert LogEntry.objects.count() == before
