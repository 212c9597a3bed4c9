"""USB in the API (admins only): `usb/drives/` (+ `eject/`), `usb/backups/` (+ `sync/`, `snapshots/`)."""

from __future__ import annotations

import django_filters as filters
from django.core.exceptions import ValidationError as DjangoValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view, inline_serializer
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from anemone.api import filters as api_filters
from anemone.api.errors import ErrorSerializer
from anemone.api.permissions import IsAdmin
from anemone.drills.api import DrillNowMixin
from anemone.runs.api import BackupNowMixin
from usbbackup import detection, eject, kinds, repo, services
from usbbackup.models import Scope, UsbBackup


class DriveSerializer(serializers.Serializer):
    mount_point = serializers.CharField()
    device = serializers.CharField()
    fstype = serializers.CharField()
    label = serializers.CharField()
    uuid = serializers.CharField()
    identity = serializers.CharField()
    size_bytes = serializers.IntegerField()
    free_bytes = serializers.IntegerField()
    read_only = serializers.BooleanField()
    has_backup = serializers.BooleanField()
    backup_folders = serializers.ListField(child=serializers.CharField())


class EjectRequestSerializer(serializers.Serializer):
    mount_point = serializers.CharField()


EjectResponse = inline_serializer("UsbEjectResult", {
    "mount_point": serializers.CharField(), "unmounted": serializers.BooleanField(),
    "powered_off": serializers.BooleanField(), "message": serializers.CharField()})
EjectRefused = inline_serializer("UsbEjectRefused", {
    "detail": serializers.CharField(),
    "holders": inline_serializer("UsbDriveHolder", {"pid": serializers.IntegerField(), "command": serializers.CharField(),
                                                    "path": serializers.CharField()}, many=True)})


class DriveQuerySerializer(serializers.Serializer):
    """`?has_backup=true&read_only=false`: the drives list's filters (a value that is not a boolean is a 400
    naming the parameter)."""

    has_backup = serializers.BooleanField(required=False, allow_null=True, default=None,
                                          help_text="only drives that hold (or do not hold) an Anemone backup")
    read_only = serializers.BooleanField(required=False, allow_null=True, default=None,
                                         help_text="only write-protected (or writable) drives")


class DriveViewSet(viewsets.ViewSet):
    """Drives mounted under the configured roots right now (never the server's own disks)."""

    permission_classes = [IsAdmin]
    serializer_class = DriveSerializer

    @extend_schema(parameters=[DriveQuerySerializer], responses=DriveSerializer(many=True))
    def list(self, request: Request) -> Response:
        query = DriveQuerySerializer(data=request.query_params.dict())  # a dict: absent means "any", not false
        query.is_valid(raise_exception=True)
        drives = [d.as_dict() for d in detection.detect_drives()]
        wanted = {name: value for name, value in query.validated_data.items() if value is not None}
        drives = [d for d in drives if all(d[name] == value for name, value in wanted.items())]
        return Response(DriveSerializer(drives, many=True).data)

    @extend_schema(request=EjectRequestSerializer, responses={200: EjectResponse, 409: OpenApiResponse(
        EjectRefused, description="The drive is busy: `holders` are the processes using it.")})
    @action(detail=False, methods=["post"])
    def eject(self, request: Request) -> Response:
        data = EjectRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        drive = detection.find_mount(data.validated_data["mount_point"])
        if drive is None:
            return Response({"detail": _("No drive is mounted there.")}, status=status.HTTP_404_NOT_FOUND)
        try:
            result = eject.eject(drive)
        except eject.EjectError as exc:
            return Response({"detail": str(exc), "holders": [h.__dict__ for h in exc.holders]},
                            status=status.HTTP_409_CONFLICT)
        return Response({"mount_point": result.mount_point, "unmounted": result.unmounted,
                         "powered_off": result.powered_off, "message": result.message})


