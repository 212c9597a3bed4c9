"""Cloud backup's run kinds: the sync of a destination, and a person's restore from one."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from anemone.runs.models import Run
from anemone.runs.registry import RunKind
from anemone.runs.services import Outcome, Tracker
from cloudbackup.models import Destination


class CloudSync(RunKind):
    """Options: ``dry_run`` (a preview: copies nothing), ``recreate_remote`` (the admin knows the folder is
    gone or empty and wants to start again there)."""

    name = "cloud"
    label = _("Cloud sync")
    target_page = "cloudbackup:detail"
    target_model = Destination
    backup = True
    scheduled = True
    default_options = {"dry_run": False}  # queries tell real syncs by it (sync.stored_copies_before)

    def body(self, run: Run, tracker: Tracker) -> Outcome:
        from cloudbackup.sync import sync_body

        return sync_body(run, tracker)


class CloudRestore(RunKind):
    """A person's files back from a destination (Run.target_id: the person; options say from where)."""

    name = "cloud-restore"
    label = _("Cloud restore")

    def label_for(self, target: Any) -> str:
        return getattr(target, "username", "")

    def body(self, run: Run, tracker: Tracker) -> Outcome:
        from cloudbackup.restore import restore_body

        return restore_body(run, tracker)
