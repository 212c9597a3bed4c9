"""Runs in the API: read-only, scoped to what the caller may see."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers, viewsets

from anemone.runs import services
from anemone.runs.models import Run, RunItem


class RunItemSerializer(serializers.ModelSerializer):
    username = serializers.CharField(source="user.username", default=None, read_only=True)

    class Meta:
        model = RunItem
        fields = ["id", "username", "label", "status", "files", "bytes", "errors", "stats", "message",
                  "started_at", "finished_at"]


class RunSerializer(serializers.ModelSerializer):
    items = serializers.SerializerMethodField()
    duration_seconds = serializers.FloatField(read_only=True, allow_null=True)

    class Meta:
        model = Run
        fields = ["id", "kind", "target_id", "target_label", "trigger", "status", "queued_at", "started_at",
                  "finished_at", "duration_seconds", "files_done", "files_total", "bytes_done", "bytes_total",
                  "percent", "current_item", "progress_updated_at", "message", "log_tail", "items"]

    @extend_schema_field(RunItemSerializer(many=True))
    def get_items(self, run: Run) -> list[dict]:  # type: ignore[type-arg]
        user = self.context["request"].user
        items = run.items.all() if user.is_staff else run.items.filter(user=user)
        return RunItemSerializer(items, many=True).data  # type: ignore[return-value]


class RunViewSet(viewsets.ReadOnlyModelViewSet):
    """Runs (backups, syncs, purges). Admins see all; a user sees the runs that concern them."""

    serializer_class = RunSerializer
    queryset = Run.objects.none()  # typed for the schema; get_queryset scopes to the caller

    def get_queryset(self):  # type: ignore[no-untyped-def]
        if getattr(self, "swagger_fake_view", False):
            return Run.objects.none()
        queryset = services.visible_runs(self.request.user).prefetch_related("items__user")
        for name in ("kind", "status"):
            if value := self.request.query_params.get(name):
                queryset = queryset.filter(**{name: value})
        return queryset


def register(router) -> None:  # type: ignore[no-untyped-def]
    router.register("runs", RunViewSet, basename="run")
