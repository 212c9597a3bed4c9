"""`manage.py cloud_sync NAME [--wait] [--dry-run]` — sync one destination now."""

from django.core.management.base import BaseCommand, CommandError

from anemone.runs import cli
from anemone.runs.models import Trigger
from anemone.runs.services import RunActive
from cloudbackup import sync
from cloudbackup.models import Destination


class Command(BaseCommand):
    help = "Sync one cloud destination now; --wait draws the progress and returns the run's result."

    def add_arguments(self, parser) -> None:  # type: ignore[no-untyped-def]
        parser.add_argument("name")
        parser.add_argument("--wait", action="store_true")
        parser.add_argument("--dry-run", action="store_true", help="show what would be copied and deleted")
        parser.add_argument("--recreate-remote", action="store_true",
                            help="the destination folder is gone or empty on purpose: start again there")

    def handle(self, *args, **options) -> None:  # type: ignore[no-untyped-def]
        dest = Destination.objects.filter(name=options["name"]).first()
        if dest is None:
            raise CommandError(f"no destination named {options['name']}")
        here = options["wait"] and not cli.cluster_running()
        try:
            run = sync.request_sync(dest.pk, Trigger.CLI, dry_run=options["dry_run"],
                                    recreate_remote=options["recreate_remote"], queue=not here)
        except RunActive as exc:
            raise CommandError(str(exc)) from exc
        if not options["wait"]:
            self.stdout.write(f"run {run.pk} queued")
            return
        cli.wait_and_report(run, self.stdout, sync.TASK, here=here, verb="sync")
