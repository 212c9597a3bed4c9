"""The Cloud page in a real browser: add an SFTP destination, test it, sync now, see the run complete."""

from __future__ import annotations

import os
import threading

import pytest
from django.db import connection

from anemone.runs.models import Run
from anemone.runs.services import hand_over
from cloudbackup import keys, sync
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def act_as_worker(run_kind: str) -> threading.Thread:
    """Pick up the queued run like a django-q2 worker would (the live server's DB is in this process)."""
    def work() -> None:
        try:
            for _ in range(200):
                run = Run.objects.filter(kind=run_kind, status="queued").first()
                if run:
                    hand_over(run, inline=True)
                    return
                threading.Event().wait(0.1)
        finally:
            connection.close()

    thread = threading.Thread(target=work)
    thread.start()
    return thread


def test_it_adds_tests_and_syncs_an_sftp_destination(page, live_server, admin_user, alice, sshd, tmp_path):
    (sshd.root / "srv" / "browser").mkdir(exist_ok=True)
    from anemone.files.paths import area_root

    (area_root(alice, "backup") / "hello.txt").write_text("hello from alice")
    (area_root(alice, "backup") / "photo.raw").write_bytes(os.urandom(600_000))  # ~3 s at the limit set below
    page.goto(live_server.url + "/login/?next=/cloud/")
    page.fill("#id_username", "admin")
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.click("#generate-key")
    sshd.authorize(keys.public_key())
    assert "restrict ssh-ed25519" in page.locator("#authorized-line").inner_text()
    page.click("#add-destination")
    page.fill("#id_name", "offsite")
    page.fill("#id_host", sshd.host)
    page.fill("#id_port", str(sshd.port))
    page.fill("#id_username", "root")
    page.fill("#id_remote_path", str(sshd.root / "srv" / "browser"))
    page.fill("#id_bandwidth_limit", "200K")
    page.locator("#destination-form button[type=submit]").click()
    page.click("#test-connection")
    assert page.get_by_text("Connection successful").is_visible()
    worker = act_as_worker(sync.KIND)
    page.click("#sync-now")
    progress = page.locator("#history .run-progress").first
    seen = []
    for _ in range(600):  # the fragment is swapped in by htmx polling: the page itself is never reloaded
        seen.append(progress.locator(".status").get_attribute("class"))
        if page.locator("#history .status-succeeded").count():
            break
        page.wait_for_timeout(100)
    worker.join()
    assert "status status-running" in seen, seen  # watched live...
    assert page.locator("#history .percent").first.inner_text().startswith("100")  # ...up to 100 %
    assert page.locator("#history .bar span").first.get_attribute("style").replace(" ", "").rstrip(";") == "width:100%"
    page.screenshot(path=str(tmp_path / "cloud.png"), full_page=True)
    assert (sshd.root / "srv/browser/backup/alice/hello.txt").read_text() == "hello from alice"
    assert (sshd.root / "srv/browser/backup/alice/photo.raw").read_bytes() == \
        (area_root(alice, "backup") / "photo.raw").read_bytes()
    page.goto(live_server.url + "/runs/")
    assert page.locator("table.runs").get_by_text("offsite").first.is_visible()
