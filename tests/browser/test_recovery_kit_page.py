"""The recovery kit page is legible (issue #11, item 5): its text has a WCAG contrast of at least 4.5
against its own background on screen and when printed, and printing hides the navigation."""

from __future__ import annotations

import pytest

from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CONTRAST_JS = """
(el) => {
  const rgb = (s) => s.match(/[\\d.]+/g).slice(0, 3).map(Number);
  const lum = ([r, g, b]) => {
    const c = [r, g, b].map((v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); });
    return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
  };
  const style = getComputedStyle(el);
  const [a, b] = [lum(rgb(style.color)), lum(rgb(style.backgroundColor))];
  return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
}
"""


def test_the_recovery_kit_is_legible_on_screen_and_on_paper(page, live_server, admin_user):
    page.goto(live_server.url + "/login/")
    page.fill("#id_username", "admin")
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Log in", exact=True).click()
    page.goto(live_server.url + "/settings/recovery-kit/")
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Show the recovery kit").click()
    kit = page.locator("#recovery-kit")
    assert "Master key:" in kit.inner_text()
    assert kit.evaluate(CONTRAST_JS) >= 4.5
    page.emulate_media(media="print")
    assert kit.evaluate(CONTRAST_JS) >= 4.5
    assert not page.locator("header.top").is_visible() and kit.is_visible()
