"""Accounts: one-time 24 h links, password change revoking access, commands."""

from __future__ import annotations

import io
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from anemone import crypto
from anemone.accounts import services, tokens
from anemone.accounts.models import AccountLink, ApiToken, User
from anemone.files.paths import area_root
from tests.conftest import PASSWORD


@pytest.fixture
def newcomer(db, master_key, admin_user):
    return services.create_user("dora", email="dora@example.org")


def test_it_activates_once_with_a_link_and_creates_the_areas(client, newcomer):
    token = services.make_link(newcomer, AccountLink.ACTIVATE)
    url = f"/activate/{token}/"
    response = client.post(url, {"password1": "violet meadow 77", "password2": "violet meadow 77"})
    assert response.status_code == 302 and response.url == "/account/backup-key/"
    newcomer.refresh_from_db()
    assert newcomer.is_activated and newcomer.check_password("violet meadow 77")
    assert area_root(newcomer, "backup").is_dir() and area_root(newcomer, "data").is_dir()
    assert oct(area_root(newcomer, "backup").stat().st_mode & 0o777) == "0o700"
    key_page = client.get("/account/backup-key/")
    key = services.backup_key(newcomer)
    assert key.encode() in key_page.content
    assert key not in newcomer.backup_key_sealed  # sealed at rest
    client.post("/account/backup-key/", {"stored": "on", "understood": "on"})
    assert client.get("/account/backup-key/").status_code == 404  # shown once
    assert client.get(url).status_code == 410  # the link worked once


def test_it_refuses_an_expired_link(client, newcomer):
    token = services.make_link(newcomer, AccountLink.ACTIVATE)
    AccountLink.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert client.get(f"/activate/{token}/").status_code == 410


def test_it_refuses_a_weak_password(client, newcomer):
    token = services.make_link(newcomer, AccountLink.ACTIVATE)
    response = client.post(f"/activate/{token}/", {"password1": "short", "password2": "short"})
    assert response.status_code == 200
    assert not User.objects.get(pk=newcomer.pk).is_activated


# Login lock-out rules: tests/anemone/test_login_throttle.py (django-axes since issue #11).


def test_it_revokes_tokens_and_other_sessions_on_password_change(client, alice, admin_user):
    other = type(client)()
    other.force_login(alice)
    _row, token = tokens.create_token(alice, "phone")
    client.force_login(alice)
    response = client.post("/account/", {"change_password": "1", "old_password": PASSWORD,
                                         "password1": "a brand new secret 9", "password2": "a brand new secret 9"})
    assert response.status_code == 302
    assert not ApiToken.objects.filter(user=alice).exists()
    assert other.get("/").status_code == 302  # logged out
    assert client.get("/").status_code == 200  # this session kept


def test_it_sets_up_once_from_the_command_line(db, tmp_path):
    password = tmp_path / "pw"
    password.write_text("first admin password\n")
    out = io.StringIO()
    call_command("setup", "--server-name", "nas", "--admin", "root-admin", "--password-file", str(password), stdout=out)
    kit = Path(out.getvalue().strip())
    assert kit == crypto.recovery_kit_path() and "Master key:" in kit.read_text()
    assert kit.stat().st_mode & 0o777 == 0o600
    with pytest.raises(CommandError, match="already done"):
        call_command("setup", "--server-name", "nas", "--admin", "x-admin", "--password-file", str(password))


def test_it_creates_an_active_user_with_a_key_file(db, master_key, tmp_path):
    password = tmp_path / "pw"
    password.write_text("erin's long password\n")
    key_file = tmp_path / "erin.key"
    call_command("create_user", "erin", "--password-file", str(password), "--key-out", str(key_file), stdout=io.StringIO())
    erin = User.objects.get(username="erin")
    assert key_file.read_text() == services.backup_key(erin) + "\n"
    assert key_file.stat().st_mode & 0o777 == 0o600
    with pytest.raises(CommandError, match="already exists"):
        call_command("create_user", "erin")


def test_it_prints_an_activation_link(db, master_key):
    out = io.StringIO()
    call_command("create_user", "fred", "--base-url", "https://nas.example.org", stdout=out)
    assert out.getvalue().startswith("https://nas.example.org/activate/")


def test_it_rejects_a_bad_username(db, master_key):
    with pytest.raises(CommandError):
        call_command("create_user", "../root")


def test_it_offers_to_import_an_existing_installation_during_setup(client, db):
    page = client.get("/setup/").content.decode()
    assert 'href="/usb/import/"' in page
    assert client.get("/usb/import/").status_code == 200
