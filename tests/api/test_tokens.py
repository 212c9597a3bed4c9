"""API tokens are stored hashed, shown once, listed and revoked by name (issue #11, item 21)."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from rest_framework.test import APIClient

from anemone.accounts.models import ApiToken
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_hashing")]


def new_token(username: str = "alice", name: str | None = None, password: str = PASSWORD) -> str:
    body = {"username": username, "password": password}
    if name is not None:
        body["name"] = name
    response = APIClient().post("/api/v1/auth/token/", body)
    assert response.status_code == 200, response.content
    return response.json()["token"]


def with_token(token: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


def everything_in_the_database() -> str:
    """Every value of every table, as text."""
    values = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608 — our own table names
            values += [str(value) for row in cursor.fetchall() for value in row]
    return "\n".join(values)


def test_the_token_is_nowhere_in_the_database_in_clear(alice, admin_user):
    token = new_token(name="phone")
    assert with_token(token).get("/api/v1/me/").json()["username"] == "alice"
    dump = everything_in_the_database()
    assert token not in dump
    assert ApiToken.objects.get(user=alice, name="phone").digest != token


def test_the_django_admin_shows_no_token_value(client, alice, admin_user):
    token = new_token(name="phone")
    client.force_login(admin_user)
    changelist = client.get("/admin/accounts/apitoken/")
    assert changelist.status_code == 200 and b"phone" in changelist.content
    assert token.encode() not in changelist.content
    assert token[:15].encode() not in changelist.content  # not even knox's lookup prefix
    assert client.get("/admin/accounts/apitoken/add/").status_code == 403  # admins do not mint tokens for others


def test_a_person_lists_and_revokes_their_own_tokens_by_name(alice, bob, admin_user):
    phone, laptop = new_token(name="phone"), new_token(name="laptop")
    listing = with_token(phone).get("/api/v1/me/tokens/").json()
    rows = listing["results"] if isinstance(listing, dict) else listing
    assert {row["name"]: row["current"] for row in rows} == {"laptop": False, "phone": True}
    assert phone not in str(listing) and laptop not in str(listing)
    bobs = new_token("bob", name="phone")
    assert with_token(bobs).delete("/api/v1/me/tokens/laptop/").status_code == 404  # not bob's
    assert with_token(phone).delete("/api/v1/me/tokens/laptop/").status_code == 204
    assert with_token(laptop).get("/api/v1/me/").status_code == 401
    assert with_token(phone).get("/api/v1/me/").status_code == 200
    assert with_token(bobs).get("/api/v1/me/").status_code == 200


def test_a_token_under_a_name_in_use_replaces_it(alice, admin_user):
    first, second = new_token(name="phone"), new_token(name="phone")
    assert with_token(first).get("/api/v1/me/").status_code == 401
    assert with_token(second).get("/api/v1/me/").status_code == 200
    assert new_token() and ApiToken.objects.filter(user=alice).count() == 2  # phone + the default "api"


def test_delete_auth_token_revokes_only_the_calling_token(alice, admin_user):
    phone, laptop = new_token(name="phone"), new_token(name="laptop")
    assert with_token(phone).delete("/api/v1/auth/token/").status_code == 204
    assert with_token(phone).get("/api/v1/me/").status_code == 401
    assert with_token(laptop).get("/api/v1/me/").status_code == 200


def test_a_token_name_with_a_line_break_is_refused(alice, admin_user):
    response = APIClient().post("/api/v1/auth/token/", {"username": "alice", "password": PASSWORD,
                                                        "name": "phone\nx"})
    assert response.status_code == 400 and "name" in response.json()
    assert not ApiToken.objects.exists()


def test_the_account_page_shows_a_new_token_once_and_revokes_it(alice, admin_user):
    browser = Client()
    browser.force_login(alice)
    created = browser.post("/account/tokens/", {"create": "1", "name": "backup script"})
    token = created.context["new_token"]
    assert token.encode() in created.content and created["Cache-Control"] == "no-store"
    assert with_token(token).get("/api/v1/me/").status_code == 200
    again = browser.get("/account/tokens/")
    assert b"backup script" in again.content and token.encode() not in again.content
    assert b"1 API token" in browser.get("/account/").content
    browser.post("/account/tokens/", {"revoke": "backup script"})
    assert with_token(token).get("/api/v1/me/").status_code == 401


def test_changing_the_password_revokes_every_token(alice, admin_user):
    phone = new_token(name="phone")
    browser = Client()
    browser.force_login(alice)
    browser.post("/account/", {"change_password": "1", "old_password": PASSWORD,
                               "password1": "a brand new secret 9", "password2": "a brand new secret 9"})
    assert with_token(phone).get("/api/v1/me/").status_code == 401
    assert not ApiToken.objects.filter(user=alice).exists()


def test_the_command_line_creates_lists_and_revokes_tokens(alice, admin_user):
    out = io.StringIO()
    call_command("api_token", "create", "alice", "--name", "nightly", stdout=out)
    token = out.getvalue().strip().splitlines()[-1]
    assert with_token(token).get("/api/v1/me/").status_code == 200
    listing = io.StringIO()
    call_command("api_token", "list", "alice", stdout=listing)
    assert "nightly" in listing.getvalue() and token not in listing.getvalue()
    call_command("api_token", "revoke", "alice", "nightly", stdout=io.StringIO())
    assert with_token(token).get("/api/v1/me/").status_code == 401


def test_delete_auth_token_from_a_browser_session_explains_itself(client, alice, admin_user):
    client.force_login(alice)
    response = client.delete("/api/v1/auth/token/", HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == 400 and "jeton" in response.json()["detail"]
