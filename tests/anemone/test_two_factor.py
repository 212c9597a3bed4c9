"""Two-factor login (issue #15, item 2): enrolment with a real TOTP code, the login's second step, recovery
codes used once, the Django admin and the token API honouring it, wrong codes throttled, an admin's
audited reset."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from anemone.accounts import throttle, two_factor
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def current_code(user, ahead: int = 0) -> str:  # type: ignore[no-untyped-def]
    """What the person's authenticator app shows now (RFC 6238 from the device's own key), or ``ahead``
    30-second steps later: a code is good once, so the login after the enrolment takes the next one (the
    server accepts one step of clock drift)."""
    device = TOTPDevice.objects.filter(user=user).order_by("-id").first()
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=ahead):06d}"


def enrol(client: Client, user) -> list[str]:  # type: ignore[no-untyped-def]
    client.force_login(user)
    client.post("/account/two-factor/", {"action": "start"})
    page = client.get("/account/two-factor/").content.decode()
    assert "<svg" in page and 'id="totp-secret"' in page  # the QR code and the key to type
    answer = client.post("/account/two-factor/", {"action": "confirm", "code": current_code(user)})
    codes = re.findall(r"<li><code>([0-9a-z]+)</code></li>", answer.content.decode())
    assert len(codes) == 10 and two_factor.enabled(user)
    return codes


def log_in(client: Client, username: str, password: str = PASSWORD):  # type: ignore[no-untyped-def]
    return client.post("/login/", {"username": username, "password": password})


def test_a_wrong_enrolment_code_turns_nothing_on(client, alice):
    client.force_login(alice)
    client.post("/account/two-factor/", {"action": "start"})
    answer = client.post("/account/two-factor/", {"action": "confirm", "code": "000000"})
    assert "not right" in answer.content.decode() and not two_factor.enabled(alice)


def test_the_password_alone_no_longer_logs_in_and_the_code_does(alice):
    enrol(Client(), alice)
    browser = Client()
    answer = log_in(browser, "alice")
    assert answer.status_code == 302 and answer["Location"] == "/login/verify/"
    assert browser.get("/files/").status_code == 302  # not logged in yet
    refused = browser.post("/login/verify/", {"code": "123456"})
    assert "not right" in refused.content.decode()
    assert browser.post("/login/verify/", {"code": current_code(alice)}).status_code == 200  # spent on enrolment
    assert browser.post("/login/verify/", {"code": current_code(alice, ahead=1)}).status_code == 302
    assert browser.get("/files/").status_code == 200


def test_a_recovery_code_logs_in_once(alice):
    codes = enrol(Client(), alice)
    first = Client()
    log_in(first, "alice")
    assert first.post("/login/verify/", {"code": codes[0]}).status_code == 302
    assert "9 left" in first.get("/").content.decode()
    second = Client()
    log_in(second, "alice")
    assert "not right" in second.post("/login/verify/", {"code": codes[0]}).content.decode()  # used up


def test_guessing_codes_is_locked_out_like_guessing_passwords(alice):
    enrol(Client(), alice)
    browser = Client()
    log_in(browser, "alice")
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        browser.post("/login/verify/", {"code": "000000"})
    assert any(lock.username == "alice" for lock in throttle.lockouts())
    assert browser.post("/login/verify/", {"code": current_code(alice, ahead=1)}).status_code == 429


def test_the_django_admin_login_cannot_skip_the_second_factor(admin_user):
    enrol(Client(), admin_user)
    browser = Client()
    browser.post("/admin/login/?next=/admin/", {"username": "admin", "password": PASSWORD})
    assert browser.get("/admin/").status_code == 302  # the password-only session is ended at once
    assert browser.get("/users/").status_code == 302
    log_in(browser, "admin")
    browser.post("/login/verify/", {"code": current_code(admin_user, ahead=1)})
    assert browser.get("/admin/").status_code == 200


def test_no_api_token_without_the_second_factor(api, alice):
    enrol(Client(), alice)
    api = api(None)
    refused = api.post("/api/v1/auth/token/", {"username": "alice", "password": PASSWORD}, format="json")
    assert refused.status_code == 400 and "otp" in refused.json()["detail"]
    wrong = api.post("/api/v1/auth/token/", {"username": "alice", "password": PASSWORD, "otp": "000000"}, format="json")
    assert wrong.status_code == 400 and "token" not in wrong.json()
    good = api.post("/api/v1/auth/token/", {"username": "alice", "password": PASSWORD, "otp": current_code(alice, 1)},
                    format="json")
    assert good.status_code == 200 and good.json()["token"]


def test_an_admin_cannot_turn_their_own_off_but_resets_a_persons_and_it_is_audited(admin_user, alice):
    own = Client()
    codes = enrol(own, admin_user)
    answer = own.post("/account/two-factor/", {"action": "disable", "code": codes[0]}, follow=True)
    assert "Another admin can reset it" in answer.content.decode() and two_factor.enabled(admin_user)
    enrol(Client(), alice)
    own.post(f"/users/{alice.pk}/two-factor/reset/")
    assert not two_factor.enabled(alice)
    audit = own.get("/settings/audit/").content.decode()
    assert "Two-factor login reset — User “alice”" in re.sub(r"<[^>]+>", "", audit)


def test_a_person_turns_it_off_with_a_code(alice):
    browser = Client()
    codes = enrol(browser, alice)
    browser.post("/account/two-factor/", {"action": "disable", "code": codes[1]})
    assert not two_factor.enabled(alice)
    assert log_in(Client(), "alice").status_code == 302 and not two_factor.enabled(alice)
