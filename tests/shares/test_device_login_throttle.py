"""Device logins go through the one login throttle (issue #14: "brute force on device passwords throttled")
and are counted for the metrics, whichever door (WebDAV calls ``authenticate`` per request)."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import RequestFactory

from anemone.accounts import throttle
from anemone.shares import services
from anemone.shares.models import ShareLogin

pytestmark = pytest.mark.django_db


def request_from(address: str):
    return RequestFactory().get("/dav/alice/backup/", REMOTE_ADDR=address)


def counts() -> dict[tuple[str, str], int]:
    return {(row.protocol, row.outcome): row.count for row in ShareLogin.objects.all()}


def test_guessing_a_device_password_locks_that_name_from_that_client_only(alice, bob):
    _row, password = services.create(alice, "phone")
    _bob_row, bob_password = services.create(bob, "phone")
    attacker = "203.0.113.9"
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        assert services.authenticate(request_from(attacker), "webdav", "alice", "guess-guess") is None
    with pytest.raises(services.DeviceLoginLocked):  # now even the right password is refused, unchecked
        services.authenticate(request_from(attacker), "webdav", "alice", password)
    assert any(lock.username == "alice" and lock.ip_address == attacker for lock in throttle.lockouts())
    # alice's own phone elsewhere, and bob from the attacker's address, are not punished
    assert services.authenticate(request_from("203.0.113.20"), "webdav", "alice", password) is not None
    assert services.authenticate(request_from(attacker), "webdav", "bob", bob_password) is not None
    assert counts() == {("webdav", "failed"): settings.AXES_FAILURE_LIMIT, ("webdav", "locked"): 1,
                        ("webdav", "ok"): 2}


def test_a_good_device_login_clears_that_pairs_failures(alice):
    _row, password = services.create(alice, "phone")
    here = "198.51.100.7"
    for _attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        services.authenticate(request_from(here), "webdav", "alice~1", "typo")
    assert services.authenticate(request_from(here), "webdav", "alice~1", password) is not None
    for _attempt in range(settings.AXES_FAILURE_LIMIT - 1):  # the count restarted: still not locked
        services.authenticate(request_from(here), "webdav", "alice", "typo")
    assert services.authenticate(request_from(here), "webdav", "alice", password) is not None


def test_the_account_password_fails_like_any_wrong_password(alice):
    from tests.conftest import PASSWORD
    services.create(alice, "phone")
    assert services.authenticate(request_from("192.0.2.5"), "webdav", "alice", PASSWORD) is None
    assert counts()[("webdav", "failed")] == 1
