"""Dashboard, settings page and languages."""

from __future__ import annotations

import pytest

from anemone.models import SiteSettings
from anemone.runs import services as runs

pytestmark = pytest.mark.django_db


def test_it_speaks_the_persons_language(client, alice):
    alice.language = "fr"
    alice.save()
    client.force_login(alice)
    page = client.get("/").content.decode()
    assert "Bonjour alice" in page and "Corbeille" in page


def test_it_shows_the_last_backup_of_each_destination_that_carries_me(client, alice, bob):
    for target, person in [(1, alice), (1, alice), (2, bob)]:
        run = runs.start("cloud", target, label=f"dest-{target}")
        runs.start_item(run, user=person)
        runs.skip(run, "test")
    client.force_login(alice)
    page = client.get("/").content.decode()
    assert page.count("dest-1") == 1 and "dest-2" not in page


def test_it_lists_users_with_usage_for_admins_only(client, alice, admin_user):
    client.force_login(admin_user)
    assert "alice" in client.get("/").content.decode()
    client.force_login(alice)
    assert client.get("/settings/").status_code == 302  # to the admin login


def test_it_lets_the_admin_change_the_trash_retention(client, admin_user):
    client.force_login(admin_user)
    response = client.post("/settings/", {"server_name": "home", "language": "en", "trash_retention_days": 7})
    assert response.status_code == 302
    assert SiteSettings.load().trash_retention_days == 7
