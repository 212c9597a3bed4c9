"""Which run kinds exist: one `RunKind` subclass per kind of work that becomes a Run.

Each app declares its kinds in its own ``kinds.py`` and registers one instance of each in
``AppConfig.ready()`` (``registry.register(CloudSync())``). Core owns everything else, once: the Run row,
``runs.request`` (web, API, CLI and schedules all start runs through it), the generic django-q2 task
``anemone.runs.tasks.execute``, schedules mirrored from the target, the lifecycle and history. The same
shape as healthchecks' ``TRANSPORTS`` + ``Transport`` or NetBox's ``@register_data_backend``.

A fourth backup kind therefore needs its model (on ``runs.models.BackupTarget``), one ``RunKind`` with a
``body`` and a ``register()`` line; schedules, "back up now" (page, API, ``--wait`` command), history and
the dashboards follow from here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from django.db import models
from django.utils.functional import Promise

if TYPE_CHECKING:
    from anemone.runs.models import Run
    from anemone.runs.services import Outcome, Tracker


class RunKind:
    """One kind of run. Subclasses set the class attributes and implement ``body``."""

    name: ClassVar[str]  # stored in Run.kind; also the prefix of its django-q2 schedule names
    label: ClassVar[str | Promise]  # what people read ("Cloud sync"), translatable
    target_model: ClassVar[type[models.Model] | None] = None  # what Run.target_id points to (None: nothing)
    backup: ClassVar[bool] = False  # a success copies people's files off this server (dry runs excepted)
    scheduled: ClassVar[bool] = False  # its targets carry schedule fields mirrored into django-q2
    drill: ClassVar[bool] = False  # a restore drill of a backup kind's target (anemone.drills): proves a copy restores
    default_options: ClassVar[dict[str, Any]] = {}  # stored on every run of the kind unless the request says
    target_page: ClassVar[str] = ""  # URL name of a target's page (takes its pk), where alerts and dashboards link

    def body(self, run: Run, tracker: Tracker) -> Outcome:
        """Do the work; report how it went. Raise StepError for a failure with a named step and a hint."""
        raise NotImplementedError

    def precheck(self, run: Run) -> str | dict[str, Any] | None:
        """A reason to skip this run before any work (USB: the drive is absent), or None to go on.

        The reason is a message (``anemone.runs.messages.msg(code, **params)``), stored as the skipped run's
        message_code/message_params so each reader sees it in their language; a plain str is still accepted
        (stored as text, shown as is)."""
        return None

    def prepare(self, run: Run, target: Any) -> None:
        """Called once the queued Run exists and before a worker sees it (a refused start changes nothing)."""

    def label_for(self, target: Any) -> str:
        """The target's name as runs list it (kept on the Run: it outlives a removed target)."""
        return str(getattr(target, "name", "") or target or "")

    def page(self, target_id: int) -> str:
        """The path of the target's page ("" when the kind has none)."""
        from django.urls import reverse

        return reverse(self.target_page, args=[target_id]) if self.target_page else ""

    def load(self, target_id: int) -> Any:
        """The target of a run or schedule, or None when it was removed."""
        if self.target_model is None:
            return None
        return self.target_model._default_manager.filter(pk=target_id).first()

    def targets(self) -> list[Any]:
        """Every target of this kind (for re-syncing schedules); empty for kinds without a target."""
        if self.target_model is None or not self.scheduled:
            return []
        return list(self.target_model._default_manager.all())

    def is_schedulable(self, target: Any) -> bool:
        """Whether the target's schedule should fire (BackupTarget: enabled, and P2P: its peer enabled)."""
        check = getattr(target, "is_schedulable", None)
        return bool(check()) if callable(check) else bool(getattr(target, "enabled", True))

    def __repr__(self) -> str:
        return f"<RunKind {self.name}>"


_KINDS: dict[str, RunKind] = {}


def register(kind: RunKind) -> RunKind:
    """Declare a kind (from an AppConfig.ready()). Registering the same name twice is a programming error."""
    existing = _KINDS.get(kind.name)
    if existing is not None and type(existing) is not type(kind):
        raise ValueError(f"run kind {kind.name!r} is already registered by {type(existing).__name__}")
    _KINDS[kind.name] = kind
    return kind


def unregister(name: str) -> None:
    """For tests that declare a throwaway kind."""
    _KINDS.pop(name, None)


def get(name: str) -> RunKind:
    return _KINDS[name]


def all_kinds() -> list[RunKind]:
    return list(_KINDS.values())


def backup_kinds() -> list[RunKind]:
    """The kinds whose runs are backups (cloud sync, P2P backup, USB backup)."""
    return [kind for kind in _KINDS.values() if kind.backup]


def drill_kinds() -> list[RunKind]:
    """The restore-drill kinds ("cloud-drill", "p2p-drill", "usb-drill"), one per backup kind that has one."""
    return [kind for kind in _KINDS.values() if kind.drill]


def scheduled_kinds() -> list[RunKind]:
    return [kind for kind in _KINDS.values() if kind.scheduled]


def choices() -> list[tuple[str, str]]:
    """Run.kind's choices: the registered kinds with their labels (a callable, so apps can add kinds)."""
    return [(kind.name, str(kind.label)) for kind in _KINDS.values()]


def label(name: str) -> str:
    kind = _KINDS.get(name)
    return str(kind.label) if kind else name
