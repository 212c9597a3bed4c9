"""No input gives a 500: huge or negative limit/offset on every list endpoint, JSON nested 1,000 deep on
every endpoint that takes a body (the anonymous token endpoint included)."""

from __future__ import annotations

import pytest
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from anemone.runs.models import Run

pytestmark = pytest.mark.django_db
BAD_PAGES = ["limit=1e26", "limit=99999999999999999999", "limit=-1", "limit=0", "limit=abc", "offset=-5",
             "offset=1e3", "offset=" + "9" * 5000]
DEEP_ARRAY = "[" * 1000 + "]" * 1000
DEEP_OBJECT = '{"a":' * 1000 + "1" + "}" * 1000


def operations(method: str) -> list[tuple[str, dict]]:
    """(path, operation) of every API operation with this method, from the schema the API publishes."""
    schema = SchemaGenerator().get_schema(request=None, public=True)
    return [(path, ops[method]) for path, ops in schema["paths"].items() if method in ops]


def concrete(path: str) -> str:
    return path.replace("{id}", "1").replace("{entry_id}", "x")


def list_paths() -> list[str]:
    return [path for path, op in operations("get")
            if any(p["name"] == "limit" for p in op.get("parameters", [])) and "{" not in path]


def test_the_schema_lists_paginated_endpoints():
    assert {"/api/v1/runs/", "/api/v1/users/"} <= set(list_paths())


def test_huge_or_negative_limit_and_offset_are_a_clear_400_on_every_list_endpoint(api, admin_user):
    for n in range(3):
        Run.objects.create(kind="p2p", target_id=n, target_label=f"t{n}", status="succeeded")
    client = api(admin_user)
    for path in list_paths():
        for query in BAD_PAGES:
            response = client.get(f"{path}?{query}")
            assert response.status_code == 400, (path, query, response.status_code)
            name = query.split("=")[0]
            assert name in response.json(), (path, query, response.json())


def test_big_limit_is_capped_and_a_far_offset_is_an_empty_page(api, admin_user):
    for n in range(3):
        Run.objects.create(kind="p2p", target_id=n, target_label=f"t{n}", status="succeeded")
    client = api(admin_user)
    assert len(client.get("/api/v1/runs/?limit=1000").json()["results"]) == 3
    assert client.get("/api/v1/runs/?limit=1001").status_code == 400
    far = client.get("/api/v1/runs/?offset=99999999999999999999")
    assert far.status_code == 200 and far.json()["results"] == []


@pytest.mark.parametrize("body", [DEEP_ARRAY, DEEP_OBJECT], ids=["array", "object"])
def test_json_nested_1000_deep_is_a_400_for_anonymous_token_requests(body, admin_user):
    response = APIClient().post("/api/v1/auth/token/", body, content_type="application/json")
    assert response.status_code == 400
    assert "nested too deeply" in response.json()["detail"]


def test_json_nested_1000_deep_is_never_a_500_on_any_endpoint_taking_a_body(api, admin_user):
    client = api(admin_user)
    for method in ["post", "put", "patch"]:
        for path, _ in operations(method):
            for body in [DEEP_ARRAY, DEEP_OBJECT]:
                response = getattr(client, method)(concrete(path), body, content_type="application/json")
                assert response.status_code < 500, (method, path, response.status_code)
    response = client.post("/api/v1/users/", DEEP_OBJECT, content_type="application/json")
    assert response.status_code == 400 and "nested too deeply" in response.json()["detail"]


def test_json_nested_just_deeper_than_the_limit_is_refused_by_the_parser(api, admin_user):
    body = '{"username": ' + "[" * 40 + "]" * 40 + ', "password": "x"}'
    response = APIClient().post("/api/v1/auth/token/", body, content_type="application/json")
    assert response.status_code == 400 and "nested too deeply" in response.json()["detail"]
