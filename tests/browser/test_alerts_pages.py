"""In a real browser: a person turns on alerts about their own files from My account, sends themselves a test
(delivered to a real SMTP server on 127.0.0.1), and the page fits a phone; an admin's Settings page lists an
open warning with its own title and page."""

from __future__ import annotations

import pytest

from anemone.alerts import conditions
from anemone.alerts.models import Problem
from anemone.runs.messages import msg
from tests.browser.test_tokens_and_lockouts import assert_fits_a_phone, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_person_turns_on_their_own_alerts_and_gets_a_test(page, live_server, alice, smtp_server):
    base = live_server.url
    log_in(page, base, "alice")
    page.goto(base + "/account/")
    assert "You are not told when a backup of your files fails." in page.locator("#my-alerts").inner_text()
    page.locator("#my-alerts").get_by_role("link", name="Change").click()
    page.check("#id_enabled")
    page.fill("#id_email", "alice.phone@example.net")
    assert_fits_a_phone(page)
    with page.expect_navigation():
        page.get_by_role("button", name="Save and send me a test").click()
    assert "Test message sent to alice.phone@example.net." in page.content()
    assert [m["X-Envelope-To"] for m in smtp_server.messages] == ["alice.phone@example.net"]
    page.goto(base + "/account/")
    assert "alice.phone@example.net" in page.locator("#my-alerts").inner_text()


def test_the_settings_page_lists_an_open_warning_with_its_page(page, live_server, admin_user):
    Problem.objects.create(key="space:disk", watch="space", kind="space", target_label="/srv", since="2026-12-01T02:00Z",
                           finding=conditions.Finding(key="disk", event="disk-full", link="/users/", label="/srv",
                                                      title=msg("runs.text", text="Disk nearly full: 2 GB free"),
                                                      body=msg("runs.text", text="")).stored())
    log_in(page, live_server.url, "admin")
    page.goto(live_server.url + "/settings/")
    warning = page.locator("#alert-problems").get_by_role("link", name="Disk nearly full: 2 GB free")
    assert warning.get_attribute("href") == "/users/"
    assert_fits_a_phone(page)
