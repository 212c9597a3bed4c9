"""Issue #11 item 1: a person sees only their own part of a run, in the API and on every page.

Alice and bob are carried by the same runs; bob's area holds ``bob-secret-tax.pdf``. Every response
alice gets (API JSON, run list and detail pages, the htmx progress fragment, her dashboard, the
restore pages) must not name bob's file nor show bob's item; the admin's responses show both.
The cloud sync and the dry run are real (rclone to the test sshd); the other kinds are rows written
through the runs services, as their bodies write them.
"""

from __future__ import annotations

import os
import re

import pytest
from django.test import Client
from rest_framework.test import APIClient

from anemone.files.paths import area_root
from anemone.runs import registry, services
from anemone.runs.models import Run, RunStatus
from anemone.runs.services import Outcome
from anemone.runs.services import request as request_run
from cloudbackup import keys
from cloudbackup import services as cloud_services
from cloudbackup.models import Kind
from tests.cloudbackup.conftest import make_destination, put

pytestmark = pytest.mark.django_db

SECRET = "bob-secret-tax"
# Every kind that writes runs: the registered (schedulable) ones and the restores started by hand.
KINDS = ["cloud", "p2p", "usb", "trash", "cloud-restore", "p2p-restore", "p2p-bulk-restore", "usb-restore",
         "usb-person-restore", "cloud-drill", "p2p-drill", "usb-drill"]


def test_the_kinds_here_cover_every_registered_kind():
    assert {kind.name for kind in registry.all_kinds()} <= set(KINDS)


def mentions_bob(text: str) -> bool:
    return SECRET in text or re.search(r"\bbob\b", text) is not None


def bodies(person, run: Run) -> dict[str, str]:
    """What this person's browser and API client get for a run, page by page."""
    api = APIClient()
    api.force_authenticate(person)
    web = Client()
    web.force_login(person)
    pages = {
        "api list": api.get("/api/v1/runs/"), "api detail": api.get(f"/api/v1/runs/{run.pk}/"),
        "run list": web.get("/runs/"), "run detail": web.get(f"/runs/{run.pk}/"),
        "progress": web.get(f"/runs/{run.pk}/progress/"), "dashboard": web.get("/"),
        "cloud restore": web.get("/cloud/restore/"), "p2p restore": web.get("/p2p/restore/"),
    }
    for name, response in pages.items():
        assert response.status_code == 200, (name, response.status_code)
    return {name: response.content.decode() for name, response in pages.items()}


def assert_private(alice, admin, run: Run) -> None:
    seen = bodies(alice, run)
    leaks = [name for name, body in seen.items() if mentions_bob(body)]
    assert leaks == [], f"alice reads bob's part of a {run.kind} run on: {leaks}"
    own = APIClient()
    own.force_authenticate(alice)
    detail = own.get(f"/api/v1/runs/{run.pk}/").json()
    assert [item["username"] for item in detail["items"]] == ["alice"]  # her own item, with its status
    assert detail["log_tail"] == "" and detail["current_item"] == ""
    full = bodies(admin, run)
    assert SECRET in full["api detail"] and SECRET in full["run detail"]
    assert re.search(r"\bbob\b", full["run detail"])  # bob's item row


def synthetic_run(kind: str, alice, bob, *, finish: bool = True) -> Run:
    """A run of this kind carrying alice and bob, with bob's file in the log, current item and messages."""
    run = services.start(kind, alice.pk if kind.endswith("restore") and kind != "p2p-bulk-restore" else 3,
                         label="offsite" if not kind.endswith("restore") else "offsite → family")

    def body(run, tracker):
        mine = services.start_item(run, user=alice)
        services.finish_item(mine, status=RunStatus.SUCCEEDED, files=2, bytes_=10, transferred=2)
        theirs = services.start_item(run, user=bob)
        tracker.log(f"bob: {SECRET}.pdf: permission denied")
        tracker.progress(current_item=f"bob: {SECRET}.pdf", percent=60, force=True)
        services.finish_item(theirs, status=RunStatus.PARTIAL, files=1, bytes_=5, errors=1,
                             message=f"not copied: {SECRET}.pdf", would_copy=[f"{SECRET}.pdf"])
        return Outcome(message=f"2 people\nbob: not copied: {SECRET}.pdf", errors=[f"bob: not copied: {SECRET}.pdf"])

    if not finish:
        running = services.begin(run.pk)
        tracker = services.Tracker(running)
        services.start_item(running, user=alice)
        services.start_item(running, user=bob)
        tracker.log(f"bob: {SECRET}.pdf")
        tracker.progress(current_item=f"bob: {SECRET}.pdf", percent=40, bytes_done=5, bytes_total=9, force=True)
        return Run.objects.get(pk=run.pk)
    return services.execute(run.pk, body)


