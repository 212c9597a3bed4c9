"""The dashboards in a real browser with data from real runs (issue #13, "done when"): the admin's and a
person's dashboard render at 390 px without horizontal scrolling and at 1280 px, and their screenshots are
saved into docs/img/ (dashboard-admin.png at 1280 px, dashboard-person.png at 390 px), small enough to commit.

The runs are real cloud syncs (rclone to the test sshd, plain and crypt); the crypt one then fails for real
(its server's port closed), so the pictures show a green and a failing destination.
"""

from __future__ import annotations

import os

import pytest

from anemone.accounts.models import User
from anemone.files.usage import recompute_usage
from anemone.runs.models import RunStatus
from cloudbackup.models import Destination, Kind
from peers.models import Peer
from tests.anemone.test_safety_real import sync
from tests.cloudbackup.conftest import make_destination, put, rclone_key  # noqa: F401  (a fixture)
from tests.conftest import PASSWORD
from tests.fixtures.processes import ROOT
from tests.fixtures.sshd import free_port

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
IMG = ROOT / "docs" / "img"
MiB = 2**20


def real_history(sshd, alice, bob) -> None:
    """Four syncs of a daily destination and three of a crypt one, files added between; the last one fails."""
    plain = make_destination(Kind.SFTP, sshd=sshd, schedule_kind="daily", name="offsite-nas")
    crypt = make_destination(Kind.SFTP, crypt=True, sshd=sshd, schedule_kind="daily", name="friend-cloud")
    for n in range(4):
        put(alice, f"photos/2026-{n:02d}.jpg", bytes([n]) * (200_000 * (n + 1)))
        put(bob, f"docs/letter-{n}.txt", b"dear friend " * 2000 * (n + 1))
        assert sync(plain) == RunStatus.SUCCEEDED
        if n < 2:
            assert sync(crypt) == RunStatus.SUCCEEDED
    Destination.objects.filter(pk=crypt.pk).update(port=free_port())  # its server is gone
    assert sync(crypt) == RunStatus.FAILED
    for person, quota in ((alice, 8 * MiB), (bob, 4 * MiB)):
        person.quota_total_bytes = quota
        person.save(update_fields=["quota_total_bytes"])
        recompute_usage(person)
    Peer.objects.create(name="carol", wg_public_key="c" * 43 + "=", allowed_ips="198.51.100.7/32",
                        ssh_public_key="ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIB", storage_cap_bytes=50 * 2**30,
                        folder="carol")


def log_in(page, live_server, username: str) -> None:
    page.goto(live_server.url + "/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Log in", exact=True).click()
    page.wait_for_url(live_server.url + "/")


def fits(page, width: int) -> None:
    page.set_viewport_size({"width": width, "height": 900})
    page.reload()
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def save(page, name: str, tmp_path) -> None:
    """The screenshot, into docs/img/ when ANEMONE_SCREENSHOTS=1 (to refresh the docs), else a temp dir: a test
    run must not leave the work tree changed."""
    folder = IMG if os.environ.get("ANEMONE_SCREENSHOTS") == "1" else tmp_path
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    page.screenshot(path=str(path), full_page=True)
    assert 10_000 < path.stat().st_size < 300_000, path.stat().st_size


def test_the_dashboards_fit_a_phone_and_a_desktop_and_their_screenshots_are_saved(page, live_server, rclone_key,  # noqa: F811
                                                                                   sshd, admin_user, alice, bob, tmp_path):
    real_history(sshd, alice, bob)
    log_in(page, live_server, "admin")
    page.check("#kit-reminder input[name=saved]")  # the admin stores the recovery kit, as setup asks
    page.locator("#kit-reminder button[type=submit]").click()
    page.goto(live_server.url + "/")
    assert page.locator("#kit-reminder").count() == 0
    for width in (390, 1280):
        fits(page, width)
        assert page.locator("#schedule-chart svg").is_visible() and page.locator("#people-chart svg").is_visible()
        assert page.locator("#target-histories svg").count() == 4  # bytes and durations of two targets
        assert page.locator(".app-chart svg").count() == 1  # reciprocity
    save(page, "dashboard-admin.png", tmp_path)

    page.context.clear_cookies()
    log_in(page, live_server, "alice")
    for width in (1280, 390):
        fits(page, width)
        badge = page.locator("#badge-321").inner_text()
        assert badge.startswith("3 copies, 2 kinds, 2 off-site — newest"), badge
        assert page.locator('tr.backup[data-state="failing"]').count() == 1
        assert page.locator('tr.backup[data-state="green"]').count() == 1
    body = page.locator("main").inner_text()
    assert "bob" not in body and User.objects.filter(username="bob").exists()
    save(page, "dashboard-person.png", tmp_path)
