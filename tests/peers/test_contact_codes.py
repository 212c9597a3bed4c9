"""An invitation code may carry its admin's contact (issue #13 item 2): shown before pairing, kept on the peer,
editable later; a code without one, and every code made before, still decodes."""

from __future__ import annotations

import base64
import json

import pytest

from peers import codes, services
from peers.models import Peer
from tests.peers.test_codes import forge
from tests.peers.test_peering import friend_invitation

pytestmark = pytest.mark.django_db


def old_code(invitation: codes.Invitation) -> str:
    """A code as Anemone wrote it before contacts: the seven fields only."""
    data = {name: getattr(invitation, name) for name in
            ("name", "endpoint", "wg_public_key", "ssh_public_key", "vpn_address", "sftp_port", "settled")}
    payload = base64.urlsafe_b64encode(json.dumps(data, separators=(",", ":")).encode()).decode().rstrip("=")
    return f"{codes.PREFIX}-{payload}-{codes._checksum(payload)}"


def test_a_code_carries_the_contact_and_one_without_is_the_old_format():
    with_contact = friend_invitation(contact_email="bob-admin@example.net", contact_language="fr")
    decoded = codes.decode(codes.encode(with_contact))
    assert (decoded.contact_email, decoded.contact_language) == ("bob-admin@example.net", "fr")
    plain = friend_invitation()
    assert codes.encode(plain) == old_code(plain)  # no contact: byte for byte the code older servers make
    old = codes.decode(old_code(plain))
    assert old == plain and old.contact_email == "" and old.contact_language == ""


@pytest.mark.parametrize("field, value", [
    ("contact_email", "not an address"), ("contact_email", "bob@example.net\nBcc: x@example.org"),
    ("contact_email", 42), ("contact_language", "de"), ("contact_language", ["fr"]),
    ("contact_email", "a" * 250 + "@example.net"),
])
def test_a_forged_contact_is_refused_with_the_field_named(field, value):
    with pytest.raises(codes.CodeInvalid, match=field):
        codes.decode(forge(**{field: value}))


def test_our_own_code_carries_the_contact_set_on_my_server(master_key, client, admin_user):
    client.force_login(admin_user)
    identity = services.get_identity()
    response = client.post("/peers/my-server/", {
        "endpoint": "", "vpn_address": identity.vpn_address, "listen_port": identity.listen_port,
        "sftp_port": identity.sftp_port, "contact_email": "alice-admin@example.org", "contact_language": "fr"})
    assert response.status_code == 302, response.content.decode()[:2000]
    mine = codes.decode(codes.encode(services.my_invitation()))
    assert (mine.contact_email, mine.contact_language) == ("alice-admin@example.org", "fr")


def test_the_pairing_page_shows_the_contact_before_anything_is_saved_and_it_stays_editable(client, admin_user, master_key):
    client.force_login(admin_user)
    code = codes.encode(friend_invitation(contact_email="bob-admin@example.net", contact_language="fr"))
    page = client.post("/peers/preview/", {"code": code}).content.decode()
    assert "bob-admin@example.net" in page and 'id="confirm-peer"' in page
    assert not Peer.objects.exists()  # reading a code saves nothing
    client.post("/peers/add/", {"code": code})
    peer = Peer.objects.get()
    assert (peer.contact_email, peer.contact_language, peer.silent_after_days) == ("bob-admin@example.net", "fr", 3)
    response = client.post(f"/peers/{peer.pk}/watch/", {"silent_after_days": 7, "contact_email": "bob@example.net",
                                                          "contact_language": "en"})
    assert response.status_code == 302
    peer.refresh_from_db()
    assert (peer.contact_email, peer.silent_after_days) == ("bob@example.net", 7)
    assert client.post(f"/peers/{peer.pk}/watch/", {"silent_after_days": -1, "contact_email": "x"}).status_code == 400
    # A fresh code from the same friend without a contact keeps the address typed here.
    again = codes.encode(friend_invitation(wg_public_key=peer.wg_public_key, ssh_public_key=peer.ssh_public_key))
    client.post("/peers/add/", {"code": again})
    peer.refresh_from_db()
    assert peer.contact_email == "bob@example.net"
    detail = client.get(f"/peers/{peer.pk}/").content.decode()
    assert 'id="peer-watch"' in detail and 'id="host-says"' in detail


def test_the_api_edits_the_threshold_and_contact_and_shows_the_hosting_state(api, admin_user, master_key):
    created = api(admin_user).post("/api/v1/peers/", {"code": codes.encode(friend_invitation(
        contact_email="bob-admin@example.net"))}, format="json")
    assert created.status_code == 201, created.data
    assert created.data["contact_email"] == "bob-admin@example.net" and created.data["silent_after_days"] == 3
    assert created.data["last_write_at"] is None and created.data["host_status"] == {}
    changed = api(admin_user).patch(f"/api/v1/peers/{created.data['id']}/", {"silent_after_days": 0,
                                                                           "last_write_at": "2020-01-01T00:00:00Z"},
                                    format="json")
    assert changed.status_code == 200 and changed.data["silent_after_days"] == 0
    assert changed.data["last_write_at"] is None  # read only: only the host's own disk says it
    refused = api(admin_user).patch(f"/api/v1/peers/{created.data['id']}/", {"contact_language": "de"}, format="json")
    assert refused.status_code == 400 and "contact_language" in refused.data
    schema = api(admin_user).get("/api/schema/").content.decode()
    assert "silent_after_days" in schema and "host_status" in schema
