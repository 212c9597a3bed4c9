"""Run messages as data: a code + parameters, rendered in the reader's language when shown.

A run body stores ``message_code`` and ``message_params`` on its Run or RunItem; pages, the API and the CLI
call ``render`` at display time, so a French reader gets French whatever language the worker had. The
``message`` text column keeps the English rendering: the fallback for rows older than the codes, and for logs.

Codes are ``<app label>.<name>``. Core's are in ``CATALOGUE`` below; an app's live in its ``hints`` module
(``MESSAGES``, a dict of the same shape), looked up by the app label, so core imports no kind. A parameter
that is itself a message (``{"code": ..., "params": ...}``) or a list of them is rendered first; a template may be
a plural (``ngettext_lazy(..., "count")``), its form picked by that parameter.
"""

from __future__ import annotations

import importlib
import logging
from typing import Any

from django.apps import apps
from django.template.defaultfilters import filesizeformat
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

log = logging.getLogger(__name__)

CATALOGUE: dict[str, Any] = {
    "runs.lines": "%(lines)s",
    # Counts, for use inside another message's parameters (each language has its own plural forms).
    "runs.people": ngettext_lazy("%(count)s person", "%(count)s people", "count"),
    "runs.files": ngettext_lazy("%(count)s file", "%(count)s files", "count"),
    "runs.size": lambda bytes: filesizeformat(bytes),  # "120 bytes", "1.2 GB", "1,2 Go": a function, not a text
    "runs.joined": "%(first)s; %(second)s",  # parts of one line (see joined)
    # Schedules (anemone.runs.schedules.describe_message): what a stored checklist or summary says of one.
    "runs.schedule_interval": _("every %(minutes)s min"),
    "runs.schedule_daily": _("daily at %(time)s"),
    "runs.schedule_weekly": _("weekly on %(day)s at %(time)s"),
    "runs.schedule_monthly": _("monthly on day %(day)s at %(time)s"),
    "runs.schedule_manual": _("manual only"),
    "runs.weekday": lambda day: _weekday(day),
    "runs.status": lambda status: _status(status),
    "runs.when": lambda iso: _when(iso),
    "runs.kind": lambda name: _kind(name),  # a run kind's label ("Cloud sync", "Synchronisation cloud")  # a moment, in the reader's date format and the server's time zone  # a run's status label ("succeeded", "réussi")
    "runs.text": "%(text)s",
    "runs.step_error": _("%(step)s: %(message)s"),
    "runs.step_error_hint": _("%(step)s: %(message)s — %(hint)s"),
    "runs.unexpected_error": _("Unexpected error: %(error)s. The log tail has details."),
    "runs.interrupted_worker": _("Interrupted: The worker running it stopped (killed or crashed) before it "
                                 "finished. The next run resumes from what was already saved."),
    "runs.interrupted_never_picked": _("Interrupted: It was never picked up by a worker. The next run resumes "
                                       "from what was already saved."),
    "runs.interrupted_database": _("Interrupted: the connection to the database was lost during the run (was "
                                   "PostgreSQL restarted?). The next run resumes from what was already saved."),
}


def _kind(name: str) -> str:
    from anemone.runs import registry

    return registry.label(name)


def _when(iso: str) -> str:
    from django.utils import formats, timezone
    from django.utils.dateparse import parse_datetime

    moment = parse_datetime(iso)
    return formats.date_format(timezone.localtime(moment), "DATETIME_FORMAT") if moment else iso


def _weekday(day: int) -> str:
    from anemone.runs.models import WEEKDAYS

    return str(WEEKDAYS[int(day)]) if 0 <= int(day) < len(WEEKDAYS) else str(day)


def _status(status: str) -> str:
    from anemone.runs.models import RunStatus

    return str(RunStatus(status).label) if status in RunStatus.values else status


def msg(code: str, **params: Any) -> dict[str, Any]:
    """A message as stored inside another message's parameters."""
    return {"code": code, "params": params}


def lines(*parts: dict[str, Any]) -> dict[str, Any]:
    """Several messages shown one per line (e.g. a summary and the errors under it)."""
    return msg("runs.lines", lines=list(parts))


def joined(parts: list[dict[str, Any]]) -> dict[str, Any]:
    """Several messages on one line, separated by "; " (a list in ``lines`` puts each on its own line)."""
    together = parts[0]
    for part in parts[1:]:
        together = msg("runs.joined", first=together, second=part)
    return together


def _table(code: str) -> dict[str, Any]:
    label = code.partition(".")[0]
    if label == "runs":
        return CATALOGUE
    try:
        config = apps.get_app_config(label)
        return getattr(importlib.import_module(f"{config.name}.hints"), "MESSAGES", {})
    except (LookupError, ImportError):
        return {}


def _param(value: Any) -> Any:
    if isinstance(value, dict) and "code" in value:
        return render(value["code"], value.get("params") or {})
    if isinstance(value, list) and all(isinstance(v, dict) and "code" in v for v in value):
        return "\n".join(str(_param(v)) for v in value)
    return value


def render(code: str, params: dict[str, Any] | None = None) -> str:
    """The message in the active language; an unknown code shows its parameters rather than nothing."""
    params = {name: _param(value) for name, value in (params or {}).items()}
    template = _table(code).get(code)
    if template is None:
        log.warning("unknown run message code %r", code)
        return " ".join(str(v) for v in params.values()) or code
    if callable(template):
        return str(template(**params))
    try:
        return str(template % params)  # not str(template) first: a plural (ngettext_lazy) picks its form here
    except (KeyError, TypeError, ValueError):
        log.warning("run message %r does not match its parameters %r", code, sorted(params))
        return str(template)


def english(code: str, params: dict[str, Any] | None = None) -> str:
    """The English rendering stored in the ``message`` column (fallback and logs)."""
    with translation.override("en"):
        return render(code, params)


def shown(row: Any) -> str:
    """What a Run or RunItem says, in the reader's language: its code when it has one, else its old text."""
    code = getattr(row, "message_code", "")
    return render(code, row.message_params) if code else row.message
