"""`manage.py usb_backup_now NAME [--wait]`: back a USB job up now.

Without --wait the run is queued for the worker and its id printed. With --wait the progress bar is drawn
on stderr and the result is the exit code (anemone.runs.cli.EXIT_CODES): 0 succeeded, 1 failed or
interrupted, 3 skipped (drive absent), 4 partially succeeded.
"""

from typing import Any

from django.core.management.base import CommandError

from anemone.runs import services as runs
from anemone.runs.cli import RunCommand
from anemone.runs.models import Trigger
from usbbackup import kinds
from usbbackup.models import UsbBackup


class Command(RunCommand):
    help = "Back up one USB job now (by name)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("name")
        super().add_arguments(parser)

    def requests(self, options: dict[str, Any]) -> list:
        job = UsbBackup.objects.filter(name=options["name"]).first()
        if job is None:
            raise CommandError(f"no USB backup named {options['name']!r}")
        return [("", lambda queue: runs.request(kinds.UsbBackupKind.name, job, trigger=Trigger.CLI, queue=queue))]
