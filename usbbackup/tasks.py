"""django-q2 entry points: thin, they take ids and call the services."""

from __future__ import annotations


def run_backup(run_id: int) -> None:
    from usbbackup import backup

    backup.run(run_id)


def run_restore_users(run_id: int) -> None:
    from usbbackup import restore

    restore.run_users_restore(run_id)
