"""django-q2 entry points of P2P backups: thin, ids only."""

from anemone.runs import services as runs


def run_backup(run_id: int) -> None:
    from p2p.backup import backup_body

    runs.execute(run_id, backup_body)


def run_restore(run_id: int) -> None:
    from p2p.restore import restore_body

    runs.execute(run_id, restore_body)
