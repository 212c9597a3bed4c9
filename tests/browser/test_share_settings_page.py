"""In a real browser, at phone width: an admin turns the network shares on in Settings, is told clearly
when smbd's address is wrong (nothing saved), sees what is on and that smbd is not running without the
`smb` process, and finds the change in the audit log."""

from __future__ import annotations

import pytest

from anemone.shares.models import ShareSettings
from tests.browser.test_tokens_and_lockouts import PHONE, assert_fits_a_phone, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_admin_turns_the_shares_on_from_settings_on_a_phone(page, live_server, admin_user):
    base = live_server.url
    page.set_viewport_size(PHONE)
    log_in(page, base, "admin")
    page.goto(base + "/settings/")
    section = page.locator("#network-shares")
    assert "SMB: off" in section.inner_text() and "WebDAV: off" in section.inner_text()
    assert_fits_a_phone(page)

    form = page.locator("#share-settings-form")
    form.get_by_label("SMB shares").check()
    form.get_by_label("WebDAV").check()
    form.get_by_label("SMB listen address").fill("nas.local:445")
    with page.expect_navigation():
        form.get_by_role("button", name="Save network shares").click()
    assert "Give an address and a port" in page.content()
    assert not ShareSettings.load().smb_enabled  # a refused form saves nothing

    form = page.locator("#share-settings-form")
    form.get_by_label("SMB shares").check()
    form.get_by_label("WebDAV").check()
    form.get_by_label("SMB listen address").fill("192.0.2.10:4450")
    with page.expect_navigation():
        form.get_by_role("button", name="Save network shares").click()
    assert "Network share settings saved." in page.content()
    status = page.locator("#share-status").inner_text()
    assert "smbd listens on 192.0.2.10:4450" in status and "/dav/" in status
    assert "smb process of make run (manage.py serve_smb) is not started" in page.locator("#smbd-status").inner_text()
    saved = ShareSettings.load()
    assert (saved.smb_enabled, saved.webdav_enabled, saved.smb_listen) == (True, True, "192.0.2.10:4450")
    assert_fits_a_phone(page)

    page.goto(base + "/settings/audit/")
    assert "network share settings" in page.locator("main").inner_text().lower()
    assert_fits_a_phone(page)

