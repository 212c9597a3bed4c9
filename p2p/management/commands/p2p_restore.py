"""`manage.py p2p_restore --peer NAME --user U [--snapshot ID] [--path P] [--wait]`.

Restores a person's snapshot (default: the latest) from a peer back to its own paths in backup/ (a file
changed since stays, the restored one lands beside it as "name (restored <date>).ext"); `--all-users` is the admin's disaster recovery: everyone's latest snapshot back into their areas.
"""

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import CommandError

from anemone.engines import restic
from anemone.files.paths import PathRefused
from anemone.runs.cli import RunCommand
from anemone.runs.models import Trigger
from p2p import restore, services


class Command(RunCommand):
    help = "Restore from a peer: one person's snapshot, or (--all-users) everyone's latest backup."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--peer", required=True)
        who = parser.add_mutually_exclusive_group(required=True)
        who.add_argument("--user")
        who.add_argument("--all-users", action="store_true")
        parser.add_argument("--snapshot", default="latest", help="snapshot id (default: the latest)")
        parser.add_argument("--path", default="", help="file or folder inside the backup area (default: all)")
        super().add_arguments(parser)

    def requests(self, options: dict[str, Any]) -> list:
        def start(queue: bool):
            try:
                return self._request(options, queue_elsewhere=queue)
            except (restore.NotCarried, PathRefused, restic.ResticError) as exc:
                raise CommandError(str(exc) or "that peer does not carry this person") from exc

        return [("", start)]

    def _request(self, options, *, queue_elsewhere: bool):
        """Create the Run; with --wait and no worker running, the caller executes it here."""
        if options["all_users"]:
            target = services.find_target(options["peer"])
            if target is None:
                raise restore.NotCarried(f"no peer named {options['peer']}")
            return restore.request_bulk_restore(target, [], trigger=Trigger.CLI, queue=queue_elsewhere)
        person = get_user_model().objects.filter(username=options["user"]).first()
        if person is None:
            raise restore.NotCarried(f"no user named {options['user']}")
        snapshot = options["snapshot"]
        target = restore.target_of(person, options["peer"])
        if snapshot == "latest":
            found = restore.list_snapshots(target, person)
            if not found:
                raise restore.NotCarried(f"{person.username} has no snapshot on {options['peer']} yet")
            snapshot = found[0].id
        return restore.request_restore(target, person, snapshot, path=options["path"], trigger=Trigger.CLI,
                                       queue=queue_elsewhere)
