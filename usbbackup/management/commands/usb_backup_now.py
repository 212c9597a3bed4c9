"""`manage.py usb_backup_now NAME [--wait]`: back a USB job up now.

Without --wait the run is queued for the worker and its id printed. With --wait the progress bar is
drawn on stderr (the shared `anemone.runs.cli` helper: the run executes here when no worker is up,
else the worker's progress is followed) and the result is the exit code: 0 succeeded, 1 failed or
interrupted, 3 skipped (drive absent), 4 partially succeeded.
"""

from typing import TextIO, cast

from django.core.management.base import BaseCommand, CommandError

from anemone.runs import cli
from anemone.runs.models import RunStatus, Trigger
from anemone.runs.services import RunActive
from usbbackup import services
from usbbackup.models import UsbBackup

EXIT: dict[str, int] = {RunStatus.FAILED: 1, RunStatus.INTERRUPTED: 1, RunStatus.SKIPPED: 3, RunStatus.PARTIAL: 4}


class Command(BaseCommand):
    help = "Back up one USB job now (by name)."

    def add_arguments(self, parser) -> None:  # type: ignore[no-untyped-def]
        parser.add_argument("name")
        parser.add_argument("--wait", action="store_true", help="show progress, return the run's result")

    def handle(self, *args, **options) -> None:  # type: ignore[no-untyped-def]
        job = UsbBackup.objects.filter(name=options["name"]).first()
        if job is None:
            raise CommandError(f"no USB backup named {options['name']!r}")
        try:
            run = services.start_run(job, trigger=Trigger.CLI)
        except RunActive as exc:
            raise CommandError(str(exc)) from exc
        here = options["wait"] and not cli.cluster_running()
        if not here:
            services.dispatch_run(run)
        if not options["wait"]:
            self.stdout.write(f"queued run {run.pk}")
            return
        bar = cast(TextIO, self.stderr)  # Django's OutputWrapper is a TextIOBase
        run = cli.wait_for(run, bar, (lambda: services.dispatch_run(run, inline=True)) if here else None)
        text = run.shown_message
        line = f"{run.status}: {text.splitlines()[0] if text else ''}".strip()
        if run.status in EXIT:
            raise CommandError(line, returncode=EXIT[run.status])
        self.stdout.write(line)
