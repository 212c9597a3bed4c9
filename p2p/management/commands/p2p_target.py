"""`manage.py p2p_target PEER [--keep-last N ...] [--enable|--disable]` — show or change a P2P target's
retention and state, through the same service (and so the same validators) as the page, the API and the
Django admin."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from p2p import services
from p2p.models import DEFAULT_RETENTION


class Command(BaseCommand):
    help = "Show a P2P target's settings, or change its retention (--keep-*) and whether it is enabled."

    def add_arguments(self, parser) -> None:
        parser.add_argument("peer", help="peer name")
        for name in DEFAULT_RETENTION:
            parser.add_argument(f"--{name.replace('_', '-')}", type=int, dest=name, metavar="N")
        state = parser.add_mutually_exclusive_group()
        state.add_argument("--enable", action="store_true", help="back up to this peer on its schedule")
        state.add_argument("--disable", action="store_true", help="stop backing up to this peer")

    def handle(self, *args, **options) -> None:
        target = services.find_target(options["peer"])
        if target is None:
            raise CommandError(f"no P2P target for a peer named {options['peer']}")
        changes = {name: options[name] for name in DEFAULT_RETENTION if options[name] is not None}
        if options["enable"] or options["disable"]:
            changes["enabled"] = bool(options["enable"])
        if changes:
            for name, value in changes.items():
                setattr(target, name, value)
            try:
                services.save_target(target)
            except ValidationError as exc:
                raise CommandError("; ".join(exc.messages)) from exc
        keep = ", ".join(f"{name}={value}" for name, value in target.retention.items())
        self.stdout.write(f"{target.peer.name}: {'enabled' if target.enabled else 'disabled'}; {keep}")
