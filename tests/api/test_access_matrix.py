"""Access matrix: every API endpoint × personas (anonymous, alice, bob, admin).

The endpoint list comes from the OpenAPI schema itself, so a new endpoint is covered the day it
appears: anonymous callers are refused everywhere, users are refused admin endpoints, and one
user's objects answer 404 to another user.
"""

from __future__ import annotations

import re

import pytest
from drf_spectacular.generators import SchemaGenerator

from anemone.runs import services as runs
from anemone.runs.models import RunStatus

PUBLIC = {("/api/v1/auth/token/", "post")}
# Endpoints only admins may use (any method). Everything else is per-user and scoped.
ADMIN_ONLY = re.compile(r"^/api/v1/(users|peers|p2p/targets|p2p/bulk-restore|cloud|usb|auth/lockouts|audit)(/|$)")


def operations():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    for path, methods in schema["paths"].items():
        for method in methods:
            if method in {"get", "post", "put", "patch", "delete"}:
                yield path, method


def concrete(path: str, object_id: int = 999999) -> str:
    return re.sub(r"\{[^}]+\}", str(object_id), path)


def call(client, method: str, path: str):
    return getattr(client, method)(concrete(path), {} if method == "get" else None, format="json")


@pytest.mark.django_db
def test_it_refuses_anonymous_callers_on_every_endpoint(api, admin_user):
    anonymous = api(None)
    checked = 0
    for path, method in operations():
        if (path, method) in PUBLIC:
            continue
        response = call(anonymous, method, path)
        assert response.status_code in (401, 403), f"{method.upper()} {path} → {response.status_code}"
        checked += 1
    assert checked >= 10


@pytest.mark.django_db
def test_it_refuses_users_on_admin_endpoints(api, alice, admin_user):
    client = api(alice)
    checked = 0
    for path, method in operations():
        if not ADMIN_ONLY.match(path):
            continue
        response = call(client, method, path)
        assert response.status_code == 403, f"{method.upper()} {path} as alice → {response.status_code}"
        checked += 1
    assert checked >= 1


@pytest.mark.django_db
def test_it_lets_admins_reach_admin_endpoints(api, admin_user):
    client = api(admin_user)
    for path, method in operations():
        if ADMIN_ONLY.match(path) and method == "get" and "{" not in path:
            response = call(client, method, path)
            assert response.status_code == 200, f"GET {path} as admin → {response.status_code}"


@pytest.mark.django_db
def test_it_hides_one_users_runs_from_another(api, alice, bob, admin_user):
    run = runs.start("cloud", 1, label="offsite")
    runs.start_item(run, user=bob)
    runs.skip(run, "test")
    assert api(alice).get(f"/api/v1/runs/{run.pk}/").status_code == 404
    assert run.pk not in [r["id"] for r in api(alice).get("/api/v1/runs/").data["results"]]
    bob_view = api(bob).get(f"/api/v1/runs/{run.pk}/")
    assert bob_view.status_code == 200 and bob_view.data["status"] == RunStatus.SKIPPED
    assert [i["username"] for i in bob_view.data["items"]] == ["bob"]
    assert api(admin_user).get(f"/api/v1/runs/{run.pk}/").status_code == 200


@pytest.mark.django_db
def test_a_person_follows_the_run_they_queued_before_it_has_items(api, alice, bob, admin_user):
    run = runs.start("p2p-restore", alice.pk, label="friend → alice", user=alice)
    assert api(alice).get(f"/api/v1/runs/{run.pk}/").status_code == 200
    assert api(bob).get(f"/api/v1/runs/{run.pk}/").status_code == 404
