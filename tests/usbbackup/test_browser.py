"""In a real browser: create a USB job for a detected drive, sync now, watch the progress bar complete."""

from __future__ import annotations

import threading

import pytest
from django.db import connections

from anemone.runs.tasks import execute as execute_run
from tests.conftest import PASSWORD, make_person

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def worker_thread(monkeypatch):  # type: ignore[no-untyped-def]
    """Runs dispatched USB runs in a thread of this process, like a qcluster worker would.

    The thread borrows the connection the live server shares (as Django's LiveServerThread does), so
    it sees the rows of this test. It holds the run before alice's snapshot until the test releases
    it: the page is then seen mid-run, and the bar must reach 100 % by htmx polling alone.
    """
    from anemone.runs import services
    from usbbackup import backup

    shared = connections["default"]
    shared.inc_thread_sharing()
    threads: list[threading.Thread] = []
    midway, release = threading.Event(), threading.Event()
    real_backup_part = backup.backup_part

    def held_backup_part(handle, part, *args, **kwargs):  # type: ignore[no-untyped-def]
        if part.label == "alice":
            midway.set()
            release.wait(timeout=60)
        return real_backup_part(handle, part, *args, **kwargs)

    def work(run_id: int) -> None:
        connections["default"] = shared
        execute_run(run_id)

    def dispatch(run, *, inline=False):  # type: ignore[no-untyped-def]
        thread = threading.Thread(target=work, args=(run.pk,), daemon=True)
        threads.append(thread)
        thread.start()

    monkeypatch.setattr(services, "hand_over", dispatch)
    monkeypatch.setattr(backup, "backup_part", held_backup_part)
    yield midway, release
    release.set()
    for thread in threads:
        thread.join(timeout=60)
    shared.dec_thread_sharing()


def test_it_creates_a_job_for_a_detected_drive_and_syncs_it(page, live_server, usb_drive, worker_thread, tmp_path):
    from anemone import crypto
    from anemone.files.paths import area_root

    midway, release = worker_thread
    crypto.create_master_key()
    make_person("admin", admin=True)
    alice = make_person("alice")
    photo = bytes(range(256)) * 200
    (area_root(alice, "backup") / "photo.jpg").write_bytes(photo)

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
    assert midway.wait(timeout=60), "the run never reached alice's snapshot"
    progress = page.locator(".run-progress")
    progress.locator(".status").get_by_text("running").wait_for(timeout=10000)
    assert progress.locator(".percent").inner_text().strip() != "100 %"
    page.evaluate("window.notReloaded = true")  # gone if the page were reloaded instead of polled
    release.set()
    progress.locator(".status").get_by_text("succeeded").wait_for(timeout=60000)
    assert progress.locator(".percent").inner_text().strip() == "100 %"
    assert "width: 100%" in progress.locator(".bar span").get_attribute("style")
    assert page.evaluate("window.notReloaded === true")
    page.screenshot(path=str(tmp_path / "02-synced.png"), full_page=True)
    page.reload()
    assert page.locator("#snapshots").get_by_text("user:alice").is_visible()
    assert len(list(usb_drive.glob("anemone-backup/repo/snapshots/*"))) == 2  # config + alice, on the drive


def test_alice_restores_her_files_from_the_restore_hub_on_a_phone(page, live_server, usb_drive, tmp_path):
    """The hub at 390 px: her USB drive and her cloud destination listed, one tap queues her restore."""
    from anemone import crypto
    from cloudbackup import services as cloud_services
    from cloudbackup.models import Destination, Kind
    from tests.browser.test_tokens_and_lockouts import assert_fits_a_phone, log_in
    from tests.usbbackup.test_backup import make_job

    crypto.create_master_key()
    make_person("admin", admin=True)
    alice = make_person("alice")
    make_job(usb_drive, [alice], name="drawer")
    cloud_services.save_destination(Destination(name="offsite", kind=Kind.SFTP, host="backup.example.org",
                                                username="u"), users=[alice])
    log_in(page, live_server.url, "alice")
    page.set_viewport_size({"width": 390, "height": 844})
    page.click("#nav-restore")
    assert page.locator("#source-usb").get_by_text("drawer").is_visible()
    assert page.locator("#source-cloud").get_by_text("offsite").is_visible()
    assert_fits_a_phone(page)
    page.screenshot(path=str(tmp_path / "restore-hub-phone.png"), full_page=True)
    page.get_by_role("button", name="Restore my files from this drive").click()
    assert page.get_by_text("Your files are on their way back from drawer.").is_visible()
    page.locator(".run-progress .status").first.wait_for()
