"""Cloud destinations in the API (admins), with `sync/` and `test/` actions; restore for everyone."""

from __future__ import annotations

import django_filters as filters
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError as DjangoValidationError
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view, inline_serializer
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from anemone.api import filters as api_filters
from anemone.api.errors import ConflictSerializer
from anemone.api.permissions import IsAdmin
from anemone.drills.api import DrillNowMixin
from anemone.runs.api import BackupNowMixin, RunSerializer
from anemone.runs.models import Trigger
from cloudbackup import connection, kinds, restore, services
from cloudbackup.models import Destination, Kind


class DestinationSerializer(serializers.ModelSerializer):
    """Secrets are write-only: the API says whether each is set, never what it is."""

    password = serializers.CharField(write_only=True, required=False, allow_blank=True, trim_whitespace=False)
    secret = serializers.CharField(write_only=True, required=False, allow_blank=True, trim_whitespace=False)
    crypt_password = serializers.CharField(write_only=True, required=False, allow_blank=True, trim_whitespace=False)
    secrets_set = serializers.SerializerMethodField()
    users = serializers.SlugRelatedField(many=True, slug_field="username", required=False,
                                         queryset=get_user_model().objects.all())

    class Meta:
        model = Destination
        fields = ["id", "name", "kind", "enabled", "carry_everyone", "users", "remote_path", "bandwidth_limit", "retention_days",
                  "schedule_kind", "schedule_interval_minutes", "schedule_time", "schedule_weekday",
                  "schedule_monthday", "host", "port", "username", "key_path", "provider", "endpoint", "region",
                  "bucket", "access_key", "url", "vendor", "remote_name", "host_key", "password", "secret",
                  "crypt_password", "secrets_set"]
        read_only_fields = ["host_key"]

    def validate(self, attrs):
        """What the chosen kind needs, named on each missing field (a PATCH keeps the stored values)."""
        kind = attrs.get("kind", getattr(self.instance, "kind", Kind.SFTP))
        missing = services.missing_fields(kind, lambda name: attrs.get(name, getattr(self.instance, name, "")))
        if missing:
            raise serializers.ValidationError({name: ["Required for this kind of destination."] for name in missing})
        return attrs

    def get_secrets_set(self, dest: Destination) -> dict[str, bool]:
        return services.secret_state(dest)

    def save(self, **kwargs):
        data = dict(self.validated_data)
        secrets = {name: data.pop(name, None) for name in services.SECRET_FIELDS}
        users = data.pop("users", None)
        carry_everyone = data.pop("carry_everyone", None)
        dest = self.instance or Destination()
        for field, value in data.items():
            setattr(dest, field, value)
        try:
            self.instance = services.save_destination(dest, secrets=secrets, users=users, carry_everyone=carry_everyone)
        except services.DestinationInvalid as exc:
            raise serializers.ValidationError({"detail": str(exc)}) from exc
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.message_dict if hasattr(exc, "error_dict") else exc.messages) from exc
        return self.instance


TestResultSerializer = inline_serializer("ConnectionTest", {
    "ok": serializers.BooleanField(), "outcome": serializers.CharField(), "message": serializers.CharField()})


class SyncRequestSerializer(serializers.Serializer):
    dry_run = serializers.BooleanField(required=False, default=False, help_text="show what would be copied and deleted")
    recreate_remote = serializers.BooleanField(
        required=False, default=False,
        help_text="the destination folder is gone or empty on purpose: start again there (a sync otherwise stops)")


class DestinationFilter(filters.FilterSet):
    """`?enabled=true&kind=s3&name=off`: an unknown kind or a value that is not true/false is a 400 naming
    the parameter."""

    enabled = api_filters.BooleanFilter()
    kind = filters.ChoiceFilter(choices=Kind.choices)
    name = filters.CharFilter(lookup_expr="icontains", help_text="part of the name, any case")

    class Meta:
        model = Destination
        fields = ["enabled", "kind", "name"]


@extend_schema_view(sync=extend_schema(request=SyncRequestSerializer))
class DestinationViewSet(BackupNowMixin, DrillNowMixin, viewsets.ModelViewSet):
    queryset = Destination.objects.all()
    serializer_class = DestinationSerializer
    permission_classes = [IsAdmin]
    filter_backends = api_filters.BACKENDS
    filterset_class = DestinationFilter
    run_kind = kinds.CloudSync.name
    sync_request_serializer = SyncRequestSerializer

    def perform_destroy(self, instance: Destination) -> None:
        services.delete_destination(instance)

    @extend_schema(request=None, responses=TestResultSerializer)
    @action(detail=True, methods=["post"])
    def test(self, request: Request, pk: str | None = None) -> Response:
        """Test the connection: list, write and delete a probe file; pins the host key on first use."""
        result = connection.test_connection(self.get_object())
        return Response({"ok": result.ok, "outcome": result.outcome, "message": result.message})


    @extend_schema(request=None, responses={204: None})
    @action(detail=True, methods=["post"], url_path="forget-host-key")
    def forget_host_key(self, request: Request, pk: str | None = None) -> Response:
        """Forget the pinned SSH host key (server reinstalled); the next `test/` pins the new one."""
        services.forget_host_key(self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


class RestoreRequestSerializer(serializers.Serializer):
    destination = serializers.CharField(help_text="destination name")
    path = serializers.CharField(required=False, allow_blank=True, default="", trim_whitespace=False)
    version = serializers.CharField(required=False, allow_blank=True, default="")
    username = serializers.CharField(required=False, help_text="admins only: restore for this person")


class CloudRestoreView(APIView):
    @extend_schema(parameters=[OpenApiParameter("destination", str, description="destination name"),
                               OpenApiParameter("username", str, required=False, description="admins only")],
                   responses=inline_serializer("CloudVersions", {"versions": serializers.ListField(child=serializers.CharField())}))
    def get(self, request: Request) -> Response:
        """Version times (newest first) kept for you under .versions/ on a destination: the `version` to restore."""
        person, dest = self._person_and_destination(request, request.query_params)
        if dest is None:
            return Response({"detail": _("This destination does not carry your files.")}, status=status.HTTP_404_NOT_FOUND)
        return Response({"versions": restore.versions(dest, person)})

    def _person_and_destination(self, request: Request, data) -> tuple:
        person = request.user
        if data.get("username") and request.user.is_staff:
            person = get_object_or_404(get_user_model(), username=data["username"])
        dest = get_object_or_404(Destination, name=data.get("destination", ""))
        return person, dest if dest.carries(person) else None

    @extend_schema(request=RestoreRequestSerializer, responses={202: RunSerializer, 409: ConflictSerializer})
    def post(self, request: Request) -> Response:
        """Restore a path (or a version) of your backup area back to its own place in backup/ (a file changed
        since stays, the restored one lands beside it as "name (restored <date>).ext"). The run fails with
        "not in this copy" when the path is not on the destination; its message says where files went."""
        data = RestoreRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        person, dest = self._person_and_destination(request, data.validated_data)
        if dest is None:
            return Response({"detail": _("This destination does not carry your files.")}, status=status.HTTP_404_NOT_FOUND)
        run = restore.request_restore(dest, person, path=data.validated_data["path"],
                                      version=data.validated_data["version"], requested_by=request.user,
                                      trigger=Trigger.API)
        return Response(RunSerializer(run, context={"request": request}).data, status=status.HTTP_202_ACCEPTED)


def register(router) -> None:
    router.register("cloud/destinations", DestinationViewSet, basename="cloud-destination")


from django.urls import path  # noqa: E402

urlpatterns = [path("cloud-restore/", CloudRestoreView.as_view(), name="api-cloud-restore")]
