"""me/device-passwords/ and users/<id>/shares/ on the API; the device_password command."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from anemone.shares import services
from anemone.shares.models import DevicePassword
from tests.api.test_schema_contract import schema

pytestmark = pytest.mark.django_db


def test_create_shows_the_password_once_then_list_and_delete(api, alice):
    client = api(alice)
    created = client.post("/api/v1/me/device-passwords/", {"name": "phone"}, format="json")
    assert created.status_code == 201
    body = created.json()
    password = body["password"]
    assert body["name"] == "phone" and "<svg" in body["qr_svg"]
    assert any(item["address"].endswith("/dav/alice/backup/") for item in body["addresses"])
    assert services.verify("alice", password) is not None
    listing = client.get("/api/v1/me/device-passwords/")
    assert listing.status_code == 200 and "phone" in listing.content.decode()
    assert password not in listing.content.decode()
    assert client.delete("/api/v1/me/device-passwords/phone/").status_code == 204
    assert services.verify("alice", password) is None
    again = client.post("/api/v1/me/device-passwords/", {"name": "tablet"}, format="json").json()
    assert client.delete(f"/api/v1/me/device-passwords/{again['id']}/").status_code == 204
    assert not DevicePassword.objects.filter(user=alice).exists()


def test_a_taken_or_bad_name_is_a_400(api, alice):
    client = api(alice)
    client.post("/api/v1/me/device-passwords/", {"name": "phone"}, format="json")
    assert client.post("/api/v1/me/device-passwords/", {"name": "phone"}, format="json").status_code == 400
    assert client.post("/api/v1/me/device-passwords/", {"name": "a/b"}, format="json").status_code == 400


def test_another_person_can_neither_see_nor_revoke_mine(api, alice, bob):
    row, _password = services.create(alice, "laptop")
    client = api(bob)
    assert "laptop" not in client.get("/api/v1/me/device-passwords/").content.decode()
    assert client.delete("/api/v1/me/device-passwords/laptop/").status_code == 404
    assert client.delete(f"/api/v1/me/device-passwords/{row.pk}/").status_code == 404
    assert DevicePassword.objects.filter(pk=row.pk).exists()
    assert api(None).get("/api/v1/me/device-passwords/").status_code in (401, 403)


def test_admins_switch_shares_per_person_on_the_api(api, admin_user, alice):
    assert api(alice).put(f"/api/v1/users/{alice.pk}/shares/", {"enabled": False}, format="json").status_code == 403
    client = api(admin_user)
    assert client.get(f"/api/v1/users/{alice.pk}/shares/").json() == {"enabled": True}
    assert client.put(f"/api/v1/users/{alice.pk}/shares/", {"enabled": False}, format="json").json() == {"enabled": False}
    assert not services.shares_allowed(alice)
    assert client.put(f"/api/v1/users/{alice.pk}/shares/", {"enabled": "no"}, format="json").status_code == 400


def test_the_schema_documents_the_endpoints_under_me():
    paths = schema()["paths"]
    assert paths["/api/v1/me/device-passwords/"]["post"]["tags"] == ["me"]
    assert paths["/api/v1/me/device-passwords/"]["get"]["tags"] == ["me"]
    assert "delete" in paths["/api/v1/me/device-passwords/{name}/"]
    created = paths["/api/v1/me/device-passwords/"]["post"]["responses"]["201"]
    assert "CreatedDevicePassword" in repr(created)
    assert "put" in paths["/api/v1/users/{id}/shares/"]


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("device_password", *args, stdout=out)
    return out.getvalue()


def test_the_command_creates_lists_and_revokes(alice):
    output = run("create", "alice", "--name", "Zoé's laptop")
    password = output.strip().splitlines()[-1]
    assert services.verify("alice", password) is not None
    assert "smb://" in output
    listing = run("list", "alice")
    assert "Zoé's laptop\talice~1\t" in listing and password not in listing and "never" not in listing
    assert "revoked" in run("revoke", "alice", "Zoé's laptop")
    assert services.verify("alice", password) is None
    with pytest.raises(CommandError, match="no device password named"):
        run("revoke", "alice", "Zoé's laptop")
    with pytest.raises(CommandError, match="No person"):
        run("list", "nobody")
    run("create", "alice", "--name", "x")
    with pytest.raises(CommandError, match="already have"):
        run("create", "alice", "--name", "x")