class UsbBackupSerializer(serializers.ModelSerializer):
    users = serializers.SlugRelatedField(slug_field="username", many=True, required=False,
                                         queryset=services.eligible_users())
    drive_mount_point = serializers.CharField(write_only=True, required=False,
                                              help_text="Bind the job to the drive mounted here now.")
    drive_present = serializers.SerializerMethodField()
    accept_over_free = serializers.BooleanField(
        write_only=True, required=False, default=False,
        help_text="Save even though the estimated first backup is larger than the drive's free space.")

    class Meta:
        model = UsbBackup
        fields = ["id", "name", "enabled", "drive_uuid", "drive_label", "drive_path", "drive_mount_point",
                  "drive_present", "accept_over_free", "folder", "scope", "users", "include_backup_area", "include_data_area",
                  "schedule_kind", "schedule_interval_minutes", "schedule_time", "schedule_weekday",
                  "schedule_monthday", "keep_last", "keep_daily", "keep_weekly", "keep_monthly",
                  "last_mount_point", "last_seen_at", "created_at", "updated_at"]
        read_only_fields = ["drive_uuid", "drive_label", "drive_path", "last_mount_point", "last_seen_at"]

    def get_drive_present(self, job: UsbBackup) -> bool:
        return detection.find_drive(job, self.context.get("drives")) is not None

    def validate(self, attrs: dict) -> dict:
        mount = attrs.pop("drive_mount_point", None)
        if mount is not None:
            drive = detection.find_mount(mount)
            if drive is None or drive.read_only:
                raise serializers.ValidationError({"drive_mount_point": "No writable drive is mounted there."})
            attrs["_drive"] = drive
        elif self.instance is None:
            raise serializers.ValidationError({"drive_mount_point": "Give the mount point of the drive."})
        scope = attrs.get("scope", getattr(self.instance, "scope", None))
        users = attrs.get("users", list(self.instance.users.all()) if self.instance else [])
        if scope == Scope.CONFIG_USERS and not users:
            raise serializers.ValidationError({"users": "Choose at least one person, or scope 'config'."})
        self.check_fits(attrs, users if scope == Scope.CONFIG_USERS else [])
        return attrs

    def check_fits(self, attrs: dict, users: list) -> None:
        """The portal form's rule: a first backup bigger than the free space needs an explicit yes."""
        if attrs.pop("accept_over_free", False):
            return
        current = self.instance or UsbBackup()
        areas = [area for area, name in (("backup", "include_backup_area"), ("data", "include_data_area"))
                 if attrs.get(name, getattr(current, name))]
        drive = attrs.get("_drive") or (detection.find_drive(self.instance) if self.instance else None)
        estimate = services.estimate(users, areas, drive)
        if not estimate.fits:
            raise serializers.ValidationError({"accept_over_free": (
                f"About {filesizeformat(estimate.total_bytes)} to write but only "
                f"{filesizeformat(estimate.free_bytes or 0)} free on the drive: back up fewer people or areas, "
                "or set accept_over_free to save anyway.")})

    def save_job(self, job: UsbBackup, attrs: dict) -> UsbBackup:
        users = attrs.pop("users", None)
        drive = attrs.pop("_drive", None)
        for name, value in attrs.items():
            setattr(job, name, value)
        if drive is not None:
            services.set_drive(job, drive)
        try:
            return services.save_job(job, users=users)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.message_dict) from exc

    def create(self, validated_data: dict) -> UsbBackup:
        return self.save_job(UsbBackup(), validated_data)

    def update(self, instance: UsbBackup, validated_data: dict) -> UsbBackup:
        return self.save_job(instance, validated_data)


class SnapshotSerializer(serializers.Serializer):
    id = serializers.CharField()
    short_id = serializers.CharField()
    time = serializers.CharField()
    tags = serializers.ListField(child=serializers.CharField())
    paths = serializers.ListField(child=serializers.CharField())


class UsbBackupFilter(filters.FilterSet):
    """`?enabled=true&scope=config_users&name=draw`: an unknown scope or a value that is not true/false is a
    400 naming the parameter."""

    enabled = api_filters.BooleanFilter()
    scope = filters.ChoiceFilter(choices=Scope.choices)
    name = filters.CharFilter(lookup_expr="icontains", help_text="part of the name, any case")

    class Meta:
        model = UsbBackup
        fields = ["enabled", "scope", "name"]


@extend_schema_view(sync=extend_schema(request=None))
class UsbBackupViewSet(BackupNowMixin, DrillNowMixin, viewsets.ModelViewSet):
    """USB backup jobs. `sync/` queues a run (202; 409 if one is active); a run without its drive is skipped."""

    permission_classes = [IsAdmin]
    serializer_class = UsbBackupSerializer
    queryset = UsbBackup.objects.prefetch_related("users")
    filter_backends = api_filters.BACKENDS
    filterset_class = UsbBackupFilter

    def get_serializer_context(self) -> dict:
        context = super().get_serializer_context()
        if self.action in ("list", "retrieve"):
            context["drives"] = detection.detect_drives()
        return context

    def perform_destroy(self, instance: UsbBackup) -> None:
        services.delete_job(instance)

    run_kind = kinds.UsbBackupKind.name

    @extend_schema(request=None, responses={
        200: SnapshotSerializer(many=True),
        409: OpenApiResponse(ErrorSerializer, description="The drive of this job is not plugged in."),
        502: OpenApiResponse(ErrorSerializer, description="restic could not read the repository on the drive.")})
    @action(detail=True, methods=["get"], pagination_class=None)  # a plain list, as the schema now says too
    def snapshots(self, request: Request, pk: str | None = None) -> Response:
        """The job's snapshots on its drive (409 when the drive is not plugged in)."""
        job = self.get_object()
        drive = detection.find_drive(job)
        if drive is None:
            return Response({"detail": _("The drive of this job is not plugged in.")}, status=status.HTTP_409_CONFLICT)
        try:
            found = repo.list_snapshots(job, drive)
        except repo.RepoError as exc:
            return Response({"detail": str(exc)}, status=status.HTTP_502_BAD_GATEWAY)
        return Response(SnapshotSerializer(found, many=True).data)


def register(router) -> None:
    router.register("usb/drives", DriveViewSet, basename="usb-drive")
    router.register("usb/backups", UsbBackupViewSet, basename="usb-backup")
