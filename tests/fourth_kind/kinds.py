from __future__ import annotations

import shutil
from pathlib import Path

from anemone.files.paths import area_root
from anemone.restores.registry import RestoreSource
from anemone.runs import services as runs
from anemone.runs.models import Run, RunStatus
from anemone.runs.registry import RunKind
from tests.fourth_kind.models import LocalCopy


class LocalCopyKind(RunKind):
    name = "local-copy"
    label = "Local copy"
    target_model = LocalCopy
    backup = True
    scheduled = True

    def precheck(self, run: Run) -> str | None:
        target = self.load(run.target_id)
        return None if target and Path(target.folder).is_dir() else "the folder is not there; nothing was copied"

    def body(self, run: Run, tracker: runs.Tracker) -> runs.Outcome:
        target = self.load(run.target_id)
        people = list(target.carried_users().order_by("username"))
        for index, person in enumerate(people, start=1):
            item = runs.start_item(run, user=person)
            copied = shutil.copytree(area_root(person, "backup"), Path(target.folder) / person.username,
                                     dirs_exist_ok=True)
            files = [p for p in Path(copied).rglob("*") if p.is_file()]
            runs.finish_item(item, status=RunStatus.SUCCEEDED, files=len(files),
                             bytes_=sum(p.stat().st_size for p in files))
            tracker.progress(percent=100 * index / len(people), current_item=person.username)
        return runs.Outcome(message=f"{len(people)} people copied")


class LocalCopySource(RestoreSource):
    """Where the Restore hub shows the copies that keep a person's files."""

    name = "local-copy"
    label = "Local copies"
    template = "fourth_kind/restore_source.html"

    def offers(self, person):  # type: ignore[no-untyped-def]
        return [copy for copy in LocalCopy.objects.all() if copy.carries(person)]
