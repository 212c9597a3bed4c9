"""Audit entries that are not a plain model save, the retention purge, and the one filtered query that the
page and the API share."""

from __future__ import annotations

import logging
from datetime import date, datetime, time, timedelta
from typing import Any

from auditlog.models import LogEntry
from django.apps import apps
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

log = logging.getLogger(__name__)

# Actions that are not a model save, stored as additional_data["event"] (with the entry's LogEntry action).
EVENTS = {
    "stored_data_deleted": (_("stored data of a peer deleted"), LogEntry.Action.DELETE),
    "bulk_restore_started": (_("bulk restore started"), LogEntry.Action.CREATE),
    "host_key_forgotten": (_("pinned host key forgotten"), LogEntry.Action.UPDATE),
    "account_link_issued": (_("activation or reset link issued"), LogEntry.Action.ACCESS),
    "login_lock_cleared": (_("login lock cleared"), LogEntry.Action.DELETE),
    "two_factor_reset": (_("two-factor login reset"), LogEntry.Action.UPDATE),
}
# What events act on besides the audited models (for the "what" filter).
EVENT_TARGETS = ["peers.IncomingFolder", "axes.AccessAttempt"]
ACTIONS = {"create": LogEntry.Action.CREATE, "update": LogEntry.Action.UPDATE, "delete": LogEntry.Action.DELETE}
ACTION_CODES = {value: code for code, value in ACTIONS.items()}
ACTION_FILTERS = [*ACTIONS, *EVENTS]


def record(event: str, target: models.Model | type[models.Model], *, actor: Any = None, label: str = "", **details: Any) -> LogEntry:
    """Write one audit entry for an action on ``target`` that no model save records. Who and from where come
    from the request or command being served (auditlog's context), unless ``actor`` is given. ``details``
    must be plain JSON values and never a secret. ``label`` names the target when it is gone or unsaved."""
    if event not in EVENTS:
        raise ValueError(f"unknown audit event {event!r}")
    if isinstance(target, type):  # the object is gone (a removed peer's folder): its kind and label say what
        target = target()
    fields: dict[str, Any] = {"action": EVENTS[event][1], "additional_data": {"event": event, **details},
                              "object_pk": str(target.pk if target.pk is not None else label)}
    if label:
        fields["object_repr"] = label
    if actor is not None and getattr(actor, "is_authenticated", False):
        fields["actor"] = actor
        fields["actor_email"] = actor.email or None
    entry = LogEntry.objects.log_create(target, force_log=True, **fields)
    assert entry is not None  # force_log always writes
    return entry


def purge_expired(days: int | None = None) -> int:
    """The daily system job: delete entries older than ANEMONE_AUDIT_KEEP_DAYS. Returns how many went."""
    keep = days if days is not None else settings.ANEMONE_AUDIT_KEEP_DAYS
    deleted, _by_model = LogEntry.objects.filter(timestamp__lt=timezone.now() - timedelta(days=keep)).delete()
    if deleted:
        log.info("audit log: %s entries older than %s days deleted", deleted, keep)
    return deleted


def audited_types() -> list[ContentType]:
    """The kinds of object the log records (for the "what" filter), by their name in the reader's language."""
    from auditlog.registry import auditlog

    types = ContentType.objects.get_for_models(*auditlog.get_models(), *_event_models()).values()
    return sorted(types, key=type_name)


def audited_keys() -> list[str]:
    """``app_label.model`` of each audited model (no database query: usable as the API module loads)."""
    from auditlog.registry import auditlog

    return sorted(f"{model._meta.app_label}.{model._meta.model_name}"
                  for model in [*auditlog.get_models(), *_event_models()])


def _event_models() -> list[type[models.Model]]:
    found = []
    for label in EVENT_TARGETS:
        try:
            found.append(apps.get_model(label))
        except LookupError:  # that app is not installed here
            continue
    return found


def type_name(content_type: ContentType) -> str:
    """"Destination", "User"...: the model's name in the reader's language. Through gettext once more: a model
    without a verbose_name of its own (accounts.User) has a plain "user", which Django's catalogues translate."""
    model = content_type.model_class()
    return capfirst(gettext(str(model._meta.verbose_name))) if model is not None else content_type.model


def type_key(content_type: ContentType) -> str:
    return f"{content_type.app_label}.{content_type.model}"


def action_choices() -> list[tuple[str, str]]:
    """Every action the filters offer, in the reader's language."""
    return [("create", str(_("created"))), ("update", str(_("changed"))), ("delete", str(_("deleted")))] + \
        [(code, str(label)) for code, (label, _action) in EVENTS.items()]


