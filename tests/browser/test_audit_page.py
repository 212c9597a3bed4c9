"""In a real browser: an admin changes a setting, finds the change in the audit log from the Settings page,
narrows the log with the filters, and the page fits a 390 px phone without sideways scrolling."""

from __future__ import annotations

import pytest

from tests.browser.test_tokens_and_lockouts import assert_fits_a_phone, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_admin_finds_a_change_in_the_audit_log_and_filters_it_on_a_phone(page, live_server, admin_user, alice):
    base = live_server.url
    log_in(page, base, "admin")
    page.goto(base + "/settings/")
    page.fill("#id_trash_retention_days", "21")
    with page.expect_navigation():
        page.get_by_role("button", name="Save", exact=True).first.click()
    page.get_by_role("link", name="Audit log").click()
    assert page.url == base + "/settings/audit/"
    newest = page.locator("#audit-log article").first
    text = newest.inner_text()
    assert "admin" in text and "127.0.0.1" in text and "Site settings" in text and "30 → 21" in text
    assert_fits_a_phone(page)

    page.select_option("#id_kind", "accounts.user")
    with page.expect_navigation():
        page.get_by_role("button", name="Filter", exact=True).click()
    rows = page.locator("#audit-log").inner_text()
    assert "alice" in rows and "Site settings" not in rows
    assert_fits_a_phone(page)
