"""`manage.py cloud_sync NAME [--wait] [--dry-run] [--recreate-remote]` — sync one destination now."""

from typing import Any

from django.core.management.base import CommandError

from anemone.runs import services as runs
from anemone.runs.cli import RunCommand
from anemone.runs.models import Trigger
from cloudbackup import kinds
from cloudbackup.models import Destination


class Command(RunCommand):
    help = "Sync one cloud destination now; --wait draws the progress and returns the run's result."

    def add_arguments(self, parser) -> None:
        parser.add_argument("name")
        super().add_arguments(parser)
        parser.add_argument("--dry-run", action="store_true", help="show what would be copied and deleted")
        parser.add_argument("--recreate-remote", action="store_true",
                            help="the destination folder is gone or empty on purpose: start again there")

    def requests(self, options: dict[str, Any]) -> list:
        dest = Destination.objects.filter(name=options["name"]).first()
        if dest is None:
            raise CommandError(f"no destination named {options['name']}")
        run_options = {"dry_run": options["dry_run"], **({"recreate_remote": True} if options["recreate_remote"] else {})}
        return [("", lambda queue: runs.request(kinds.CloudSync.name, dest, trigger=Trigger.CLI, options=run_options,
                                                queue=queue))]
