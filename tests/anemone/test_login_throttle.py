"""One login throttle for every way in (issue #11, items 6 and 7): portal, Django admin, API token,
activation and reset links; locks per name and client, never the whole household."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.test import Client, RequestFactory
from django.utils import timezone
from rest_framework.test import APIClient

from anemone.accounts import services, throttle
from anemone.accounts.models import AccountLink
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_hashing")]

HOME = "192.0.2.10"
OTHER = "192.0.2.20"
PROXY = "192.0.2.1"


def portal_login(username: str, password: str, ip: str = HOME, **extra):  # type: ignore[no-untyped-def]
    client = Client()
    response = client.post("/login/", {"username": username, "password": password}, REMOTE_ADDR=ip, **extra)
    return response, client


def fail(username: str, times: int = 5, ip: str = HOME) -> None:
    for _ in range(times):
        portal_login(username, "wrong password", ip)


def logged_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def test_it_locks_the_django_admin_login_like_the_portal(admin_user):
    client = Client()
    for _ in range(30):
        client.post("/admin/login/?next=/admin/", {"username": "admin", "password": "guess"}, REMOTE_ADDR=HOME)
    right = client.post("/admin/login/?next=/admin/", {"username": "admin", "password": PASSWORD}, REMOTE_ADDR=HOME)
    assert right.status_code == 429 and not logged_in(client)
    assert b"Too many failed attempts" in right.content
    failures = AccessAttempt.objects.get(username="admin", ip_address=HOME).failures_since_start
    assert failures == 5  # the 25 refused during the lock were not counted


def test_typos_for_a_name_that_does_not_exist_lock_no_one_else(alice, admin_user):
    fail("nobdoy", times=8)
    response, client = portal_login("alice", PASSWORD)
    assert response.status_code == 302 and logged_in(client)
    response, client = portal_login("admin", PASSWORD)
    assert response.status_code == 302 and logged_in(client)


def test_the_admin_is_not_locked_out_by_someone_elses_typos_from_the_same_address(bob, admin_user):
    fail("bob", times=7)
    fail("admni", times=7)
    assert portal_login("bob", PASSWORD)[0].status_code == 429  # bob's own name from here waits
    response, client = portal_login("admin", PASSWORD)
    assert response.status_code == 302 and logged_in(client)


def test_a_locked_name_still_logs_in_from_another_device(alice, admin_user):
    fail("alice")
    locked, client = portal_login("alice", PASSWORD)
    assert locked.status_code == 429 and not logged_in(client)
    assert "Wait 15 minutes" in locked.content.decode() and locked["Retry-After"]
    response, client = portal_login("alice", PASSWORD, ip=OTHER)
    assert response.status_code == 302 and logged_in(client)


def test_a_refused_attempt_during_the_lock_does_not_extend_it(alice, admin_user):
    fail("alice")
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=14))
    for _ in range(3):  # a phone retrying the right password during the lock
        assert portal_login("alice", PASSWORD)[0].status_code == 429
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=15, seconds=5))
    response, client = portal_login("alice", PASSWORD)
    assert response.status_code == 302 and logged_in(client)


def test_a_successful_login_clears_only_its_own_name(alice, admin_user):
    fail("alice", times=4)
    fail("admin", times=4)
    assert portal_login("alice", PASSWORD)[0].status_code == 302
    assert not AccessAttempt.objects.filter(username="alice").exists()
    fail("admin", times=1)  # admin's four earlier failures from here still count
    assert portal_login("admin", PASSWORD)[0].status_code == 429


def test_one_address_trying_many_names_is_capped_as_a_whole(settings, alice, admin_user):
    settings.ANEMONE_LOGIN_CLIENT_LIMIT = 12
    for number in range(12):
        portal_login(f"name{number}", "wrong password")
    assert portal_login("alice", PASSWORD)[0].status_code == 429
    assert portal_login("alice", PASSWORD, ip=OTHER)[0].status_code == 302


def test_the_api_token_endpoint_shares_the_throttle_and_answers_json(alice, admin_user):
    client = APIClient()
    fail("alice", times=3)  # three on the portal ...
    for _ in range(2):  # ... two on the API
        assert client.post("/api/v1/auth/token/", {"username": "alice", "password": "nope"},
                           REMOTE_ADDR=HOME).status_code in (400, 429)
    locked = client.post("/api/v1/auth/token/", {"username": "alice", "password": PASSWORD}, REMOTE_ADDR=HOME)
    assert locked.status_code == 429 and "token" not in locked.json()
    assert locked.json()["detail"].startswith("Too many failed attempts")
    french = client.post("/api/v1/auth/token/", {"username": "alice", "password": PASSWORD}, REMOTE_ADDR=HOME,
                         HTTP_ACCEPT_LANGUAGE="fr")
    assert french.json()["detail"].startswith("Trop de tentatives")
    elsewhere = client.post("/api/v1/auth/token/", {"username": "alice", "password": PASSWORD}, REMOTE_ADDR=OTHER)
    assert elsewhere.status_code == 200 and elsewhere.json()["token"]


def test_guessed_reset_and_activation_links_are_throttled(alice, admin_user):
    client = Client()
    real = services.make_link(alice, AccountLink.RESET)
    for number in range(5):
        assert client.get(f"/reset/guess{number}/", REMOTE_ADDR=HOME).status_code in (410, 429)
    assert client.get(f"/reset/{real}/", REMOTE_ADDR=HOME).status_code == 429
    assert client.get("/activate/another-guess/", REMOTE_ADDR=HOME).status_code == 410  # its own count
    assert client.get(f"/reset/{real}/", REMOTE_ADDR=OTHER).status_code == 200
    assert portal_login("alice", PASSWORD)[0].status_code == 302  # logging in is another name


def test_clicking_a_used_link_again_is_not_a_guess(alice, admin_user):
    used = services.make_link(alice, AccountLink.RESET)
    AccountLink.objects.update(used_at=timezone.now())
    client = Client()
    for _ in range(8):
        assert client.get(f"/reset/{used}/", REMOTE_ADDR=HOME).status_code == 410
    assert not AccessAttempt.objects.exists()


# --- client address -----------------------------------------------------------------------------

def request_from(remote: str, forwarded: str | None = None):  # type: ignore[no-untyped-def]
    extra = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded is not None else {}
    return RequestFactory().post("/login/", REMOTE_ADDR=remote, **extra)


def test_it_ignores_forwarded_for_without_a_trusted_proxy(settings):
    settings.ANEMONE_TRUSTED_PROXIES = []
    assert throttle.client_ip(request_from("203.0.113.7", "198.51.100.1")) == "203.0.113.7"


def test_it_reads_forwarded_for_right_to_left_from_a_trusted_proxy(settings):
    settings.ANEMONE_TRUSTED_PROXIES = [PROXY, "198.51.100.0/30"]
    # The client wrote "6.6.6.6" itself; our proxy appended the address it really saw.
    assert throttle.client_ip(request_from(PROXY, "6.6.6.6, 192.0.2.44")) == "192.0.2.44"
    # Two proxies of ours in a row are skipped.
    assert throttle.client_ip(request_from(PROXY, "192.0.2.44, 198.51.100.2")) == "192.0.2.44"
    # A proxy that sends no header: the proxy is the client.
    assert throttle.client_ip(request_from(PROXY)) == PROXY


def test_a_direct_client_cannot_pose_as_the_proxy(settings):
    settings.ANEMONE_TRUSTED_PROXIES = [PROXY]
    assert throttle.client_ip(request_from("203.0.113.7", f"192.0.2.44, {PROXY}")) == "203.0.113.7"


def test_behind_a_trusted_proxy_each_device_has_its_own_count(settings, alice, admin_user):
    settings.ANEMONE_TRUSTED_PROXIES = [PROXY]
    for _ in range(5):
        portal_login("alice", "wrong password", ip=PROXY, HTTP_X_FORWARDED_FOR="192.0.2.50")
    assert portal_login("alice", PASSWORD, ip=PROXY, HTTP_X_FORWARDED_FOR="192.0.2.50")[0].status_code == 429
    assert portal_login("alice", PASSWORD, ip=PROXY, HTTP_X_FORWARDED_FOR="192.0.2.51")[0].status_code == 302


def test_a_bad_trusted_proxy_value_stops_the_start(monkeypatch):
    from anemone.settings import env_networks

    monkeypatch.setenv("ANEMONE_TRUSTED_PROXIES", "192.0.2.1, 10.0.0.0/8x")
    with pytest.raises(ImproperlyConfigured, match="10.0.0.0/8x"):
        env_networks("ANEMONE_TRUSTED_PROXIES")


# --- admins see and clear lock-outs -------------------------------------------------------------

def test_the_admin_sees_and_clears_a_lock_on_the_users_page(client, alice, admin_user):
    fail("alice")
    client.force_login(admin_user)
    page = client.get("/users/").content.decode()
    assert 'id="lockouts"' in page and "alice" in page and HOME in page
    response = client.post("/users/lockouts/clear/", {"username": "alice", "ip_address": HOME})
    assert response.status_code == 302
    assert "No log-in is locked." in client.get("/users/").content.decode()
    assert portal_login("alice", PASSWORD)[0].status_code == 302


def test_a_person_cannot_clear_a_lock(client, alice, bob, admin_user):
    fail("alice")
    client.force_login(bob)
    client.post("/users/lockouts/clear/", {"username": "alice", "ip_address": HOME})
    assert portal_login("alice", PASSWORD)[0].status_code == 429


def test_the_django_admin_and_the_command_line_show_and_clear_locks(client, alice, admin_user):
    fail("alice")
    client.force_login(admin_user)
    listing = client.get("/admin/axes/accessattempt/").content.decode()
    assert "alice" in listing and HOME in listing
    call_command("axes_reset_ip_username", HOME, "alice", stdout=io.StringIO())
    assert portal_login("alice", PASSWORD)[0].status_code == 302


def test_the_api_lists_and_clears_locks_for_admins(api, alice, admin_user):
    fail("alice")
    locks = api(admin_user).get("/api/v1/auth/lockouts/").json()
    assert [(lock["username"], lock["ip_address"], lock["failures"]) for lock in locks] == [("alice", HOME, 5)]
    assert api(alice).get("/api/v1/auth/lockouts/").status_code == 403
    cleared = api(admin_user).post("/api/v1/auth/lockouts/clear/", {"username": "alice", "ip_address": HOME},
                                   format="json")
    assert cleared.status_code == 200 and cleared.json()["cleared"] == 1
    assert portal_login("alice", PASSWORD)[0].status_code == 302


def test_the_lock_out_page_speaks_the_readers_language(alice, admin_user):
    fail("alice")
    page, _client = portal_login("alice", PASSWORD, HTTP_ACCEPT_LANGUAGE="fr")
    text = page.content.decode()
    assert page.status_code == 429 and "Trop de tentatives" in text and "Attendez 15 minutes" in text
