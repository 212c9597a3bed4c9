"""`manage.py peer_health [NAME] [--json]` — the five checks; exit 0 only when all pass."""

import json

from django.core.management.base import BaseCommand, CommandError

from peers.health import all_ok, check_now
from peers.models import Peer

MARKS = {"ok": "✔", "fail": "✘", "pending": "…"}


class Command(BaseCommand):
    help = "Run the health checklist of one peer or of all."

    def add_arguments(self, parser) -> None:
        parser.add_argument("name", nargs="?")
        parser.add_argument("--json", action="store_true")
        parser.add_argument("--host", help="reach the peer at this address instead of its VPN address")

    def handle(self, *args, **options) -> None:
        peers = Peer.objects.filter(name=options["name"]) if options["name"] else Peer.objects.filter(enabled=True)
        if options["name"] and not peers:
            raise CommandError(f"no peer named {options['name']}")
        results = {peer.name: check_now(peer, host=options["host"]) for peer in peers}
        if options["json"]:
            self.stdout.write(json.dumps({n: [c.as_dict() for c in cs] for n, cs in results.items()}, indent=1))
        else:
            for name, checks in results.items():
                self.stdout.write(name)
                for check in checks:
                    self.stdout.write(f"  {MARKS[check.status]} {check.shown_label}: {check.shown_detail}")
                    if check.shown_fix and check.status == "fail":
                        self.stdout.write(f"      → {check.shown_fix}")
        failing = [n for n, cs in results.items() if not all_ok(cs)]
        if failing:
            raise CommandError(f"checks not all green for: {', '.join(failing)}")
