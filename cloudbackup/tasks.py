"""django-q2 entry points of cloud backup: thin, ids only."""

from anemone.runs import services as runs


def run_sync(run_id: int) -> None:
    from cloudbackup.sync import sync_body

    runs.execute(run_id, sync_body)


def run_restore(run_id: int) -> None:
    from cloudbackup.restore import restore_body

    runs.execute(run_id, restore_body)
