"""A retention policy that keeps nothing (every keep_* at 0) is refused at every door — page, API, Django
admin, command — and a retention failure for one person never stops the backup of the others (issue #11,
items 28 and 31)."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from anemone.runs.models import RunStatus
from anemone.runs.services import request as request_run
from p2p.models import PeerTarget, UserRepository
from tests.conftest import api_client_for
from tests.p2p.conftest import write_files
from tests.p2p.test_views import target_form

pytestmark = pytest.mark.django_db(transaction=True)

NOTHING = {"keep_last": 0, "keep_daily": 0, "keep_weekly": 0, "keep_monthly": 0}
REFUSAL = "Keep at least one snapshot"


def _unchanged(target: PeerTarget) -> None:
    target.refresh_from_db()
    assert target.retention == {"keep_last": 7, "keep_daily": 7, "keep_weekly": 4, "keep_monthly": 12}


def test_the_page_refuses_a_policy_that_keeps_nothing(client, friend, admin_user):
    client.force_login(admin_user)
    response = client.post(reverse("p2p:edit", args=[friend.pk]), target_form(**NOTHING))
    assert response.status_code == 200 and REFUSAL in response.content.decode()
    _unchanged(friend)
    kept_one = client.post(reverse("p2p:edit", args=[friend.pk]), target_form(**{**NOTHING, "keep_monthly": 1, "carry_everyone": "on"}))
    assert kept_one.status_code == 302


def test_the_api_refuses_a_policy_that_keeps_nothing(friend, admin_user):
    response = api_client_for(admin_user).patch(f"/api/v1/p2p/targets/{friend.pk}/", NOTHING, format="json")
    assert response.status_code == 400, response.content
    assert REFUSAL in str(response.data.get("keep_last"))
    _unchanged(friend)


def test_the_django_admin_refuses_a_policy_that_keeps_nothing(client, friend, admin_user):
    client.force_login(admin_user)
    url = reverse("admin:p2p_peertarget_change", args=[friend.pk])
    form = {**target_form(**NOTHING), "users": []}
    form = {k: v for k, v in form.items() if k not in ("users",)}
    response = client.post(url, form)
    assert response.status_code == 200 and REFUSAL in response.content.decode()
    _unchanged(friend)


def test_the_command_refuses_a_policy_that_keeps_nothing(friend):
    with pytest.raises(CommandError, match=REFUSAL):
        call_command("p2p_target", "friend", *[f"--{k.replace('_', '-')}=0" for k in NOTHING])
    _unchanged(friend)
    call_command("p2p_target", "friend", "--keep-last=3")
    friend.refresh_from_db()
    assert friend.keep_last == 3


def test_a_retention_that_fails_for_one_person_does_not_stop_the_others(friend, alice, bob):
    write_files(alice, {"a.txt": b"alice"})
    write_files(bob, {"b.txt": b"bob"})
    first = request_run("p2p", friend.pk, inline=True)
    first.refresh_from_db()
    assert first.status == RunStatus.SUCCEEDED, first.message
    PeerTarget.objects.filter(pk=friend.pk).update(**NOTHING)  # saved before the rule existed, or by hand in SQL
    UserRepository.objects.filter(target=friend).update(last_maintained_at=None)  # retention due for everyone
    write_files(alice, {"a2.txt": b"more"})
    write_files(bob, {"b2.txt": b"more"})
    run = request_run("p2p", friend.pk, inline=True)
    run.refresh_from_db()
    assert run.status == RunStatus.PARTIAL, run.message
    items = {i.user.username: i for i in run.items.all()}
    for name in ("alice", "bob"):
        assert items[name].stats.get("snapshot_id"), f"{name} was not backed up: {run.message}"
        assert "retention policy keeps nothing" in items[name].message
    assert "set at least one keep_*" in run.message
