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
