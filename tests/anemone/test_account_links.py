"""Activation and reset links (issue #11, items 0 and 8): built on the configured portal address, never
on the request's Host header; refused while someone else is logged in in that browser."""

from __future__ import annotations

import io
import re

import pytest
from django.core.management import call_command

from anemone.accounts import services
from anemone.accounts.models import AccountLink, User
from anemone.models import SiteSettings

pytestmark = pytest.mark.django_db
PORTAL = "https://nas.example.org"


@pytest.fixture
def portal(db):  # type: ignore[no-untyped-def]
    SiteSettings.load()
    SiteSettings.objects.filter(pk=1).update(portal_url=PORTAL)
    return PORTAL


@pytest.fixture
def dora(db, master_key, admin_user):  # type: ignore[no-untyped-def]
    return services.create_user("dora", email="dora@example.org")


def test_the_portal_builds_links_on_the_configured_address(client, admin_user, portal):
    client.force_login(admin_user)
    page = client.post("/users/", {"username": "dora", "quota_total_gb": 1, "quota_backup_gb": 1},
                       HTTP_HOST="evil.example").content.decode()
    links = re.findall(r'href="([^"]*/activate/[^"]*)"', page)
    assert links and all(link.startswith(PORTAL + "/activate/") for link in links)
    assert "evil.example" not in page


def test_the_api_builds_links_on_the_configured_address(api, admin_user, portal, dora):
    client = api(admin_user)
    created = client.post("/api/v1/users/", {"username": "erin"}, format="json", HTTP_HOST="evil.example")
    assert created.status_code == 201 and created.json()["activation_link"].startswith(PORTAL + "/activate/")
    link = client.post(f"/api/v1/users/{dora.pk}/activation-link/", HTTP_HOST="evil.example").json()["url"]
    assert link.startswith(PORTAL + "/activate/")
    reset = client.post(f"/api/v1/users/{admin_user.pk}/reset-link/", HTTP_HOST="evil.example").json()["url"]
    assert reset.startswith(PORTAL + "/reset/")


def test_the_django_admin_builds_links_on_the_configured_address(client, admin_user, portal):
    client.force_login(admin_user)
    response = client.post("/admin/accounts/user/add/", {"username": "fred", "email": ""}, follow=True,
                           HTTP_HOST="evil.example")
    body = response.content.decode()
    assert f"{PORTAL}/activate/" in body and "evil.example/activate" not in body


def test_the_command_builds_links_on_the_configured_address(portal, master_key):
    out = io.StringIO()
    call_command("create_user", "gina", stdout=out)
    assert out.getvalue().startswith(PORTAL + "/activate/")


def test_the_settings_page_changes_and_validates_the_portal_address(client, admin_user, portal):
    client.force_login(admin_user)
    form = {"server_name": "anemone", "language": "en", "trash_retention_days": 30}
    bad = client.post("/settings/", {**form, "portal_url": "javascript:alert(1)"})
    assert bad.status_code == 200 and SiteSettings.load().portal_url == PORTAL
    client.post("/settings/", {**form, "portal_url": "http://nas:8000"})
    assert SiteSettings.load().portal_url == "http://nas:8000"


def test_an_activation_link_is_refused_while_someone_else_is_logged_in(client, admin_user, dora):
    token = services.make_link(dora, AccountLink.ACTIVATE)
    client.force_login(admin_user)
    page = client.get(f"/activate/{token}/")
    assert page.status_code == 409 and "Log out first" in page.content.decode()
    posted = client.post(f"/activate/{token}/", {"password1": "violet meadow 77", "password2": "violet meadow 77"})
    assert posted.status_code == 409
    dora.refresh_from_db()
    assert not dora.is_activated and not dora.has_backup_key
    assert client.get("/account/backup-key/").status_code == 404  # no key shown to the admin
    assert int(client.session["_auth_user_id"]) == admin_user.pk  # still the admin, not dora
    client.post("/logout/")
    assert client.get(f"/activate/{token}/").status_code == 200  # the link still works for dora


def test_a_reset_link_is_refused_while_someone_else_is_logged_in(client, admin_user, alice):
    token = services.make_link(alice, AccountLink.RESET)
    client.force_login(admin_user)
    response = client.post(f"/reset/{token}/", {"password1": "a new long one 5", "password2": "a new long one 5"})
    assert response.status_code == 409
    assert User.objects.get(pk=alice.pk).check_password("correct horse battery staple")
    client.force_login(alice)  # her own link in her own session is fine
    assert client.get(f"/reset/{token}/").status_code == 200
