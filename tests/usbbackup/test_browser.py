"""In a real browser: create a USB job for a detected drive, sync now, watch the progress bar complete."""

from __future__ import annotations

import threading

import pytest
from django.db import connections

from tests.conftest import PASSWORD, make_person

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def worker_thread(monkeypatch):  # type: ignore[no-untyped-def]
    """Runs dispatched USB runs in a thread of this process, like a qcluster worker would.

    The test database is SQLite in memory: the thread borrows the connection the live server shares
    (as Django's LiveServerThread does) instead of opening one of its own.
    """
    from usbbackup import services, tasks

    shared = connections["default"]
    shared.inc_thread_sharing()
    threads: list[threading.Thread] = []

    def work(run_id: int) -> None:
        connections["default"] = shared
        tasks.run_backup(run_id)

    def dispatch(run, *, inline=False):  # type: ignore[no-untyped-def]
        thread = threading.Thread(target=work, args=(run.pk,), daemon=True)
        threads.append(thread)
        thread.start()

    monkeypatch.setattr(services, "dispatch_run", dispatch)
    yield
    for thread in threads:
        thread.join(timeout=60)
    shared.dec_thread_sharing()


def test_it_creates_a_job_for_a_detected_drive_and_syncs_it(page, live_server, usb_drive, worker_thread, tmp_path):
    from anemone import crypto
    from anemone.files.paths import area_root

    crypto.create_master_key()
    make_person("admin", admin=True)
    alice = make_person("alice")
    (area_root(alice, "backup") / "photo.jpg").write_bytes(bytes(range(256)) * 200)

    page.goto(live_server.url + "/login/")
    page.fill("#id_username", "admin")
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Log in", exact=True).click()
    page.goto(live_server.url + "/usb/")
    row = page.locator(f"tr.drive[data-mount='{usb_drive}']")
    assert "BACKUP1" in row.inner_text()
    row.get_by_role("link", name="Back up to this drive").click()

    page.fill("#id_name", "drawer")
    page.select_option("#id_scope", "config_users")
    page.get_by_label("alice").check()
    page.locator("#estimate").get_by_text("It fits").wait_for()
    page.screenshot(path=str(tmp_path / "01-job-form.png"), full_page=True)
    page.click("#save-job")
    assert page.get_by_role("heading", name="USB backup · drawer").is_visible()

    page.click("#sync-now")
    progress = page.locator(".run-progress .status")
    progress.get_by_text("succeeded").wait_for(timeout=60000)
    assert page.locator(".run-progress .percent").inner_text().strip() == "100 %"
    page.screenshot(path=str(tmp_path / "02-synced.png"), full_page=True)
    page.reload()
    assert page.locator("#snapshots").get_by_text("user:alice").is_visible()
