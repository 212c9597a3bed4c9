"""`manage.py snapshots --peer NAME --user U [--json]` — a person's snapshots on a peer."""

import json
import shlex
from dataclasses import asdict

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from anemone.engines import restic
from p2p import hints, repos, restore


class Command(BaseCommand):
    help = "List a person's snapshots on a peer (their own repository, opened with their own key)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--peer", required=True)
        parser.add_argument("--user", required=True)
        parser.add_argument("--json", action="store_true")
        parser.add_argument("--restic-command", action="store_true",
                            help="print the plain restic command that lists these snapshots without Anemone")

    def handle(self, *args, **options) -> None:
        person = get_user_model().objects.filter(username=options["user"]).first()
        if person is None:
            raise CommandError(f"no user named {options['user']}")
        try:
            target = restore.target_of(person, options["peer"])
            if options["restic_command"]:
                self.stdout.write(shlex.join(repos.plain_restic_command(target, person.username)))
                return
            found = restore.list_snapshots(target, person)
        except restore.NotCarried as exc:
            raise CommandError(f"peer {options['peer']} does not exist or does not carry {person.username}") from exc
        except restic.ResticError as exc:
            raise CommandError(hints.with_hint(exc)) from exc
        if options["json"]:
            self.stdout.write(json.dumps([asdict(s) for s in found], indent=1))
            return
        if not found:
            self.stdout.write(f"no snapshot of {person.username} on {options['peer']} yet")
        for snap in found:
            self.stdout.write(f"{snap.short_id}  {snap.time[:19].replace('T', ' ')}  {snap.hostname}  {','.join(snap.tags)}")
