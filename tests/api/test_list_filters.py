"""The list filters of peers, cloud destinations, P2P targets, USB jobs and drives (django-filter, as on
runs/): a filter filters, and a value that is not one (`enabled=yes`, an unknown kind or peer) is a 400
naming the parameter, never a full or empty list that reads as an answer. The schema lists them."""

from __future__ import annotations

import pytest

from tests.api.test_schema_contract import schema
from tests.p2p.test_views import add_peer
from tests.usbbackup.conftest import mounts, usb_drive, usb_root  # noqa: F401  (fixtures)

pytestmark = pytest.mark.django_db


def names(response, key: str = "name") -> list[str]:  # type: ignore[no-untyped-def]
    assert response.status_code == 200, response.content
    return sorted(item[key] for item in response.json()["results"])


def refused(client, url: str, query: dict) -> None:  # type: ignore[no-untyped-def]
    response = client.get(url, query)
    assert response.status_code == 400 and set(response.json()) == set(query), (url, query, response.content)


def test_peers_and_p2p_targets_filter_by_enabled_name_and_peer(api, admin_user, alice):
    from peers.models import Peer

    add_peer("friend", alice)
    Peer.objects.filter(name="friend").update(allowed_ips="198.51.100.21/32")  # add_peer gives everyone one address
    faraway = add_peer("faraway").peer
    Peer.objects.filter(pk=faraway.pk).update(enabled=False)
    client = api(admin_user)
    assert names(client.get("/api/v1/peers/", {"enabled": "true"})) == ["friend"]
    assert names(client.get("/api/v1/peers/", {"enabled": "0"})) == ["faraway"]
    assert names(client.get("/api/v1/peers/", {"name": "FAR"})) == ["faraway"]
    assert names(client.get("/api/v1/p2p/targets/", {"peer": "faraway"}), "peer") == ["faraway"]
    assert names(client.get("/api/v1/p2p/targets/"), "peer") == ["faraway", "friend"]
    refused(client, "/api/v1/peers/", {"enabled": "yes"})
    refused(client, "/api/v1/p2p/targets/", {"peer": "nobody"})
    refused(client, "/api/v1/p2p/targets/", {"enabled": "maybe"})


def test_cloud_destinations_and_usb_jobs_filter_by_enabled_kind_scope_and_name(api, admin_user):
    from cloudbackup.models import Destination
    from usbbackup.models import Scope, UsbBackup

    Destination.objects.create(name="offsite", host="sftp.invalid", username="anemone")
    Destination.objects.create(name="bucket", kind="s3", bucket="b", enabled=False)
    UsbBackup.objects.create(name="drawer", scope=Scope.CONFIG)
    UsbBackup.objects.create(name="safe", scope=Scope.CONFIG_USERS, enabled=False)
    client = api(admin_user)
    assert names(client.get("/api/v1/cloud/destinations/", {"kind": "s3"})) == ["bucket"]
    assert names(client.get("/api/v1/cloud/destinations/", {"enabled": "true", "name": "OFF"})) == ["offsite"]
    assert names(client.get("/api/v1/cloud/destinations/", {"enabled": "false"})) == ["bucket"]
    refused(client, "/api/v1/cloud/destinations/", {"kind": "ftp"})
    refused(client, "/api/v1/cloud/destinations/", {"enabled": "on"})
    assert names(client.get("/api/v1/usb/backups/", {"scope": "config_users"})) == ["safe"]
    assert names(client.get("/api/v1/usb/backups/", {"enabled": "1", "name": "raw"})) == ["drawer"]
    refused(client, "/api/v1/usb/backups/", {"scope": "everything"})
    refused(client, "/api/v1/usb/backups/", {"enabled": "2"})


def test_usb_drives_filter_by_backup_and_write_protection(api, admin_user, usb_drive):  # noqa: F811 (the fixture)
    client = api(admin_user)
    everything = client.get("/api/v1/usb/drives/").json()
    assert [drive["mount_point"] for drive in everything] == [str(usb_drive)]
    assert client.get("/api/v1/usb/drives/", {"read_only": "false", "has_backup": "false"}).json() == everything
    assert client.get("/api/v1/usb/drives/", {"has_backup": "true"}).json() == []
    response = client.get("/api/v1/usb/drives/", {"read_only": "perhaps"})
    assert response.status_code == 400 and set(response.json()) == {"read_only"}


def test_the_schema_lists_the_filters():
    expected = {"/api/v1/peers/": {"enabled", "name"}, "/api/v1/cloud/destinations/": {"enabled", "kind", "name"},
                "/api/v1/p2p/targets/": {"enabled", "peer"}, "/api/v1/usb/backups/": {"enabled", "scope", "name"},
                "/api/v1/usb/drives/": {"has_backup", "read_only"}}
    for path, wanted in expected.items():
        parameters = {p["name"]: p["schema"] for p in schema()["paths"][path]["get"]["parameters"]}
        assert wanted <= set(parameters), path
        assert parameters["enabled" if "enabled" in wanted else "read_only"]["type"] == "boolean"
    kinds = {p["name"]: p for p in schema()["paths"]["/api/v1/cloud/destinations/"]["get"]["parameters"]}
    assert set(kinds["kind"]["schema"]["enum"]) == {"sftp", "s3", "webdav", "remote"}
