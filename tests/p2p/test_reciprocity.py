"""Reciprocity: what a peer stores here against what it stores for us, and a warning when ours is old."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from anemone.runs.services import request as request_run
from p2p.models import UserRepository
from tests.p2p.conftest import write_files

pytestmark = pytest.mark.django_db(transaction=True)


def peer_row(api, admin_user) -> dict:  # type: ignore[no-untyped-def]
    response = api(admin_user).get("/api/v1/peers/")
    assert response.status_code == 200
    return next(p for p in response.data["results"] if p["name"] == "friend")["reciprocity"]


def test_the_peers_api_and_page_show_both_directions_and_warn_when_our_copy_is_old(friend, alice, admin_user, api, client):
    write_files(alice, {"a.bin": b"x" * 200_000})
    before = peer_row(api, admin_user)
    assert before["stored_there_bytes"] == 0 and before["last_backup_at"] is None and before["stale"] is True
    run = request_run("p2p", friend.pk, inline=True)
    run.refresh_from_db()
    after = peer_row(api, admin_user)
    # "friend" is our own endpoint here, so what it stores for us is also what we store for it.
    assert after["stored_there_bytes"] > 0 and after["stored_here_bytes"] >= after["stored_there_bytes"]
    assert after["stale"] is False
    UserRepository.objects.update(last_snapshot_at=timezone.now() - timedelta(days=friend.stale_warning_days + 1))
    assert peer_row(api, admin_user)["stale"] is True
    client.force_login(admin_user)
    page = client.get("/peers/").content.decode()
    assert "our backups there are getting old" in page