@pytest.mark.parametrize("kind", KINDS)
def test_a_person_sees_only_their_own_part_of_a_finished_run(kind, alice, bob, admin_user):
    run = synthetic_run(kind, alice, bob)
    assert run.status == RunStatus.PARTIAL and SECRET in run.message and SECRET in run.log_tail
    assert_private(alice, admin_user, run)


@pytest.mark.parametrize("kind", KINDS)
def test_a_person_polling_a_running_run_never_sees_its_current_item(kind, alice, bob, admin_user):
    run = synthetic_run(kind, alice, bob, finish=False)
    assert run.is_active and SECRET in run.current_item
    assert_private(alice, admin_user, run)
    web = Client()
    web.force_login(admin_user)
    assert SECRET in web.get(f"/runs/{run.pk}/progress/").content.decode()  # the admin follows the file


@pytest.fixture
def rclone_key(data_dir, master_key, sshd):  # type: ignore[no-untyped-def]
    public = keys.generate()
    sshd.authorize(public)
    return public


@pytest.fixture
def family_destination(rclone_key, sshd, alice, bob):  # type: ignore[no-untyped-def]
    """A real SFTP destination carrying alice and bob; bob keeps his tax return and a scanner's pipe."""
    dest = make_destination(Kind.SFTP, sshd=sshd)
    cloud_services.save_destination(dest, users=[alice, bob])  # exactly them
    put(alice, "holiday.jpg", b"sun" * 100)
    put(bob, f"{SECRET}.pdf", b"%PDF-1.7 " * 1000)
    os.mkfifo(area_root(bob, "backup") / f"{SECRET}-scan.pdf")  # rclone cannot copy it: named on the run
    return dest


@pytest.mark.parametrize("dry_run", [False, True], ids=["sync", "dry-run"])
def test_a_real_cloud_run_of_alice_and_bob_shows_alice_only_her_part(family_destination, dry_run, alice, bob,
                                                                     admin_user):
    run = request_run("cloud", family_destination.pk, options={"dry_run": dry_run}, inline=True)
    run.refresh_from_db()
    assert {i.user.username for i in run.items.all()} == {"alice", "bob"}
    assert SECRET in run.message  # the run names bob's pipe (and, in a preview, the log names his files)
    if dry_run:
        assert f"{SECRET}.pdf" in run.log_tail
        assert f"{SECRET}.pdf" in run.items.get(user=bob).stats["would_copy"]
    assert_private(alice, admin_user, run)
    mine = APIClient()
    mine.force_authenticate(alice)
    item = mine.get(f"/api/v1/runs/{run.pk}/").json()["items"][0]
    assert item["status"] == RunStatus.SUCCEEDED and item["files"] == 1  # her one file (would be) copied
    if dry_run:
        assert item["stats"]["would_copy"] == ["holiday.jpg"]  # her own lines stay hers to read


def test_the_sync_response_of_the_api_follows_the_same_rule(family_destination, alice, bob, admin_user):
    run = request_run("cloud", family_destination.pk, options={"dry_run": True}, inline=True)
    from anemone.runs.api import RunSerializer

    class Request:
        user = alice

    shown = RunSerializer(run, context={"request": Request()}).data
    assert SECRET not in str(shown) and [i["username"] for i in shown["items"]] == ["alice"]
    Request.user = admin_user
    assert SECRET in str(RunSerializer(run, context={"request": Request()}).data)
    assert SECRET not in str(RunSerializer(run, context={}).data)  # no caller known: nothing run-wide


def test_a_person_reads_the_message_of_a_run_that_is_theirs_alone(alice, bob, admin_user):
    run = services.start("cloud-restore", alice.pk, label="offsite → alice", user=alice)

    def body(run, tracker):
        services.finish_item(services.start_item(run, user=alice), status=RunStatus.SUCCEEDED, files=3)
        return Outcome(message="3 files restored into backup/restored-offsite")

    services.execute(run.pk, body)
    api = APIClient()
    api.force_authenticate(alice)
    assert api.get(f"/api/v1/runs/{run.pk}/").json()["message"] == "3 files restored into backup/restored-offsite"
    api.force_authenticate(bob)
    assert api.get(f"/api/v1/runs/{run.pk}/").status_code == 404


def test_a_person_is_told_in_words_that_a_run_had_problems_elsewhere(alice, bob):
    run = synthetic_run("p2p", alice, bob)
    web = Client()
    web.force_login(alice)
    page = web.get(f"/runs/{run.pk}/").content.decode()
    assert "Part of this run did not go well; the administrator sees the details." in page
