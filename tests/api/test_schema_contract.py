"""The schema tells the truth about the API (issue #12 item 5): operations tagged per resource, each tag
described; one error format, with 409 documented where a view answers it; lists paginated in the schema
exactly where they are paginated in answers; and the list filters as parameters."""

from __future__ import annotations

import functools

import pytest
from django.conf import settings


@functools.cache
def schema() -> dict:
    from drf_spectacular.generators import SchemaGenerator

    return SchemaGenerator().get_schema(request=None, public=True)


def operations():  # type: ignore[no-untyped-def]
    for path, methods in schema()["paths"].items():
        for method, operation in methods.items():
            if method in ("get", "post", "put", "patch", "delete"):
                yield path, method, operation


TAG_OF = {
    "/api/v1/files/": "files", "/api/v1/files/upload/": "files", "/api/v1/trash/": "trash",
    "/api/v1/trash/{entry_id}/restore/": "trash", "/api/v1/runs/": "runs", "/api/v1/peers/": "peers",
    "/api/v1/peers-invitation/": "peers", "/api/v1/p2p/targets/": "p2p", "/api/v1/p2p/snapshots/": "p2p",
    "/api/v1/cloud/destinations/": "cloud", "/api/v1/cloud-restore/": "cloud", "/api/v1/usb/drives/": "usb",
    "/api/v1/usb/backups/": "usb", "/api/v1/users/": "accounts", "/api/v1/auth/token/": "auth",
    "/api/v1/alerts/channels/": "alerts", "/api/v1/audit/": "audit",
    "/api/v1/auth/lockouts/": "auth", "/api/v1/me/": "me", "/api/v1/me/tokens/": "me",
}


def test_every_operation_is_tagged_by_its_resource_and_every_tag_is_described():
    for path, tag in TAG_OF.items():
        for method, operation in schema()["paths"][path].items():
            assert operation["tags"] == [tag], (method, path, operation["tags"])
    described = {tag["name"]: tag["description"] for tag in settings.SPECTACULAR_SETTINGS["TAGS"]}
    used = {tag for _path, _method, operation in operations() for tag in operation["tags"]}
    assert "v1" not in used
    assert used == set(described), used ^ set(described)
    assert all(described.values())
    assert [tag["name"] for tag in schema()["tags"]] == list(described)


def ref_of(response: dict) -> str:
    return response["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]


def test_one_error_format_and_every_run_refusal_is_documented_with_conflict():
    components = schema()["components"]["schemas"]
    assert components["Error"]["required"] == ["detail"]
    assert set(components["Conflict"]["properties"]) == {"detail", "run"}
    assert components["Conflict"]["properties"]["run"]["nullable"] is True
    starts_runs = [(path, "post") for path in schema()["paths"] if path.endswith("/sync/")]
    starts_runs += [("/api/v1/p2p/snapshots/restore/", "post"), ("/api/v1/p2p/bulk-restore/", "post"),
                    ("/api/v1/cloud-restore/", "post")]
    assert len(starts_runs) >= 6
    for path, method in starts_runs:
        conflict = schema()["paths"][path][method]["responses"]["409"]
        assert ref_of(conflict) == "Conflict" and conflict["description"], path
    for path, method, operation in operations():
        for code, response in operation["responses"].items():
            assert code < "400" or response["description"], (method, path, code)
            if code in ("401", "403", "404", "413", "429", "502", "507") and "content" in response:
                assert ref_of(response) == "Error", (method, path, code)
    upload = schema()["paths"]["/api/v1/files/upload/"]["post"]["responses"]
    assert {"413", "507"} <= set(upload)
    assert "413" in schema()["paths"]["/api/v1/trash/{entry_id}/restore/"]["post"]["responses"]


@pytest.mark.django_db
def test_a_real_409_has_the_conflict_shape(api, admin_user):
    from cloudbackup.models import Destination

    destination = Destination.objects.create(name="offsite", host="sftp.invalid", username="anemone")
    client = api(admin_user)
    started = client.post(f"/api/v1/cloud/destinations/{destination.pk}/sync/", {}, format="json")
    assert started.status_code == 202, started.content
    busy = client.post(f"/api/v1/cloud/destinations/{destination.pk}/sync/", {}, format="json")
    assert busy.status_code == 409
    assert set(busy.json()) == set(schema()["components"]["schemas"]["Conflict"]["required"])
    assert busy.json()["run"] == started.json()["id"] and f"#{started.json()['id']}" in busy.json()["detail"]
