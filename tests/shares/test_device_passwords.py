"""Device passwords (issue #14, item 1): shown once, only a hash kept, verify() as SMB/WebDAV will call it,
revocation at once, the per-person switch, another person's rows out of reach, the audit log."""

from __future__ import annotations

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import connection

from anemone.models import SiteSettings
from anemone.shares import services
from anemone.shares.models import DevicePassword, ShareAccess
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def raw_rows() -> str:
    """Every column of every device-password row, as the database holds it."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM shares_devicepassword")
        return repr(cursor.fetchall())


def test_the_password_is_random_long_and_only_its_hash_is_stored(alice):
    row, password = services.create(alice, "Zoé's laptop")
    other = services.create(alice, "phone")[1]
    assert password != other and len(password.replace("-", "")) == 25
    assert set(password.replace("-", "")) <= set(services.ALPHABET)
    assert row.name == "Zoé's laptop"
    assert password not in raw_rows() and other not in raw_rows()
    assert row.password_hash.startswith("sha256$")
    assert services.nt_hash(password) not in raw_rows()  # Samba's NT hash is kept sealed, never in clear


def test_the_nt_hash_samba_needs_is_the_standard_one():
    # MS-NLMP's published example: NTOWFv1("Password") = a4f49c406510bdcab6824ee7c30fd852.
    assert services.nt_hash("Password") == "A4F49C406510BDCAB6824EE7C30FD852"


def test_each_device_has_its_own_smb_login_and_verify_takes_either_name(alice):
    first, one = services.create(alice, "laptop")
    second, two = services.create(alice, "phone")
    assert (first.smb_login, second.smb_login) == ("alice~1", "alice~2")
    assert services.verify("alice~1", one).pk == first.pk
    assert services.verify("alice", two).pk == second.pk
    assert services.verify("alice~1", two) is None  # the login names one device: the other's password is wrong
    assert services.verify("alice~9", one) is None


def test_verify_accepts_it_and_records_last_use(alice):
    row, password = services.create(alice, "laptop")
    assert row.last_used_at is None
    found = services.verify("alice", password)
    assert found is not None and found.pk == row.pk
    row.refresh_from_db()
    assert row.last_used_at is not None


def test_verify_refuses_a_revoked_one_at_once_the_account_password_and_strangers(alice, bob):
    _row, password = services.create(alice, "laptop")
    assert services.verify("alice", PASSWORD) is None  # the account password never opens a share
    assert services.verify("bob", password) is None  # alice's device password is not bob's
    assert services.verify("nobody", password) is None
    assert services.verify("alice", password + "x") is None
    assert services.revoke(alice, "laptop")
    assert services.verify("alice", password) is None
    assert not services.revoke(alice, "laptop")


def test_verify_refuses_when_shares_are_off_or_the_account_is_inactive(alice):
    _row, password = services.create(alice, "laptop")
    services.set_shares_allowed(alice, False)
    assert services.verify("alice", password) is None
    services.set_shares_allowed(alice, True)
    assert services.verify("alice", password) is not None
    alice.is_active = False
    alice.save()
    assert services.verify("alice", password) is None


def test_names_are_per_person_unique_and_safe(alice, bob):
    services.create(alice, "laptop")
    services.create(bob, "laptop")  # another person may use the same name
    with pytest.raises(ValidationError, match="already have"):
        services.create(alice, "laptop")
    for bad in ["", "a/b", "x" * 65, "line\nbreak", "-dash"]:
        with pytest.raises(ValidationError):
            services.create(alice, bad)
    assert DevicePassword.objects.filter(user=alice).count() == 1


def test_connection_addresses_come_from_the_portal_address(alice):
    site = SiteSettings.load()
    site.portal_url = "https://nas.example.org:8443"
    site.save()
    addresses = [item["address"] for item in services.connection_addresses(alice)]
    assert addresses == ["\\\\nas.example.org\\alice-backup", "\\\\nas.example.org\\alice-data",
                         "smb://nas.example.org/alice-backup", "smb://nas.example.org/alice-data",
                         "https://nas.example.org:8443/dav/alice/backup/", "https://nas.example.org:8443/dav/alice/data/"]


def test_the_page_shows_the_password_once_with_a_qr_code_and_lists_without_it(client, admin_user, alice):
    client.force_login(alice)
    account = client.get("/account/")
    assert b"/account/device-passwords/" in account.content
    response = client.post("/account/device-passwords/", {"name": "Zoé's laptop", "create": "1"})
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    password = response.context["new_password"]
    page = response.content.decode()
    assert password in page and "<svg" in page and "alice-backup" in page and "not turned the network shares on yet" in page
    again = client.get("/account/device-passwords/").content.decode()
    assert password not in again and "Zoé&#x27;s laptop" in again and "never" in again
    assert password not in client.get("/account/").content.decode()
    assert password not in raw_rows()
    client.force_login(admin_user)
    for seen_by_admin in ["/users/", f"/users/{alice.pk}/", "/admin/shares/devicepassword/", "/settings/audit/"]:
        answer = client.get(seen_by_admin)
        assert answer.status_code == 200 and password not in answer.content.decode(), seen_by_admin
    client.force_login(alice)
    client.post("/account/device-passwords/", {"revoke": "Zoé's laptop"})
    assert not DevicePassword.objects.filter(user=alice).exists()
    assert services.verify("alice", password) is None


def test_another_person_cannot_revoke_mine_from_the_page(client, alice, bob):
    services.create(alice, "laptop")
    client.force_login(bob)
    client.post("/account/device-passwords/", {"revoke": "laptop"})
    assert DevicePassword.objects.filter(user=alice, name="laptop").exists()


def test_the_admin_switches_shares_per_person_and_sees_the_count(client, admin_user, alice):
    services.create(alice, "laptop")
    client.force_login(alice)
    assert client.post(f"/users/{alice.pk}/shares/", {"enabled": "0"}).status_code in (302, 403)
    assert services.shares_allowed(alice)
    client.force_login(admin_user)
    listing = client.get("/users/").content.decode()
    assert "1 device password" in listing
    detail = client.get(f"/users/{alice.pk}/").content.decode()
    assert "Turn network shares off" in detail
    client.post(f"/users/{alice.pk}/shares/", {"enabled": "0"})
    assert not services.shares_allowed(alice)
    assert "Allow network shares" in client.get(f"/users/{alice.pk}/").content.decode()


def test_the_audit_log_records_creation_revocation_and_the_switch_never_the_password(alice):
    _row, password = services.create(alice, "laptop")
    services.revoke(alice, "laptop")
    services.set_shares_allowed(alice, False)
    kind = ContentType.objects.get_for_model(DevicePassword)
    actions = list(LogEntry.objects.filter(content_type=kind).values_list("action", flat=True).order_by("pk"))
    assert actions == [LogEntry.Action.CREATE, LogEntry.Action.DELETE]
    switch = LogEntry.objects.filter(content_type=ContentType.objects.get_for_model(ShareAccess))
    assert switch.exists()
    everything = repr(list(LogEntry.objects.values()))
    assert password not in everything and "password_hash" not in everything


def test_the_django_admin_never_shows_the_hash(client, admin_user, alice):
    row, _password = services.create(alice, "laptop")
    client.force_login(admin_user)
    page = client.get(f"/admin/shares/devicepassword/{row.pk}/change/").content.decode()
    assert "laptop" in page and row.password_hash not in page


def test_the_pages_speak_french(client, admin_user, alice):
    alice.language = "fr"
    alice.save()
    client.force_login(alice)
    client.cookies["django_language"] = "fr"
    page = client.post("/account/device-passwords/", {"name": "téléphone", "create": "1"}).content.decode()
    for french in ["Mots de passe d’appareil", "Votre nouveau mot de passe d’appareil", "Comment se connecter",
                   "pas encore activé les partages réseau", "Nom d’utilisateur SMB", "Dernière utilisation", "jamais",
                   "Créer un mot de passe d’appareil", "Explorateur de fichiers"]:
        assert french in page.replace("&#x27;", "’"), french
    assert "Vous avez 1 mot de passe d’appareil" in client.get("/account/").content.decode()
