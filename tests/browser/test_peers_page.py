"""The Peers page in a real browser: paste a friend's invitation code, see the peer and its checklist."""

from __future__ import annotations

import pytest

from peers import codes
from tests.conftest import PASSWORD
from tests.peers.test_peering import friend_invitation

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_it_pairs_from_a_pasted_code_and_shows_the_checklist(page, live_server, admin_user, tmp_path):
    page.goto(live_server.url + "/login/?next=/peers/")
    page.fill("#id_username", "admin")
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Log in").click()
    assert page.locator("#my-code").inner_text().startswith("ANEMONE1-")
    page.fill("#add-peer textarea", codes.encode(friend_invitation()))
    page.locator("#add-peer button").click()
    assert page.locator("#code-name").inner_text() == "bob"  # what the code says, before anything is saved
    page.locator("#confirm-peer button").click()
    assert page.get_by_text("Peer bob added").is_visible()
    assert page.get_by_text("Not checked yet.").is_visible()  # a page never checks by itself
    page.locator("#check-now").click()
    items = page.locator("#checklist li")
    assert items.count() == 5
    assert page.locator("#checklist li[data-key=wireguard]").get_attribute("class") == "check-fail"
    assert page.locator("#checklist li[data-key=sftp]").get_attribute("class") == "check-pending"
    assert "UDP 51820" in page.locator("#checklist").inner_text() or "tunnel" in page.locator("#checklist").inner_text()
    page.screenshot(path=str(tmp_path / "peer.png"), full_page=True)
    page.goto(live_server.url + "/peers/")
    assert page.locator("#peers").get_by_text("bob").is_visible()
