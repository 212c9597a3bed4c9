"""In a real browser, at phone width: a person turns two-factor login on (QR code, one code from the
authenticator, ten recovery codes shown once), then logs in again with password and code."""

from __future__ import annotations

import pytest

from anemone.accounts import two_factor
from tests.anemone.test_two_factor import current_code
from tests.browser.test_tokens_and_lockouts import PHONE, assert_fits_a_phone, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_person_turns_two_factor_on_and_logs_in_with_a_code_on_a_phone(page, live_server, alice):
    base = live_server.url
    page.set_viewport_size(PHONE)
    log_in(page, base, "alice")
    page.goto(base + "/account/")
    page.get_by_role("link", name="Two-factor login: a code from your phone at each login").click()
    with page.expect_navigation():
        page.get_by_role("button", name="Set up two-factor login").click()
    assert page.locator("#two-factor-enrol svg").count() == 1
    assert len(page.locator("#totp-secret").inner_text().replace(" ", "")) >= 32
    assert_fits_a_phone(page)
    page.get_by_label("Code from your authenticator app, or a recovery code").fill(current_code(alice))
    with page.expect_navigation():
        page.get_by_role("button", name="Turn on").click()
    codes = page.locator("#recovery-codes code").all_inner_texts()
    assert len(codes) == 10 and two_factor.enabled(alice)
    assert_fits_a_phone(page)

    with page.expect_navigation():
        page.get_by_role("button", name="Log out").click()
    log_in(page, base, "alice")
    assert page.url == base + "/login/verify/"
    page.get_by_label("Code from your authenticator app, or a recovery code").fill(current_code(alice, ahead=1))
    with page.expect_navigation():
        page.get_by_role("button", name="Log in").click()
    assert page.url == base + "/"
    assert "Hello alice" in page.content()
    assert_fits_a_phone(page)
