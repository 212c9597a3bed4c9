"""`manage.py backup_now [--peer NAME] [--user U] [--new-history U] [--wait]` — the seed's backup-now.sh."""

from typing import Any

from django.core.management.base import CommandError

from anemone.runs import services as runs
from anemone.runs.cli import RunCommand
from anemone.runs.models import Trigger
from p2p import kinds, services


class Command(RunCommand):
    help = "Back up now to one peer (--peer) or to every enabled peer; --wait draws progress and returns the result."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--peer", help="peer name (default: every enabled peer)")
        parser.add_argument("--user", action="append", dest="users", metavar="USERNAME",
                            help="only this person (repeatable; default: everyone the target carries)")
        super().add_arguments(parser)
        parser.add_argument("--new-history", action="append", dest="new_history", metavar="USERNAME", default=[],
                            help="this person's repository vanished at the peer: start a new, empty one "
                                 "(their earlier snapshots there are gone; repeatable)")

    def requests(self, options: dict[str, Any]) -> list:
        if options["peer"]:
            target = services.find_target(options["peer"])
            if target is None:
                raise CommandError(f"no peer named {options['peer']}")
            targets = [target]
        else:
            targets = [t for t in services.all_targets() if t.is_schedulable()]
            if not targets:
                raise CommandError("no enabled peer to back up to (pair with a peer first: manage.py add_peer)")
        run_options = {"users": options["users"] or [],
                       **({"new_history": options["new_history"]} if options["new_history"] else {})}

        def start(target):
            return lambda queue: runs.request(kinds.P2PBackup.name, target, trigger=Trigger.CLI, options=run_options,
                                              queue=queue)

        return [(target.peer.name, start(target)) for target in targets]
