"""Restore from a peer in a real browser: alice opens Restore, picks the peer and a snapshot, walks into
a folder and downloads a file — the bytes she gets are the bytes she backed up."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.conftest import PASSWORD
from tests.p2p import conftest as p2p_fixtures
from tests.p2p.test_views import back_up

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
friend = p2p_fixtures.friend  # the peer on 127.0.0.1 lives with the P2P tests' fixtures


def test_alice_downloads_a_file_from_her_snapshot_on_a_peer(page, live_server, friend, alice, tmp_path):
    photo = os.urandom(400_000)
    short = back_up(friend, alice, {"photos/2026/beach.jpg": photo, "notes.txt": b"alice's notes\n"})
    page.goto(live_server.url + "/login/")
    page.fill("#id_username", "alice")
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.click("#nav-restore")
    page.locator("#peers a.peer", has_text="friend").click()
    assert page.locator("#restic-command").inner_text().startswith("restic -r sftp:")
    page.locator(f"#snapshots tr[data-id='{short}'] a").click()
    page.locator("#listing tr[data-name='photos'] a.folder").click()
    page.locator("#listing tr[data-name='2026'] a.folder").click()
    assert page.locator(".crumbs").inner_text().endswith("photos / 2026")
    with page.expect_download() as info:
        page.locator("#listing tr[data-name='beach.jpg'] a.download").click()
    download = info.value
    assert download.suggested_filename == "beach.jpg"
    assert Path(download.path()).read_bytes() == photo
    page.screenshot(path=str(tmp_path / "p2p-restore.png"), full_page=True)
