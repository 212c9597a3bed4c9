"""`manage.py backup_now [--peer NAME] [--user U] [--wait]` — the seed's backup-now.sh."""

from django.core.management.base import BaseCommand, CommandError

from anemone.runs import cli
from anemone.runs.models import Trigger
from anemone.runs.services import RunActive, dispatch
from p2p import backup, services


class Command(BaseCommand):
    help = "Back up now to one peer (--peer) or to every enabled peer; --wait draws progress and returns the result."

    def add_arguments(self, parser) -> None:  # type: ignore[no-untyped-def]
        parser.add_argument("--peer", help="peer name (default: every enabled peer)")
        parser.add_argument("--user", action="append", dest="users", metavar="USERNAME",
                            help="only this person (repeatable; default: everyone the target carries)")
        parser.add_argument("--wait", action="store_true", help="wait for the end, drawing a progress bar")
        parser.add_argument("--new-history", action="append", dest="new_history", metavar="USERNAME", default=[],
                            help="this person's repository vanished at the peer: start a new, empty one "
                                 "(their earlier snapshots there are gone; repeatable)")

    def handle(self, *args, **options) -> None:  # type: ignore[no-untyped-def]
        if options["peer"]:
            target = services.find_target(options["peer"])
            if target is None:
                raise CommandError(f"no peer named {options['peer']}")
            targets = [target]
        else:
            targets = [t for t in services.all_targets() if t.enabled and t.peer.enabled]
            if not targets:
                raise CommandError("no enabled peer to back up to (pair with a peer first: manage.py add_peer)")
        failed = []
        for target in targets:
            if not self._one(target, options):
                failed.append(target.peer.name)
        if failed:
            raise CommandError(f"backup to {', '.join(failed)} did not succeed")

    def _one(self, target, options) -> bool:  # type: ignore[no-untyped-def]
        here = options["wait"] and not cli.cluster_running()
        try:
            run = backup.request_backup(target.pk, Trigger.CLI, usernames=options["users"], queue=not here,
                                       new_history=options["new_history"])
        except RunActive as exc:
            raise CommandError(f"{target.peer.name}: {exc}") from exc
        if not options["wait"]:
            self.stdout.write(f"{target.peer.name}: run {run.pk} queued")
            return True
        self.stdout.write(f"{target.peer.name}:")
        run = cli.wait_for(run, self.stdout, (lambda: dispatch(run, backup.TASK, inline=True)) if here else None)
        self.stdout.write(run.shown_message)
        return not cli.exit_code(run)