def entries(base: QuerySet[LogEntry] | None = None, *, who: str = "", kind: str = "", action: str = "", since: date | None = None,
            until: date | None = None, text: str = "") -> QuerySet[LogEntry]:
    """The log, newest first, narrowed by each filter given (the portal page and the API read this)."""
    result = (LogEntry.objects.all() if base is None else base).select_related("actor", "content_type")
    result = result.order_by("-timestamp", "-pk")
    if who:
        result = result.filter(Q(actor__username__iexact=who) | Q(additional_data__actor_username=who)
                               | Q(actor_email__icontains=who))
    if kind:
        app_label, _dot, model = kind.partition(".")
        result = result.filter(content_type__app_label=app_label, content_type__model=model)
    if action in ACTIONS:  # a plain save (an event has an action too: a bulk restore is a "create")
        plain = Q(additional_data__isnull=True) | Q(additional_data__event__isnull=True)
        result = result.filter(plain, action=ACTIONS[action])
    elif action:
        result = result.filter(additional_data__event=action)
    zone = timezone.get_current_timezone()
    if since:
        result = result.filter(timestamp__gte=datetime.combine(since, time.min, tzinfo=zone))
    if until:
        result = result.filter(timestamp__lt=datetime.combine(until + timedelta(days=1), time.min, tzinfo=zone))
    if text:
        result = result.filter(Q(object_repr__icontains=text) | Q(changes__icontains=text)
                               | Q(additional_data__icontains=text) | Q(actor__username__icontains=text)
                               | Q(actor_email__icontains=text) | Q(remote_addr__icontains=text))
    return result


# Kept in additional_data: auditlog's actor link is emptied when that account is deleted (and keeps only the
# e-mail, which the first admin may not have), and who acted must outlive the account.
ACTOR_KEY = "actor_username"
INTERNAL_KEYS = {"event", ACTOR_KEY}


def remember_actor(sender: Any, instance: LogEntry, created: bool, **kwargs: Any) -> None:
    """post_save of LogEntry: the actor's username, once the entry has its final actor."""
    if not created or instance.actor_id is None or instance.actor is None:
        return
    data = dict(instance.additional_data) if isinstance(instance.additional_data, dict) else {}
    data[ACTOR_KEY] = instance.actor.username
    instance.additional_data = data
    LogEntry.objects.filter(pk=instance.pk).update(additional_data=data)


def details(entry: LogEntry) -> dict[str, Any]:
    """What an event adds (the folder, the run, the people...), without the keys kept for the log itself."""
    data = entry.additional_data if isinstance(entry.additional_data, dict) else {}
    return {key: value for key, value in data.items() if key not in INTERNAL_KEYS}


def actor_label(entry: LogEntry) -> str:
    """Who acted: the person's username (still there after their account is deleted), or the command
    (``cli: ...``), or "system"."""
    if entry.actor_id is not None and entry.actor is not None:
        return entry.actor.username
    data = entry.additional_data if isinstance(entry.additional_data, dict) else {}
    return data.get(ACTOR_KEY) or entry.actor_email or str(_("system"))


def event_code(entry: LogEntry) -> str:
    """The entry's action as the filters name it: create / update / delete, or the event's code."""
    data = entry.additional_data if isinstance(entry.additional_data, dict) else {}
    return data.get("event") or ACTION_CODES.get(entry.action, "access")


def event_label(entry: LogEntry) -> str:
    return str(dict(action_choices()).get(event_code(entry), entry.get_action_display()))


def changes(entry: LogEntry) -> list[tuple[str, str, str]]:
    """(field, before, after) in words; m2m changes as "added"/"removed" lists; masked secrets stay masked."""
    rows = []
    try:
        shown = entry.changes_display_dict
    except Exception:  # the model is gone (an app removed): the raw values still say what changed
        shown = entry.changes_dict
    for field, values in shown.items():
        if isinstance(values, dict):  # m2m: {"type": "m2m", "operation": "add", "objects": [...]}
            rows.append((field, str(values.get("operation", "")), ", ".join(map(str, values.get("objects", [])))))
        else:
            before, after = (_plain(value) for value in (list(values) + ["", ""])[:2])
            if before != after:  # a field created empty ("None" → "") says nothing
                rows.append((field, before, after))
    return rows


def _plain(value: Any) -> str:
    return "—" if value in (None, "", "None") else str(value)
