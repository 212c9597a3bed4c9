"""In a real browser: a person's API tokens page (issue #11, item 21) and the lock-outs section of the
portal's Users page (item 7), including a phone-width check of both pages.

Tokens: created under a name from My account, the token is shown once (and works on the API), the list
shows the name and never the value, revoking it ends it. Lock-outs: a name locked from one device
through the login form, the admin (on another device) sees it on the Users page and clears it, and the
person logs in again. Devices are told apart the way the docs recommend running the server: behind a
trusted reverse proxy (127.0.0.1 here) that sets ``X-Forwarded-For``.
"""

from __future__ import annotations

import pytest

from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
ALICE_PHONE = "198.51.100.7"
ALICE_LAPTOP = "198.51.100.8"
ADMIN_DESK = "198.51.100.9"
NO_HORIZONTAL_SCROLL_JS = "() => document.documentElement.scrollWidth"


def log_in(page, base_url: str, username: str, password: str = PASSWORD):  # type: ignore[no-untyped-def]
    page.goto(base_url + "/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    with page.expect_navigation():
        page.get_by_role("button", name="Log in", exact=True).click()


def assert_fits_a_phone(page) -> None:  # type: ignore[no-untyped-def]
    """Nothing wider than the 390 px screen: no sideways scrolling of the whole page."""
    page.set_viewport_size(PHONE)
    width = page.evaluate(NO_HORIZONTAL_SCROLL_JS)
    assert width <= PHONE["width"], f"{page.url} is {width}px wide on a {PHONE['width']}px screen"


def api_status(page, base_url: str, token: str) -> int:  # type: ignore[no-untyped-def]
    """GET /api/v1/me/ with only the token (no session cookie): what a script with that token gets."""
    context = page.context.browser.new_context()
    try:
        response = context.request.get(base_url + "/api/v1/me/", headers={"Authorization": f"Token {token}"})
        return response.status
    finally:
        context.close()


def test_a_person_creates_a_named_token_sees_it_once_and_revokes_it(page, live_server, alice):
    base = live_server.url
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=base)
    log_in(page, base, "alice")
    page.goto(base + "/account/")
    page.get_by_role("link", name="Create, see or revoke API tokens").click()
    assert page.url == base + "/account/tokens/"
    assert "No API tokens." in page.locator("#tokens").inner_text()

    page.fill("#id_name", "laptop-backup")
    page.get_by_role("button", name="Create", exact=True).click()
    token = page.locator("#token-value").inner_text().strip()
    assert len(token) >= 40
    assert "laptop-backup" in page.locator("#new-token").inner_text()
    assert_fits_a_phone(page)  # the long token wraps instead of widening the page
    page.get_by_role("button", name="Copy", exact=True).click()
    assert page.evaluate("() => navigator.clipboard.readText()") == token
    assert api_status(page, base, token) == 200

    # The same name again (a second device, or the browser sending the form again on reload) is refused
    # on this page: replacing would silently kill the token just copied or the one a script uses.
    page.fill("#id_name", "laptop-backup")
    page.get_by_role("button", name="Create", exact=True).click()
    assert "already have a token named" in page.locator("#create-token").inner_text()
    assert page.locator("#new-token").count() == 0
    assert api_status(page, base, token) == 200

    page.goto(base + "/account/tokens/")  # shown once: never again, not even in the page's source
    assert "laptop-backup" in page.locator("#tokens").inner_text()
    assert page.locator("#new-token").count() == 0
    assert token not in page.content()
    page.goto(base + "/account/")
    assert "You have 1 API token." in page.locator("#api-tokens").inner_text()
    assert token not in page.content()
    page.goto(base + "/account/tokens/")
    assert_fits_a_phone(page)

    revoke = page.locator("#tokens tr", has_text="laptop-backup").get_by_role("button", name="Revoke")
    page.once("dialog", lambda dialog: dialog.dismiss())  # revoking breaks what uses the token: asked first
    revoke.click()
    assert api_status(page, base, token) == 200 and "laptop-backup" in page.locator("#tokens").inner_text()
    with page.expect_event("dialog") as asked:
        page.once("dialog", lambda dialog: dialog.accept())
        with page.expect_navigation():
            revoke.click()
    assert "laptop-backup" in asked.value.message and "stop working" in asked.value.message
    assert "Token revoked." in page.content()
    assert "laptop-backup" not in page.locator("#tokens").inner_text()
    assert "No API tokens." in page.locator("#tokens").inner_text()
    assert api_status(page, base, token) == 401


def test_a_locked_name_is_seen_and_cleared_by_the_admin_and_the_person_logs_in_again(
        browser, live_server, settings, alice, admin_user):
    settings.ANEMONE_TRUSTED_PROXIES = ["127.0.0.1/32"]
    base = live_server.url
    devices = []

    def device(address: str):  # type: ignore[no-untyped-def]
        context = browser.new_context(extra_http_headers={"X-Forwarded-For": address})
        devices.append(context)
        return context.new_page()

    try:
        phone = device(ALICE_PHONE)
        for _ in range(settings.AXES_FAILURE_LIMIT):
            log_in(phone, base, "alice", "wrong password")
            assert "/login/" in phone.url
        phone.goto(base + "/login/")
        phone.fill("#id_username", "alice")
        phone.fill("#id_password", PASSWORD)
        with phone.expect_response(lambda r: r.url.startswith(base + "/login/") and r.request.method == "POST") as answer:
            phone.get_by_role("button", name="Log in", exact=True).click()
        assert answer.value.status == 429
        assert "Too many failed attempts" in phone.locator("#lockout-message").inner_text()

        laptop = device(ALICE_LAPTOP)  # the same name from another device is not punished
        log_in(laptop, base, "alice")
        assert laptop.url == base + "/"

        desk = device(ADMIN_DESK)
        log_in(desk, base, "admin")
        desk.goto(base + "/users/")
        row = desk.locator("#lockouts tr", has_text=ALICE_PHONE)
        assert row.count() == 1
        cells = row.locator("td").all_inner_texts()
        assert cells[0] == "alice" and cells[1] == ALICE_PHONE and cells[2] == str(settings.AXES_FAILURE_LIMIT)
        assert ALICE_LAPTOP not in desk.locator("#lockouts").inner_text()
        assert_fits_a_phone(desk)

        desk.once("dialog", lambda dialog: dialog.accept())
        row.get_by_role("button", name="Clear").click()
        desk.wait_for_url(base + "/users/")
        assert "Lock cleared." in desk.content()
        assert "No log-in is locked." in desk.locator("#lockouts").inner_text()
        assert_fits_a_phone(desk)

        log_in(phone, base, "alice")
        assert phone.url == base + "/"
    finally:
        for context in devices:
            context.close()
