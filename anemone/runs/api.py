"""Runs in the API: read-only, scoped to what the caller may see.

Every endpoint that returns a run (this one, and each app's `sync/`, `restore/` or target detail) uses
RunSerializer, which renders the run as ``privacy.run_view_for(caller, run)``: a person gets only their own
items, and the run-wide message, log tail, current item and counters only when they are theirs.
"""

from __future__ import annotations

from typing import Any

import django_filters as filters
import django_filters.rest_framework  # noqa: F401  (filters.rest_framework)
from django.urls import path
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from anemone.api.errors import ConflictSerializer
from anemone.api.me import MySafetyView
from anemone.runs import privacy, registry, services
from anemone.runs.models import Run, RunItem, RunStatus, Trigger


class RunItemSerializer(serializers.ModelSerializer):
    username = serializers.CharField(source="user.username", default=None, read_only=True)
    # In the request's language; message_code + message_params are the same message for scripts.
    message = serializers.CharField(source="shown_message", read_only=True)

    class Meta:
        model = RunItem
        fields = ["id", "username", "label", "status", "files", "bytes", "errors", "stats", "message",
                  "message_code", "message_params", "started_at", "finished_at"]


class RunSerializer(serializers.ModelSerializer):
    items = serializers.SerializerMethodField()
    duration_seconds = serializers.FloatField(read_only=True, allow_null=True)

    class Meta:
        model = Run
        fields = ["id", "kind", "target_id", "target_label", "trigger", "status", "queued_at", "started_at",
                  "finished_at", "duration_seconds", "files_done", "files_total", "bytes_done", "bytes_total",
                  "percent", "current_item", "progress_updated_at", "message", "message_code", "message_params", "log_tail",
                  "items"]

    def to_representation(self, instance: Run | privacy.RunView) -> dict:
        """Render what the caller may see of the run (the one rule of runs.privacy)."""
        return super().to_representation(privacy.run_view_for(self._viewer(), instance))

    def _viewer(self):
        request = self.context.get("request")
        return getattr(request, "user", None)

    @extend_schema_field(RunItemSerializer(many=True))
    def get_items(self, run: privacy.RunView) -> list[dict]:
        return RunItemSerializer(run.items, many=True).data


class RunFilter(filters.FilterSet):
    """`?kind=cloud&status=failed&trigger=schedule&target_id=3`: an unknown value is a 400 naming the parameter,
    never an empty list that looks like "no failures"."""

    kind = filters.ChoiceFilter(choices=registry.choices)
    status = filters.ChoiceFilter(choices=RunStatus.choices)
    trigger = filters.ChoiceFilter(choices=Trigger.choices)

    class Meta:
        model = Run
        fields = ["kind", "status", "trigger", "target_id"]


class RunViewSet(viewsets.ReadOnlyModelViewSet):
    """Runs (backups, syncs, purges). Admins see all; a user sees the runs that concern them."""

    serializer_class = RunSerializer
    queryset = Run.objects.none()  # typed for the schema; get_queryset scopes to the caller
    filter_backends = [filters.rest_framework.DjangoFilterBackend]
    filterset_class = RunFilter

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Run.objects.none()
        return services.visible_runs(self.request.user).prefetch_related("items__user")


class BackupNowMixin:
    """``POST .../{id}/sync/`` for a backup target's viewset: 202 with the queued run, 409 (with the active
    run's id) while one is queued or running. The viewset sets ``run_kind`` and, when the request takes
    options, ``sync_request_serializer`` (its validated data are the run's options; ``sync_options`` may
    check them against the target)."""

    run_kind: str
    sync_request_serializer: type[serializers.Serializer] | None = None

    def sync_options(self, target: Any, data: dict[str, Any]) -> dict[str, Any]:
        return dict(data)

    def busy_detail(self, target: Any) -> str:
        return _("A run of %(target)s is already queued or running.") % {"target": target}

    @extend_schema(responses={202: RunSerializer, 409: ConflictSerializer})
    @action(detail=True, methods=["post"])
    def sync(self, request: Request, pk: str | None = None) -> Response:
        """Back up now (202 with the run; 409 when a run of this target is already queued or running)."""
        target = self.get_object()  # type: ignore[attr-defined]
        options: dict[str, Any] = {}
        if self.sync_request_serializer is not None:
            data = self.sync_request_serializer(data=request.data)
            data.is_valid(raise_exception=True)
            options = self.sync_options(target, dict(data.validated_data))
        try:
            run = services.request(self.run_kind, target, trigger=Trigger.API, user=request.user, options=options)
        except services.RunActive as exc:
            active = exc.run.pk if exc.run else None
            detail = self.busy_detail(target) + (_(" (run #%(run)s)") % {"run": active} if active else "")
            return Response({"detail": detail, "run": active}, status=status.HTTP_409_CONFLICT)
        return Response(RunSerializer(run, context={"request": request}).data, status=status.HTTP_202_ACCEPTED)


def register(router) -> None:
    router.register("runs", RunViewSet, basename="run")


urlpatterns = [path("me/safety/", MySafetyView.as_view(), name="api-me-safety")]  # "how safe are my files"
