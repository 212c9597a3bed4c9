"""The recovery kit (issue #11, item 5): readable on screen and on paper, and a dashboard reminder for
admins until an admin confirms (a POST, a stored fact) that the kit is printed or stored."""

from __future__ import annotations

from pathlib import Path

import pytest

from anemone.models import SiteSettings
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db
CSS = Path(__file__).resolve().parents[2] / "static" / "css" / "anemone.css"


def test_the_dashboard_reminds_admins_until_the_kit_is_confirmed(client, admin_user, alice):
    client.force_login(alice)
    assert 'id="kit-reminder"' not in client.get("/").content.decode()  # people have nothing to do with it
    client.force_login(admin_user)
    assert 'id="kit-reminder"' in client.get("/").content.decode()
    client.post("/settings/recovery-kit/confirm/", {})  # the box not ticked: nothing recorded
    assert SiteSettings.load().recovery_kit_confirmed_at is None
    client.post("/settings/recovery-kit/confirm/", {"saved": "on"})
    assert SiteSettings.load().recovery_kit_confirmed_at is not None
    assert 'id="kit-reminder"' not in client.get("/").content.decode()


def test_people_cannot_confirm_or_see_the_kit(client, alice, admin_user):
    client.force_login(alice)
    assert client.post("/settings/recovery-kit/confirm/", {"saved": "on"}).status_code == 403  # the product's "not allowed" page
    assert SiteSettings.load().recovery_kit_confirmed_at is None
    assert b"Master key" not in client.post("/settings/recovery-kit/", {"password": PASSWORD}, follow=True).content


def test_the_kit_is_shown_again_only_after_the_admins_password(client, admin_user):
    client.force_login(admin_user)
    assert b"Master key" not in client.get("/settings/recovery-kit/").content
    wrong = client.post("/settings/recovery-kit/", {"password": "not it"})
    assert b"Master key" not in wrong.content and b"not right" in wrong.content
    shown = client.post("/settings/recovery-kit/", {"password": PASSWORD})
    assert b"Master key" in shown.content and shown["Cache-Control"] == "no-store"


def test_setup_confirmation_of_the_kit_is_stored(client, db):
    client.post("/setup/", {"server_name": "family-nas", "language": "en", "portal_url": "http://nas:8000",
                            "username": "admin", "password1": "pale blue whale 42", "password2": "pale blue whale 42"})
    assert b"Master key" in client.get("/setup/recovery-kit/").content
    client.post("/setup/recovery-kit/", {"saved": "on"})
    assert SiteSettings.load().recovery_kit_confirmed_at is not None


def test_the_stylesheet_prints_the_kit_without_the_navigation():
    css = CSS.read_text()
    print_rules = css[css.index("@media print"):]
    assert "header.top" in print_rules and "display:none" in print_rules and ".no-print" in print_rules
