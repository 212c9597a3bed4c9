"""What one viewer may see of a run: the one rule used by the API, every page and the progress fragment.

A run may carry several people (a cloud sync of alice and bob); its log tail, current item and
message name their files ("bob: bob-secret-tax.pdf"). An admin sees all of it. A person sees the
run's kind, target, status and timing, and only their own items (status, counts, their own lines):
the run-wide log, current item, message, options and counters are admin-only, and the counters a
person sees are the sums of their own items. The only exception is a finished run that concerns
that person alone (their own restore): its message is about them, so they read it.

A ``RunView`` exposes an explicit list of attributes (anything else is refused), so a template or
serializer that reaches for a new run field shows nothing to a person until this list says so.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from anemone.runs.models import Run, RunItem, RunStatus

# What anybody who may see the run at all (visible_runs) may read of it.
PUBLIC_ATTRIBUTES = frozenset({
    "pk", "id", "kind", "target_id", "target_label", "trigger", "status", "queued_at", "started_at",
    "finished_at", "percent", "progress_updated_at", "is_active", "duration_seconds", "is_dry_run",
    "get_status_display", "get_trigger_display", "kind_label",
})
# Replaced for a person by what their own items say (or hidden): they can name other people's files.
ADMIN_ONLY_ATTRIBUTES = frozenset({
    "message", "log_tail", "current_item", "options", "files_done", "files_total", "bytes_done", "bytes_total",
    "requested_by", "requested_by_id", "worker_host", "worker_pid", "heartbeat_at", "message_code",
    "message_params", "shown_message",
})
_UNWELL = {
    RunStatus.FAILED: _("This run did not finish; the administrator sees why."),
    RunStatus.INTERRUPTED: _("This run did not finish; the administrator sees why."),
    RunStatus.PARTIAL: _("Part of this run did not go well; the administrator sees the details."),
}


def sees_everything(viewer: Any) -> bool:
    """Admins (active staff) see whole runs; everybody else only their own part."""
    return bool(viewer is not None and getattr(viewer, "is_staff", False) and getattr(viewer, "is_active", False))


class RunView:
    """A run as ``viewer`` may see it; templates and serializers read it like a Run."""

    def __init__(self, run: Run, viewer: Any):
        self.run = run
        self.viewer = viewer
        self.full = sees_everything(viewer)
        every = list(run.items.all())
        viewer_id = getattr(viewer, "pk", None)
        self.items: list[RunItem] = every if self.full else [i for i in every if viewer_id and i.user_id == viewer_id]
        self._alone = (not self.full and viewer_id is not None and not run.is_active
                       and all(i.user_id == viewer_id for i in every)
                       and (bool(every) or run.requested_by_id == viewer_id))

    def __getattr__(self, name: str) -> Any:
        # Only called for names not set on the view itself: the run's own fields, filtered.
        if name.startswith("_") or "run" not in self.__dict__:
            raise AttributeError(name)
        if name in PUBLIC_ATTRIBUTES or self.__dict__.get("full"):
            return getattr(self.run, name)
        raise AttributeError(f"{name} of a run is not shown to this viewer")

    def __eq__(self, other: object) -> bool:
        target = other.run if isinstance(other, RunView) else other
        return isinstance(target, Run) and target.pk == self.run.pk

    def __hash__(self) -> int:
        return hash(self.run.pk)

    def __repr__(self) -> str:
        return f"<RunView #{self.run.pk} for {getattr(self.viewer, 'username', None)}{' (full)' if self.full else ''}>"

    @property
    def message(self) -> str:
        if self.full or self._alone:
            return self.run.shown_message
        own = "\n".join(i.shown_message for i in self.items if i.message or i.message_code)
        return own or str(_UNWELL.get(self.run.status, ""))  # type: ignore[call-overload]

    @property
    def message_code(self) -> str:
        """The run-wide message as data, for scripts: only to whoever reads the run-wide message itself."""
        return self.run.message_code if self.full or self._alone else ""

    @property
    def message_params(self) -> dict[str, Any]:
        return self.run.message_params if self.full or self._alone else {}

    @property
    def log_tail(self) -> str:
        return self.run.log_tail if self.full else ""

    @property
    def current_item(self) -> str:
        return self.run.current_item if self.full else ""

    @property
    def options(self) -> dict[str, Any]:
        return self.run.options if self.full else {}

    @property
    def files_done(self) -> int:
        return self.run.files_done if self.full else sum(i.files for i in self.items)

    @property
    def bytes_done(self) -> int:
        return self.run.bytes_done if self.full else sum(i.bytes for i in self.items)

    @property
    def files_total(self) -> int:
        return self.run.files_total if self.full else 0

    @property
    def bytes_total(self) -> int:
        return self.run.bytes_total if self.full else 0


def run_view_for(viewer: Any, run: Run | RunView) -> RunView:
    """The run as this viewer may see it (a view already made for this viewer is returned as it is)."""
    if isinstance(run, RunView):
        if run.viewer == viewer or (run.viewer is not None and getattr(run.viewer, "pk", None) == getattr(viewer, "pk", -1)
                                    and run.full == sees_everything(viewer)):
            return run
        run = run.run
    return RunView(run, viewer)


def run_views_for(viewer: Any, runs: Any) -> list[RunView]:
    return [run_view_for(viewer, run) for run in runs]
