"""`manage.py drill <kind> <target> [--wait]`: a restore drill now (kind: cloud, p2p or usb; target: its name or id)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.management.base import CommandError

from anemone.drills import services
from anemone.runs import registry
from anemone.runs.cli import RunCommand
from anemone.runs.models import Run, Trigger


def find_target(kind: str, name: str) -> tuple[Any, Any]:
    """(drill kind, target) from a kind ("p2p" or "p2p-drill") and a target's name (as runs list it) or id."""
    try:
        drill = services.drill_kind(kind)
    except KeyError:
        known = ", ".join(k.backup_kind for k in registry.drill_kinds())  # type: ignore[attr-defined]
        raise CommandError(f"unknown drill kind {kind!r} (one of: {known})") from None
    targets = registry.get(drill.backup_kind).targets()
    found = [t for t in targets if drill.label_for(t) == name or str(t.pk) == name]
    if not found:
        raise CommandError(f"no {drill.backup_kind} target named {name!r}")
    return drill, found[0]


class Command(RunCommand):
    help = "Run a restore drill of one backup target now: restore a sample of each person's newest copy and check it."

    def add_arguments(self, parser) -> None:
        parser.add_argument("kind", help="cloud, p2p or usb")
        parser.add_argument("target", help="the destination's, peer's or USB job's name (or its id)")
        super().add_arguments(parser)

    def requests(self, options: dict[str, Any]) -> list[tuple[str, Callable[[bool], Run]]]:
        drill, target = find_target(options["kind"], options["target"])
        return [("", lambda queue: services.request_drill(drill, target, trigger=Trigger.CLI, queue=queue))]
