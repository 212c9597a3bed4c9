"""The one system job that turns finished runs into alerts, for every run kind at once.

Each finished run is claimed exactly once (a conditional update on Run.alerted_at), so two workers, a
redelivered task or a restart never send the same alert twice, and runs that ended while the NAS was off
are not replayed as a storm: only runs finished within CLAIM_WINDOW are told.

What is told follows one problem per kind+target (alerts.Problem): the first run that goes wrong opens it and
is told; more runs going wrong the same way are not (three failed nights are one message); a later success
closes it with one "recovered". Of the runs claimed in one pass only the newest of each target counts (after
downtime, a target's backlog is one message about where it stands now). Dry runs (previews) and skipped runs
say nothing about whether a target works, so they neither open nor close a problem.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from anemone.alerts import registry
from anemone.alerts.models import Problem, run_problem_key
from anemone.alerts.registry import Alert
from anemone.runs import registry as registry_of_kinds
from anemone.runs.models import FINAL_STATUSES, Run, RunStatus

log = logging.getLogger(__name__)
CLAIM_WINDOW = timedelta(hours=6)
EVENTS = {RunStatus.FAILED: "run-failed", RunStatus.PARTIAL: "run-partial", RunStatus.INTERRUPTED: "run-interrupted"}
RECOVERED = "recovered"


def claim_finished_runs() -> int:
    """Every minute: claim the finished, not yet claimed runs; tell what changed. Returns the alerts told."""
    now = timezone.now()
    unclaimed = Run.objects.filter(status__in=FINAL_STATUSES, alerted_at__isnull=True)
    Run.objects.filter(pk__in=unclaimed.filter(finished_at__lt=now - CLAIM_WINDOW).values("pk")).update(alerted_at=now)
    newest: dict[tuple[str, int], Run] = {}
    for run in unclaimed.filter(finished_at__gte=now - CLAIM_WINDOW).order_by("finished_at", "pk"):
        if not Run.objects.filter(pk=run.pk, alerted_at__isnull=True).update(alerted_at=now):
            continue  # another worker claimed it
        if run.is_dry_run or (run.status not in EVENTS and run.status != RunStatus.SUCCEEDED):
            continue
        newest[(run.kind, run.target_id)] = run  # ordered by finish: the last one is where the target stands
    told = 0
    for run in newest.values():
        alert = follow(run)
        if alert is not None:
            deliver(alert)
            told += 1
    return told


def follow(run: Run) -> Alert | None:
    """Update the target's problem with this run; the alert to tell, or None when nothing changed."""
    with transaction.atomic():
        key = run_problem_key(run.kind, run.target_id)
        problem = Problem.objects.select_for_update().filter(key=key).first()
        if run.status == RunStatus.SUCCEEDED:
            if problem is None:
                return None
            problem.delete()  # "works again" goes to the people its problem concerned, not to everyone carried
            return _alert(run, RECOVERED, since=problem.since, people=tuple(problem.finding.get("people", ())))
        event = EVENTS[RunStatus(run.status)]
        if problem is None:
            problem, _created = Problem.objects.get_or_create(
                key=key, defaults={"kind": run.kind, "target_id": run.target_id, "target_label": run.target_label,
                                   "since": run.finished_at or timezone.now(), "first_run": run})
        problem.last_run = run
        problem.target_label = run.target_label or problem.target_label
        people = concerned(run)
        problem.finding = {**problem.finding, "people": sorted({*problem.finding.get("people", ()), *people})}
        already = event in problem.events_sent
        if not already:  # a partial run, then a failed one: each is told once per problem
            problem.events_sent = [*problem.events_sent, event]
        problem.save()
        return None if already else _alert(run, event, since=problem.since, people=people)


def _alert(run: Run, event: str, *, since: datetime, people: tuple[int, ...]) -> Alert:
    return Alert(event=event, kind=run.kind, target_label=run.target_label, run_id=run.pk, status=run.status,
                 message=run.message[:2000], target_id=run.target_id, since=since, people=people)


def concerned(run: Run) -> tuple[int, ...]:
    """Whose files went wrong in this run (their own alerts): the people whose item did not succeed; everyone
    with an item when each item did but the run still failed (a later step); and — for a run that failed
    before it reached anybody (a wrong password, a peer away) — everyone its target carries."""
    items = list(run.items.exclude(user=None).values_list("user_id", "status"))
    unwell = tuple(user for user, status in items if status != RunStatus.SUCCEEDED)
    if unwell or items:
        return unwell or tuple(user for user, _status in items)
    try:
        target = registry_of_kinds.get(run.kind).load(run.target_id)
    except KeyError:
        return ()
    carried = getattr(target, "carried_users", None)
    return tuple(carried().values_list("pk", flat=True)) if callable(carried) else ()


def deliver(alert: Alert) -> None:
    for channel in registry.channels():
        try:
            channel.deliver(alert)
        except Exception:  # one broken channel must not silence the others
            log.exception("alert channel %s failed for run %s", channel.name, alert.run_id)
