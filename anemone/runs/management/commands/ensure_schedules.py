"""Declare the recurring system jobs and re-sync every target's schedule (idempotent; run by `make run`)."""

from django.core.management.base import BaseCommand

from anemone.runs import registry, schedules

SYSTEM_JOBS = [
    ("system:reap-runs", "anemone.runs.tasks.reap", 1),
    ("system:trash-purge", "anemone.files.trash_jobs.scheduled_purge", 24 * 60),
    ("system:peer-health", "peers.health.check_all", 15),  # the only automatic network checks of peers
    ("system:alerts", "anemone.alerts.jobs.claim_finished_runs", 1),
    ("system:conditions", "anemone.alerts.conditions.check_all", 5),  # late targets, silent peers, full disks...
    ("system:audit-purge", "anemone.audit.services.purge_expired", 24 * 60),
    ("system:drills", "anemone.drills.jobs.start_due_drills", 60),  # restore drills that are due (anemone.drills)
]


class Command(BaseCommand):
    help = "Create the system schedules and mirror every target's schedule into django-q2."

    def handle(self, *args, **options) -> None:
        for name, func, minutes in SYSTEM_JOBS:
            schedules.ensure_system_schedule(name, func, minutes)
        synced = 0
        for kind in registry.scheduled_kinds():
            for target in kind.targets():
                schedules.sync_schedule(kind.name, target.pk, target if kind.is_schedulable(target) else None)
                synced += 1
        self.stdout.write(f"schedules: {len(SYSTEM_JOBS)} system jobs, {synced} targets in sync")
