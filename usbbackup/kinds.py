"""USB backup's run kinds: a job's backup to its drive, and people's files back from a drive after an import."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from anemone.runs.messages import msg
from anemone.runs.models import Run
from anemone.runs.registry import RunKind
from anemone.runs.services import Outcome, Tracker
from usbbackup.models import UsbBackup


class UsbBackupKind(RunKind):
    name = "usb"
    label = _("USB backup")
    target_page = "usbbackup:detail"
    target_model = UsbBackup
    backup = True
    scheduled = True

    def precheck(self, run: Run) -> dict[str, Any] | None:
        """The drive being absent is not a failure: the run is skipped and nothing is written."""
        from usbbackup import backup, detection

        job = self.load(run.target_id)
        if job is None:
            return msg("usbbackup.job_deleted")
        return None if detection.find_drive(job) else backup.absent(job)

    def body(self, run: Run, tracker: Tracker) -> Outcome:
        from usbbackup import backup

        return backup.body(run, tracker)


class UsbPersonRestore(RunKind):
    """A person's own files back from a USB job's drive (Run.target_id: the person; options: the job)."""

    name = "usb-person-restore"
    label = _("USB restore")

    def label_for(self, target: object) -> str:
        return getattr(target, "username", "")

    def precheck(self, run: Run) -> dict[str, Any] | None:
        from usbbackup import backup, detection

        job = UsbBackup.objects.filter(pk=run.options.get("job")).first()
        if job is None:
            return msg("usbbackup.job_deleted")
        return None if detection.find_drive(job) else backup.absent(job)

    def body(self, run: Run, tracker: Tracker) -> Outcome:
        from usbbackup import restore

        return restore.person_restore_body(run, tracker)


class UsbUsersRestore(RunKind):
    """After a web import from a drive: every person's files back (options: the drive folder)."""

    name = "usb-restore"
    label = _("USB restore of everyone")

    def body(self, run: Run, tracker: Tracker) -> Outcome:
        from usbbackup import restore

        return restore.users_restore_body(run, tracker)
