from typing import Any

from anemone.runs import services as runs
from anemone.runs.cli import RunCommand
from anemone.runs.models import Trigger
from tests.fourth_kind.models import LocalCopy


class Command(RunCommand):
    def add_arguments(self, parser) -> None:  # type: ignore[no-untyped-def]
        parser.add_argument("name")
        super().add_arguments(parser)

    def requests(self, options: dict[str, Any]) -> list:  # type: ignore[type-arg]
        target = LocalCopy.objects.get(name=options["name"])
        return [("", lambda queue: runs.request("local-copy", target, trigger=Trigger.CLI, queue=queue))]
