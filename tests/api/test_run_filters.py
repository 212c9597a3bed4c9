"""The runs list filters (django-filter): a filter filters, still within what the caller may see, and a value
that does not exist is a 400 naming the parameter — never an empty list that reads as "no failures"."""

from __future__ import annotations

import pytest

from anemone.runs import services
from anemone.runs.models import Run, RunStatus

pytestmark = pytest.mark.django_db


def finished(kind: str, status: str, person) -> Run:  # type: ignore[no-untyped-def]
    run = services.start(kind, Run.objects.count() + 1, label=kind)
    services.finish_item(services.start_item(run, user=person), status=status)
    Run.objects.filter(pk=run.pk).update(status=status)
    return run


def test_filters_filter_within_the_callers_runs_and_bad_values_are_a_400(api, admin_user, alice, bob):
    alices_failure = finished("cloud", RunStatus.FAILED, alice)
    finished("cloud", RunStatus.FAILED, bob)
    finished("p2p", RunStatus.SUCCEEDED, alice)
    mine = api(alice).get("/api/v1/runs/", {"status": "failed"})
    assert mine.status_code == 200 and [run["id"] for run in mine.json()["results"]] == [alices_failure.pk]
    everyone = api(admin_user).get("/api/v1/runs/", {"status": "failed", "kind": "cloud"})
    assert everyone.json()["count"] == 2
    for bad in ({"status": "broken"}, {"kind": "nonsense"}, {"trigger": "cron"}, {"target_id": "x"}):
        refused = api(admin_user).get("/api/v1/runs/", bad)
        assert refused.status_code == 400 and next(iter(bad)) in refused.json(), (bad, refused.content)


def test_the_schema_lists_the_filters():
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    names = {p["name"] for p in schema["paths"]["/api/v1/runs/"]["get"]["parameters"]}
    assert {"kind", "status", "trigger", "target_id"} <= names
