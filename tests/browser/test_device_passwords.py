"""In a real browser, at phone width: a person creates a device password from My account, sees it once with
its QR code and the addresses to type, finds it listed (never its value) and revokes it after confirming;
verify(), what SMB/WebDAV logins will call, follows each step."""

from __future__ import annotations

import pytest

from anemone.shares import services
from tests.browser.test_tokens_and_lockouts import PHONE, assert_fits_a_phone, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_person_creates_a_device_password_sees_it_once_and_revokes_it_on_a_phone(page, live_server, alice):
    base = live_server.url
    page.set_viewport_size(PHONE)
    log_in(page, base, "alice")
    page.goto(base + "/account/")
    page.get_by_role("link", name="Create, see or revoke device passwords").click()
    assert page.url == base + "/account/device-passwords/"
    assert "No device passwords." in page.locator("#device-passwords").inner_text()
    assert "not turned the network shares on yet" in page.locator("#shares-not-on").inner_text()

    page.fill("#id_name", "Zoé's laptop")
    page.get_by_role("button", name="Create", exact=True).click()
    password = page.locator("#device-password-value").inner_text().strip()
    assert len(password) == 29 and services.verify("alice", password) is not None
    assert page.locator("#new-device-password svg").count() == 1  # the QR code
    assert "alice-backup" in page.locator("#connection-addresses").inner_text()
    assert_fits_a_phone(page)

    page.goto(base + "/account/device-passwords/")  # shown once
    assert password not in page.content()
    assert "Zoé's laptop" in page.locator("#device-passwords").inner_text()
    assert_fits_a_phone(page)

    revoke = page.locator("#device-passwords tr", has_text="Zoé's laptop").get_by_role("button", name="Revoke")
    page.once("dialog", lambda dialog: dialog.dismiss())
    revoke.click()
    assert services.verify("alice", password) is not None
    with page.expect_event("dialog") as asked:
        page.once("dialog", lambda dialog: dialog.accept())
        with page.expect_navigation():
            revoke.click()
    assert "Zoé's laptop" in asked.value.message
    assert "Device password revoked." in page.content()
    assert "No device passwords." in page.locator("#device-passwords").inner_text()
    assert services.verify("alice", password) is None
