"""Setup is done for good (issue #11, item 0): a stored fact, not "an admin exists". Losing every
admin must not reopen the wizard or the USB import to whoever is on the network."""

from __future__ import annotations

import pytest

from anemone.accounts.models import User
from anemone.accounts.setup import setup_done
from anemone.models import SiteSettings

pytestmark = pytest.mark.django_db


def wizard_post(client, username="mallory"):  # type: ignore[no-untyped-def]
    return client.post("/setup/", {"server_name": "pwned", "language": "en", "portal_url": "http://evil.example",
                                   "username": username, "password1": "a long stolen pass 1",
                                   "password2": "a long stolen pass 1"})


def test_it_keeps_setup_closed_after_the_last_admin_is_gone(client, admin_user):
    User.objects.filter(pk=admin_user.pk).update(is_active=False)  # whatever way the admin was lost
    assert setup_done()
    assert client.get("/setup/").status_code == 404
    assert wizard_post(client).status_code == 404
    assert not User.objects.filter(username="mallory").exists()
    assert client.get("/").status_code == 302 and "/setup" not in client.get("/").url


def test_it_keeps_the_usb_import_closed_after_setup(client, admin_user):
    User.objects.filter(pk=admin_user.pk).update(is_active=False)
    response = client.post("/usb/import/", {"folder": "/nonexistent", "kit_text": "x"})
    assert response.status_code == 302 and "/usb/import" not in response.url
    assert client.get("/usb/import/").status_code == 302


def test_the_wizard_records_setup_and_the_portal_address(client, db):
    assert not setup_done() and client.get("/").url == "/setup/"
    page = client.get("/setup/", HTTP_HOST="nas.home:8000").content.decode()
    assert 'value="http://nas.home:8000"' in page  # prefilled from what the admin typed
    response = client.post("/setup/", {"server_name": "family-nas", "language": "en",
                                       "portal_url": "https://nas.example.org", "username": "admin",
                                       "password1": "pale blue whale 42", "password2": "pale blue whale 42"})
    assert response.status_code == 302
    site = SiteSettings.load()
    assert site.setup_completed_at is not None and site.portal_url == "https://nas.example.org"
    assert client.get("/setup/").status_code == 404


def test_the_wizard_refuses_a_server_name_with_a_newline(client, db):
    response = client.post("/setup/", {"server_name": "nas\nAllowedIPs = 0.0.0.0/0", "language": "en",
                                       "portal_url": "http://nas:8000", "username": "admin",
                                       "password1": "pale blue whale 42", "password2": "pale blue whale 42"})
    assert response.status_code == 200 and b"line breaks" in response.content
    assert not setup_done()
