"""`manage.py usb_backup_now NAME [--wait]`: back a USB job up now.

Without --wait the run is queued for the worker and its id printed. With --wait it runs in this
process, draws a progress bar and exits with the result: 0 succeeded, 1 failed, 3 skipped (drive
absent), 4 partially succeeded.
"""

from django.core.management.base import BaseCommand, CommandError

from anemone.runs.models import RunStatus, Trigger
from anemone.runs.services import RunActive
from usbbackup import backup, services
from usbbackup.models import UsbBackup

EXIT = {RunStatus.FAILED: 1, RunStatus.INTERRUPTED: 1, RunStatus.SKIPPED: 3, RunStatus.PARTIAL: 4}


class Command(BaseCommand):
    help = "Back up one USB job now (by name)."

    def add_arguments(self, parser) -> None:  # type: ignore[no-untyped-def]
        parser.add_argument("name")
        parser.add_argument("--wait", action="store_true", help="run here, show progress, return the result")

    def draw(self, run) -> None:  # type: ignore[no-untyped-def]
        width = 30
        filled = int(width * run.percent / 100)
        self.stderr.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {run.percent:5.1f}% "
                          f"{run.current_item[:40]:<40}", ending="")
        self.stderr.flush()

    def handle(self, *args, **options) -> None:  # type: ignore[no-untyped-def]
        job = UsbBackup.objects.filter(name=options["name"]).first()
        if job is None:
            raise CommandError(f"no USB backup named {options['name']!r}")
        wait = options["wait"]
        if wait:
            backup.progress_listeners.append(self.draw)
        try:
            run = services.request_backup(job, trigger=Trigger.CLI, inline=wait)
        except RunActive as exc:
            raise CommandError(str(exc)) from exc
        finally:
            if wait:
                backup.progress_listeners.remove(self.draw)
        if not wait:
            self.stdout.write(f"queued run {run.pk}")
            return
        self.stderr.write("")
        line = f"{run.status}: {run.message.splitlines()[0] if run.message else ''}".strip()
        if run.status in EXIT:
            raise CommandError(line, returncode=EXIT[run.status])
        self.stdout.write(line)
