"""In a real browser, at phone width: Settings shows the HTTPS certificate's fingerprint, the one a person
compares with what their browser shows before accepting the server's own certificate."""

from __future__ import annotations

import pytest

from tests.browser.test_tokens_and_lockouts import PHONE, assert_fits_a_phone, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_settings_show_the_https_certificate_fingerprint_on_a_phone(page, live_server, admin_user):
    from anemone import tls

    made = tls.ensure()
    page.set_viewport_size(PHONE)
    log_in(page, live_server.url, "admin")
    page.goto(live_server.url + "/settings/")
    section = page.locator("#https-certificate")
    assert page.locator("#certificate-fingerprint").inner_text().strip() == made.fingerprint
    assert "Made by this server" in section.inner_text() and "localhost" in section.inner_text()
    assert_fits_a_phone(page)
