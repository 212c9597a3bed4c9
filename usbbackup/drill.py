"""The USB restore drill ("usb-drill"): a sample of each person's newest snapshot on the job's drive, restored
and checked (anemone.drills). The drive's repository is opened as backups and restores open it
(usbbackup.repo); an absent drive skips the drill, as it skips a backup."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.utils.translation import gettext_lazy as _

from anemone.drills import core, restic_copies
from anemone.drills.kinds import DrillError, DrillKind
from anemone.engines import restic
from anemone.files.paths import user_root
from anemone.runs.models import Run
from usbbackup import detection, layout, repo
from usbbackup.hints import hint_message
from usbbackup.models import UsbBackup


def _open(job: UsbBackup) -> repo.Repo:
    drive = detection.find_drive(job)
    if drive is None:
        from usbbackup.backup import absent

        raise DrillError(absent(job), stop=True)
    folder = detection.ensure_on_drive(drive, Path(drive.mount_point) / job.folder)
    try:
        return repo.open_repo(folder, repo.repo_password())
    except repo.RepoError as exc:
        raise DrillError(exc.as_message(), hint_message(exc.outcome)) from exc


class UsbDrill(DrillKind):
    name = "usb-drill"
    label = _("USB restore drill")
    backup_kind = "usb"
    target_model = UsbBackup

    def precheck(self, run: Run) -> dict[str, Any] | None:
        """The drive being absent is not a failure: the drill is skipped, like the job's backup."""
        from usbbackup.backup import absent

        said = super().precheck(run)
        if said is not None:
            return said
        job = self.load(run.target_id)
        return None if detection.find_drive(job) else absent(job)

    def newest_copy(self, target: UsbBackup, person: Any) -> core.Copy | None:
        backup = _open(target)
        try:
            snapshot = repo.latest(backup, layout.user_tag(person.username))
            if snapshot is None:
                return None
            return restic_copies.copy_of(backup.engine, snapshot, user_root(person.username))
        except repo.RepoError as exc:
            raise DrillError(exc.as_message(), hint_message(exc.outcome)) from exc
        except restic.ResticError as exc:
            raise DrillError(str(exc), damaged=True) from exc

    def repair(self, target: UsbBackup, person: Any) -> dict[str, Any] | None:
        try:
            backup = _open(target)
        except DrillError:
            return None
        return restic_copies.repair(backup.engine, person.username)

    def fetch(self, target: UsbBackup, person: Any, copy: core.Copy, files: list[core.CopiedFile],
              into: Path) -> None:
        try:
            restic_copies.fetch(_open(target).engine, copy, files, into)
        except restic.ResticError as exc:
            raise DrillError(str(exc), damaged=True) from exc
