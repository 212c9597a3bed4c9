"""`GET /api/v1/audit/` (admins, read-only, paginated): the audit log with the portal page's filters.

`?who=alice&kind=cloudbackup.destination&action=update&since=2026-01-01&until=2026-01-31&q=bucket`; an
unknown `kind` or `action` is a 400 naming the parameter, never an empty list that reads as "nothing happened".
"""

from __future__ import annotations

from typing import Any

import django_filters as filters
from auditlog.models import LogEntry
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers, viewsets

from anemone.api.filters import BACKENDS
from anemone.api.permissions import IsAdmin
from anemone.audit import services


class AuditEntrySerializer(serializers.ModelSerializer):
    actor = serializers.SerializerMethodField(help_text="username of the person who acted (kept after their "
                                                        "account is deleted), or null")
    actor_label = serializers.SerializerMethodField(help_text="who acted in words: a username, `cli: <command> "
                                                              "(<OS user>)` for a command, or `system`")
    object_type = serializers.SerializerMethodField(help_text="`app_label.model` of the object acted on")
    action = serializers.SerializerMethodField(help_text="create, update, delete, or an event's code")
    action_label = serializers.SerializerMethodField(help_text="the action in the caller's language")
    changes = serializers.SerializerMethodField(help_text="{field: [before, after]}; secrets only as set/not set")
    details = serializers.SerializerMethodField(help_text="what an event adds (e.g. the peer's folder)")

    class Meta:
        model = LogEntry
        fields = ["id", "timestamp", "actor", "actor_label", "remote_addr", "object_type", "object_pk", "object_repr",
                  "action", "action_label", "changes", "details"]

    def get_actor(self, entry: LogEntry) -> str | None:
        data = entry.additional_data if isinstance(entry.additional_data, dict) else {}
        return entry.actor.username if entry.actor is not None else data.get(services.ACTOR_KEY)

    def get_actor_label(self, entry: LogEntry) -> str:
        return services.actor_label(entry)

    def get_object_type(self, entry: LogEntry) -> str:
        return services.type_key(entry.content_type)

    def get_action(self, entry: LogEntry) -> str:
        return services.event_code(entry)

    def get_action_label(self, entry: LogEntry) -> str:
        return services.event_label(entry)

    @extend_schema_field({"type": "object", "additionalProperties": True})
    def get_changes(self, entry: LogEntry) -> dict[str, Any]:
        return entry.changes_dict

    @extend_schema_field({"type": "object", "additionalProperties": True})
    def get_details(self, entry: LogEntry) -> dict[str, Any]:
        return services.details(entry)


class AuditFilter(filters.FilterSet):
    who = filters.CharFilter(help_text="a username, or text of a command's label (`cli`)")
    # Both lists are known once the apps are ready (the URLs, hence this module, load after): enums in the schema.
    kind = filters.ChoiceFilter(choices=[(key, key) for key in services.audited_keys()],
                                help_text="`app_label.model` of the object acted on")
    # field_name: not LogEntry.action (a number), so the schema says string codes, as answered.
    action = filters.ChoiceFilter(choices=[(code, code) for code in services.ACTION_FILTERS], field_name="action_code",
                                  help_text="create, update, delete, or an event's code")
    since = filters.DateFilter(help_text="from this day (server time), included")
    until = filters.DateFilter(help_text="up to this day (server time), included")
    q = filters.CharFilter(help_text="text in the object, the changes, the details or who")

    class Meta:
        model = LogEntry
        fields: list[str] = []

    def filter_queryset(self, queryset):
        """One query for the page and the API: services.entries applies the valid filters."""
        wanted = {("text" if name == "q" else name): value for name, value in self.form.cleaned_data.items() if value}
        return services.entries(queryset, **wanted)


class AuditViewSet(viewsets.ReadOnlyModelViewSet):
    """The audit log of admin actions, newest first (admins; nobody can write it)."""

    serializer_class = AuditEntrySerializer
    permission_classes = [IsAdmin]
    queryset = LogEntry.objects.none()
    filter_backends = BACKENDS
    filterset_class = AuditFilter

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return LogEntry.objects.none()
        return LogEntry.objects.select_related("actor", "content_type")


def register(router) -> None:
    router.register("audit", AuditViewSet, basename="audit")
