"""Every model registered in the Django admin opens for the admin (list, and add/change where allowed),
and no sealed secret or backup key is ever rendered there."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.urls import reverse

from anemone.accounts.services import backup_key


@pytest.mark.django_db
def test_every_admin_page_opens_and_shows_no_secret(client, admin_user, alice):
    from p2p import services
    from peers.identity import get_identity
    from peers.models import Peer

    get_identity()
    peer = Peer.objects.create(name="friend", wg_public_key="A" * 43 + "=", allowed_ips="198.51.100.9/32",
                               ssh_public_key=get_identity().ssh_public_key)
    services.target_for(peer)
    client.force_login(admin_user)
    secrets = [backup_key(alice), alice.backup_key_sealed]
    opened = 0
    for model in admin.site._registry:
        prefix = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        pages = [reverse(f"{prefix}_changelist")]
        obj = model._default_manager.first()
        if obj is not None:
            pages.append(reverse(f"{prefix}_change", args=[obj.pk]))
        for url in pages:
            response = client.get(url)
            assert response.status_code == 200, f"{url} → {response.status_code}"
            body = response.content.decode()
            assert not any(secret in body for secret in secrets), f"{url} shows a secret"
            opened += 1
    assert opened >= 10
