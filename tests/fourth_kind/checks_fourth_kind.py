"""What a fourth backup kind gets from core for free (run by tests/anemone/test_fourth_kind.py with
tests.fourth_kind.settings): schedules, back up now through the API, the admin and a `--wait` command,
history and dashboards, a Restore hub entry and the alerts seam. The kind itself is tests/fourth_kind: a model on
BackupTarget, a RunKind with a body, a serializer, a command — and no edit to core or another kind."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django_q.models import Schedule

from anemone.alerts import jobs
from anemone.alerts import registry as alerts
from anemone.files.paths import area_root
from anemone.runs import history, schedules, targets
from anemone.runs import services as runs
from anemone.runs.models import Run, RunStatus, ScheduleKind
from tests.fourth_kind.models import LocalCopy

pytestmark = pytest.mark.django_db


@pytest.fixture
def copy_target(tmp_path, alice, bob):  # type: ignore[no-untyped-def]
    (area_root(alice, "backup") / "notes.txt").write_bytes(b"alice's notes\n")
    (area_root(bob, "backup") / "cv.txt").write_bytes(b"bob's cv\n")
    folder = tmp_path / "copies"
    folder.mkdir()
    return targets.save_target(LocalCopy(name="shelf", folder=str(folder), schedule_kind=ScheduleKind.DAILY),
                               users=[alice])


def test_its_schedule_follows_the_target(copy_target):
    name = schedules.schedule_name("local-copy", copy_target.pk)
    assert Schedule.objects.filter(name=name, func="anemone.runs.tasks.scheduled_run").exists()
    copy_target.enabled = False
    targets.save_target(copy_target)
    assert not Schedule.objects.filter(name=name).exists()
    copy_target.enabled = True
    targets.save_target(copy_target)
    targets.delete_target(copy_target)
    assert not Schedule.objects.filter(name=name).exists()


def test_a_run_copies_exactly_the_people_it_carries_and_shows_in_their_history(copy_target, alice, bob, tmp_path):
    run = runs.request("local-copy", copy_target, inline=True)
    assert run.status == RunStatus.SUCCEEDED, run.message
    assert (tmp_path / "copies/alice/notes.txt").read_bytes() == b"alice's notes\n"
    assert not (tmp_path / "copies/bob").exists()  # bob was not ticked
    assert [state.kind for state in history.person_backup_states(alice) if state.last_good_at] == ["local-copy"]
    assert not [state for state in history.person_backup_states(bob) if state.kind == "local-copy"]


def test_the_api_backs_it_up_now_and_answers_409_while_a_run_is_active(api, copy_target, admin_user, alice):
    url = f"/api/v1/local-copies/{copy_target.pk}/sync/"
    assert api(alice).post(url).status_code == 403
    started = api(admin_user).post(url)
    assert started.status_code == 202 and Run.objects.get(pk=started.data["id"]).kind == "local-copy"
    busy = api(admin_user).post(url)
    assert busy.status_code == 409 and busy.data["run"] == started.data["id"]
    assert "/api/v1/local-copies/{id}/sync/" in api(admin_user).get("/api/schema/?format=json").data["paths"]


def test_the_django_admin_lists_it_and_backs_it_up_now(client, copy_target, admin_user):
    client.force_login(admin_user)
    page = client.get("/admin/fourth_kind/localcopy/")
    assert page.status_code == 200 and "Last good copy" in page.content.decode()
    client.post("/admin/fourth_kind/localcopy/", {"action": "back_up_now", "_selected_action": [copy_target.pk]})
    assert Run.objects.filter(kind="local-copy", target_id=copy_target.pk, requested_by=admin_user).exists()


def test_the_command_waits_and_exits_with_the_shared_codes(copy_target, tmp_path):
    out, bar = StringIO(), StringIO()
    call_command("local_copy_now", "shelf", "--wait", stdout=out, stderr=bar)
    assert "1 people copied" in out.getvalue() and "100.0%" in bar.getvalue()
    (tmp_path / "copies").rename(tmp_path / "gone")
    with pytest.raises(CommandError) as skipped:  # its precheck: the folder is gone
        call_command("local_copy_now", "shelf", "--wait", stdout=StringIO(), stderr=StringIO())
    assert skipped.value.returncode == 3 and "skipped: the folder is not there" in str(skipped.value)


class Collect(alerts.Channel):
    name = "collect"

    def __init__(self) -> None:
        self.seen: list[alerts.Alert] = []

    def deliver(self, alert: alerts.Alert) -> None:
        self.seen.append(alert)


def test_a_failed_run_reaches_the_alerts_seam_once(copy_target, alice, tmp_path):
    channel = alerts.register(Collect())
    try:
        (tmp_path / "copies/alice").write_text("a file where alice's folder goes")  # the copy fails
        failed = runs.request("local-copy", copy_target, inline=True)
        assert failed.status == RunStatus.FAILED
        assert jobs.claim_finished_runs() == 1 and jobs.claim_finished_runs() == 0
        (alert,) = channel.seen
        assert (alert.event, alert.kind, alert.run_id, alert.people) == ("run-failed", "local-copy", failed.pk, (alice.pk,))
    finally:
        alerts.unregister("collect")


def test_the_restore_hub_lists_it_for_the_people_it_keeps(client, copy_target, alice, bob):
    client.force_login(alice)
    assert "shelf:" in client.get("/restore/").content.decode()
    client.force_login(bob)
    assert "shelf:" not in client.get("/restore/").content.decode()
