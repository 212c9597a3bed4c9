"""USB backup's one hint table and its run messages, in the reader's language.

``HINTS`` is keyed by the restic error's ``outcome`` (anemone.engines.restic_errors): what to do about a
failure of the drive's repository, the same words on the page, the API and the CLI. ``MESSAGES`` are the codes
stored on runs (``usbbackup.*``), rendered at display time by anemone.runs.messages; the ``message`` column
keeps their English. restic's and the system's own text (an OSError's strerror) stays a parameter.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from anemone.runs.messages import msg
from anemone.runs.services import StepError

FULL_HINT = _("Earlier snapshots on the drive are intact. Free space on it (or use a bigger drive, or back up "
              "fewer people), then run again.")

HINTS: dict[str, Any] = {
    "failed": _("Check the drive (restic check) or choose another folder."),
    "missing": _("Check that the right drive is plugged in and the job's folder is right."),
    "wrong-key": _("This folder was written by another installation: import it with its recovery kit, or choose "
                   "another folder."),
    "locked": _("Wait for the other backup or check of this drive to finish, then run again."),
    "unreachable": _("Plug the drive in again (another port or cable); a drive that keeps stopping is failing."),
    "refused": _("Check the drive is mounted read-write and the folder's permissions."),
    "no-space": FULL_HINT,
    "nothing-kept": _("Keep at least one snapshot in the job's retention."),
}

MESSAGES: dict[str, Any] = {
    # run-wide
    "usbbackup.drive_absent": _("drive absent: the drive %(drive)s is not plugged in; nothing was written."),
    "usbbackup.job_deleted": _("This USB backup job was deleted."),
    "usbbackup.summary": _("%(count)s snapshot(s) on %(drive)s (%(mount)s), %(added)s of new data."),
    "usbbackup.summary_problems": _("%(count)s snapshot(s) on %(drive)s (%(mount)s), %(added)s of new data. "
                                    "%(problems)s problem(s)."),
    "usbbackup.part_error": _("%(part)s: %(error)s"),
    "usbbackup.retention_failed": _("retention: %(error)s"),
    "usbbackup.configuration": _("configuration"),
    "usbbackup.no_area": _("No area to back up."),
    "usbbackup.interrupted_by_import": _("Interrupted: the server was restored from a USB backup taken while this "
                                         "run was going on."),
    # steps of a failure (runs.step_error_hint)
    "usbbackup.step_drive": _("Drive"),
    "usbbackup.step_repository": _("Repository"),
    "usbbackup.step_writing": _("Writing to the drive"),
    "usbbackup.step_database": _("Database snapshot"),
    "usbbackup.step_config": _("Configuration snapshot"),
    # what went wrong
    "usbbackup.other_server": _("%(folder)s holds the backup of another server (%(server)s)."),
    "usbbackup.choose_other_folder": _("Choose another folder for this job."),
    "usbbackup.plug_again": _("Plug the drive in again; nothing was written."),
    "usbbackup.cannot_write": _("cannot write to %(mount)s: %(error)s"),
    "usbbackup.read_only_hint": _("The drive is mounted read-only: remount it read-write."),
    "usbbackup.check_mounted_hint": _("Check the drive is mounted read-write and not failing."),
    "usbbackup.full_while": _("the drive is full while backing up %(part)s (%(error)s)"),
    "usbbackup.drive_full": _("no space left on the drive"),
    "usbbackup.wrong_key": _("the repository on the drive does not open with this master key (wrong recovery kit?)"),
    "usbbackup.no_repository": _("there is no restic repository in %(folder)s"),
    "usbbackup.no_repository_yet": _("No restic repository in %(folder)s."),
    "usbbackup.locked": _("the repository on the drive is locked by another restic process (a backup or check of "
                          "it still running?)"),
    "usbbackup.refused": _("the drive refused the write (mounted read-only, or no permission on the folder)"),
    "usbbackup.stopped_answering": _("the drive stopped answering (%(error)s): is it failing, or was it unplugged?"),
    "usbbackup.in_transaction": _("cannot copy the database from inside a transaction."),
    "usbbackup.in_transaction_hint": _("Run the backup from a worker or a command, not inside "
                                       "transaction.atomic()."),
    "usbbackup.install_pg_dump": _("Install the PostgreSQL client (pg_dump)."),
    "usbbackup.pg_dump_failed": _("pg_dump failed: %(error)s"),
    "usbbackup.pg_dump_hint": _("Check DATABASE_URL and that pg_dump's version matches the server's."),
    "usbbackup.unsupported_database": _("%(vendor)s databases are not supported."),
    "usbbackup.use_sqlite_or_pg": _("Use SQLite or PostgreSQL."),
    "usbbackup.free_data_dir": _("Check free space in the data directory."),
    # restores
    "usbbackup.users_restored": _("Files of %(count)s person(s) restored."),
    "usbbackup.not_carried": _("%(job)s does not keep %(user)s's files."),
    "usbbackup.unplugged_restore": _("The drive of %(job)s was unplugged; nothing was restored."),
    "usbbackup.no_snapshot_of_you": _("%(user)s: %(job)s holds no snapshot of your files yet."),
    "usbbackup.person_restored": _("%(user)s: files from %(job)s's snapshot %(snapshot)s (%(date)s): %(said)s"),
}
for _outcome, _text in HINTS.items():
    MESSAGES[f"usbbackup.hint_{_outcome}"] = _text


def hint_message(outcome: str) -> dict[str, Any]:
    """What to do about a repository failure with this restic outcome code, as a stored message."""
    return msg(f"usbbackup.hint_{outcome if outcome in HINTS else 'failed'}")


def step_error(step: str, message: dict[str, Any] | str, hint: dict[str, Any]) -> StepError:
    """A failed step as data (``StepError.of``); ``step`` is a code of this table without parameters."""
    return StepError.of(msg(step), message, hint)
