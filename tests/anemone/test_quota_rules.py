"""A backup quota larger than the total makes no sense (the backup area is part of the total): refused with
the reason at every door, nothing saved (issue #15, item 6)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from anemone.accounts import services

GB = 10**9


def test_the_users_page_refuses_a_backup_quota_over_the_total(client, admin_user, alice):
    client.force_login(admin_user)
    page = client.post(f"/users/{alice.pk}/", {"quota_total_gb": 10, "quota_backup_gb": 20, "is_active": "on"})
    assert page.status_code == 200 and "cannot be larger than the total quota" in page.content.decode()
    alice.refresh_from_db()
    assert (alice.quota_total_bytes, alice.quota_backup_bytes) == (100 * GB, 50 * GB)
    client.post(f"/users/{alice.pk}/", {"quota_total_gb": 0, "quota_backup_gb": 20, "is_active": "on"})
    alice.refresh_from_db()
    assert (alice.quota_total_bytes, alice.quota_backup_bytes) == (0, 20 * GB)  # unlimited total: any backup quota


def test_the_api_and_the_services_refuse_it_too(api, admin_user, alice):
    answer = api(admin_user).patch(f"/api/v1/users/{alice.pk}/", {"quota_total_bytes": 10 * GB}, format="json")
    assert answer.status_code == 400 and "quota_backup_bytes" in answer.json()
    with pytest.raises(ValidationError, match="cannot be larger"):
        services.update_user(alice, quota_total_bytes=10 * GB)
    with pytest.raises(ValidationError):
        services.create_user("dora", quotas={"quota_total_bytes": GB, "quota_backup_bytes": 2 * GB})
