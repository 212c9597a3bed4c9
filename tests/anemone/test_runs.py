"""The run lifecycle: one active run per target, progress, failure messages, interrupted runs."""

from __future__ import annotations

import os
import threading
import time
from datetime import timedelta

import pytest
from django.db import OperationalError, connection
from django.utils import timezone

from anemone.runs import services
from anemone.runs.models import Run, RunItem, RunStatus
from anemone.runs.services import Outcome, RunActive, StepError


@pytest.mark.django_db
def test_it_refuses_a_second_active_run_of_the_same_target():
    first = services.start("cloud", 7, label="offsite")
    with pytest.raises(RunActive) as caught:
        services.start("cloud", 7, label="offsite")
    assert caught.value.run == first
    assert services.start("cloud", 8, label="other").pk != first.pk


@pytest.mark.django_db(transaction=True)
def test_it_creates_exactly_one_run_when_two_starts_race():
    barrier = threading.Barrier(2)
    results: list[object] = []

    def start() -> None:
        barrier.wait()
        try:
            for _attempt in range(50):
                try:
                    results.append(services.start("cloud", 42, label="race"))
                except RunActive as exc:
                    results.append(exc)
                except OperationalError:  # the test's in-memory SQLite reports table locks; retry
                    time.sleep(0.05)
                    continue
                break
        finally:
            connection.close()

    threads = [threading.Thread(target=start) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert Run.objects.filter(kind="cloud", target_id=42).count() == 1
    assert sorted(type(r).__name__ for r in results) == ["Run", "RunActive"]


@pytest.mark.django_db
def test_it_allows_a_new_run_once_the_previous_one_finished():
    run = services.start("usb", 1)
    services.execute(run.pk, lambda run, tracker: Outcome(message="done"))
    assert services.start("usb", 1).pk != run.pk


@pytest.mark.django_db
def test_it_records_success_progress_and_items(alice):
    run = services.start("cloud", 1, label="offsite")

    def body(run, tracker):
        item = services.start_item(run, user=alice)
        tracker.progress(percent=50, current_item="photos/cat.jpg", bytes_done=10, bytes_total=20, force=True)
        assert Run.objects.get(pk=run.pk).current_item == "photos/cat.jpg"
        services.finish_item(item, status=RunStatus.SUCCEEDED, files=3, bytes_=20, transferred=3)
        run.bytes_done = 20
        return Outcome(message="3 files")

    finished = services.execute(run.pk, body)
    assert finished.status == RunStatus.SUCCEEDED
    assert finished.percent == 100
    assert finished.bytes_done == 20
    item = RunItem.objects.get(run=run)
    assert (item.user, item.files, item.stats["transferred"]) == (alice, 3, 3)


@pytest.mark.django_db
def test_it_turns_a_step_error_into_a_readable_failed_run():
    run = services.start("p2p", 3, label="bob")

    def body(run, tracker):
        raise StepError("Connecting to bob", "the peer is unreachable", "check the WireGuard tunnel")

    finished = services.execute(run.pk, body)
    assert finished.status == RunStatus.FAILED
    assert finished.message == "Connecting to bob: the peer is unreachable — check the WireGuard tunnel"


@pytest.mark.django_db
def test_it_records_a_crash_as_failed_with_the_error_in_the_log():
    run = services.start("p2p", 4)

    def body(run, tracker):
        raise KeyError("boom")

    finished = services.execute(run.pk, body)
    assert finished.status == RunStatus.FAILED
    assert "boom" in finished.message
    assert "KeyError" in finished.log_tail


@pytest.mark.django_db
def test_it_marks_partial_when_the_body_reports_errors():
    run = services.start("cloud", 5)
    finished = services.execute(run.pk, lambda run, tracker: Outcome(errors=["a.txt: permission denied"]))
    assert finished.status == RunStatus.PARTIAL
    assert "a.txt" in finished.message


@pytest.mark.django_db
def test_it_executes_a_queued_run_only_once():
    run = services.start("cloud", 6)
    calls = []
    services.execute(run.pk, lambda run, tracker: calls.append(1) or Outcome())
    assert services.execute(run.pk, lambda run, tracker: calls.append(2) or Outcome()) is None
    assert calls == [1]


@pytest.mark.django_db
def test_it_marks_a_run_whose_worker_died_as_interrupted():
    run = services.start("cloud", 9)
    pid = os.fork()
    if pid == 0:  # a worker that exits at once: its PID is then dead
        os._exit(0)
    os.waitpid(pid, 0)
    Run.objects.filter(pk=run.pk).update(status=RunStatus.RUNNING, worker_pid=pid, worker_host=os.uname().nodename,
                                         heartbeat_at=timezone.now(), started_at=timezone.now())
    assert services.reap_stale() == 1
    run.refresh_from_db()
    assert run.status == RunStatus.INTERRUPTED
    assert "Interrupted" in run.message
    assert services.start("cloud", 9).pk != run.pk  # the next run is possible


@pytest.mark.django_db
def test_it_marks_a_silent_run_as_interrupted_but_not_a_live_one():
    live = services.start("cloud", 10)
    silent = services.start("cloud", 11)
    Run.objects.filter(pk=live.pk).update(status=RunStatus.RUNNING, worker_pid=os.getpid(),
                                          worker_host=os.uname().nodename, heartbeat_at=timezone.now())
    Run.objects.filter(pk=silent.pk).update(status=RunStatus.RUNNING, worker_pid=1, worker_host="elsewhere",
                                            heartbeat_at=timezone.now() - timedelta(minutes=5))
    assert services.reap_stale() == 1
    assert Run.objects.get(pk=live.pk).status == RunStatus.RUNNING
    assert Run.objects.get(pk=silent.pk).status == RunStatus.INTERRUPTED


@pytest.mark.django_db
def test_it_records_a_skipped_run():
    run = services.skip(services.start("usb", 2), "The drive is not plugged in.")
    assert run.status == RunStatus.SKIPPED
    assert run.finished_at is not None


@pytest.mark.django_db
def test_it_shows_users_only_the_runs_that_concern_them(alice, bob, admin_user):
    mine = services.start("cloud", 12)
    services.start_item(mine, user=alice)
    theirs = services.start("cloud", 13)
    services.start_item(theirs, user=bob)
    assert list(services.visible_runs(alice)) == [mine]
    assert set(services.visible_runs(admin_user)) == {mine, theirs}
