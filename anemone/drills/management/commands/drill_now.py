"""`manage.py drill_now --kind cloud|p2p|usb --target NAME [--wait]`: DESIGN §7's spelling of `manage.py drill`."""

from __future__ import annotations

from anemone.drills.management.commands import drill


class Command(drill.Command):
    def add_arguments(self, parser) -> None:
        parser.add_argument("--kind", required=True, help="cloud, p2p or usb")
        parser.add_argument("--target", required=True, help="the destination's, peer's or USB job's name (or its id)")
        parser.add_argument("--wait", action="store_true", help=self.wait_help)
