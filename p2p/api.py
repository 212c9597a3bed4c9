"""P2P in the API. Admins: `p2p/targets/` (one per peer: list, read, update; `sync/`, `health/`) and
`p2p/bulk-restore/`. Everyone: `p2p/snapshots/` — their own snapshots on a peer, browse, download, restore.

Snapshot endpoints find the target with restore.target_of(person, peer), the owner-scoped lookup the
pages use too: a peer that does not carry the person answers 404. Admins may name another person
with `username`; anyone else naming someone else gets 403.
"""

from __future__ import annotations

import functools
from urllib.parse import quote

import django_filters as filters
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404
from django.urls import path
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import APIException, NotFound, PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from anemone.api import filters as api_filters
from anemone.api.errors import ConflictSerializer, ErrorSerializer
from anemone.api.permissions import IsAdmin
from anemone.drills.api import DrillNowMixin
from anemone.engines import restic
from anemone.runs.api import BackupNowMixin, RunSerializer
from anemone.runs.models import Run, Trigger
from anemone.runs.schedules import describe
from anemone.runs.services import RunActive
from p2p import hints, kinds, restore, services
from p2p.forms import TARGET_FIELDS, people
from p2p.models import PeerTarget
from peers import health
from peers.api import CheckSerializer
from peers.models import Peer


class P2PReciprocitySerializer(serializers.Serializer):
    stored_here_bytes = serializers.IntegerField(help_text="what the peer stores on this server")
    stored_there_bytes = serializers.IntegerField(help_text="raw size of our repositories on the peer")
    last_backup_at = serializers.DateTimeField(allow_null=True)
    stale = serializers.BooleanField(help_text="no backup there for longer than stale_warning_days")


class P2PTargetSerializer(serializers.ModelSerializer):
    """The form's fields; `users` by username (exactly them when `carry_everyone` is off). Saved through
    services.save_target, which re-syncs the schedule."""

    peer = serializers.CharField(source="peer.name", read_only=True)
    users = serializers.SlugRelatedField(many=True, slug_field="username", required=False, queryset=people())
    schedule_description = serializers.SerializerMethodField()
    reciprocity = serializers.SerializerMethodField()
    last_run = serializers.SerializerMethodField()

    class Meta:
        model = PeerTarget
        fields = ["id", "peer", *TARGET_FIELDS, "schedule_description", "reciprocity", "last_run"]

    def get_schedule_description(self, target: PeerTarget) -> str:
        return describe(target)

    @extend_schema_field(P2PReciprocitySerializer)
    def get_reciprocity(self, target: PeerTarget) -> dict:
        return services.reciprocity(target.peer).as_dict()

    @extend_schema_field(RunSerializer(allow_null=True))
    def get_last_run(self, target: PeerTarget) -> dict | None:
        run = services.last_run(target)
        return RunSerializer(run, context=self.context).data if run else None

    def update(self, instance: PeerTarget, validated_data: dict) -> PeerTarget:
        users = validated_data.pop("users", None)
        carry_everyone = validated_data.pop("carry_everyone", None)
        for name, value in validated_data.items():
            setattr(instance, name, value)
        try:
            return services.save_target(instance, users=users, carry_everyone=carry_everyone)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.message_dict if hasattr(exc, "error_dict") else exc.messages) from exc


class P2PSyncRequestSerializer(serializers.Serializer):
    users = serializers.ListField(child=serializers.CharField(), required=False, default=list,
                                  help_text="only these people (default: everyone the target carries)")
    new_history = serializers.ListField(
        child=serializers.CharField(), required=False, default=list,
        help_text="people whose repository vanished at the peer: start a new, empty one for them (their earlier "
                  "snapshots there are gone); without this, such a person's backup fails 'repository missing'")


class P2PTargetFilter(filters.FilterSet):
    """`?peer=friend&enabled=true`: an unknown peer name or a value that is not true/false is a 400 naming
    the parameter."""

    peer = filters.ModelChoiceFilter(queryset=Peer.objects.all(), to_field_name="name", help_text="peer name")
    enabled = api_filters.BooleanFilter()

    class Meta:
        model = PeerTarget
        fields = ["peer", "enabled"]


@extend_schema_view(sync=extend_schema(request=P2PSyncRequestSerializer))
class P2PTargetViewSet(BackupNowMixin, DrillNowMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.UpdateModelMixin,
                       viewsets.GenericViewSet):
    """Targets follow peers (pairing creates, unpairing removes): no create or delete here, and a read
    never creates one."""

    queryset = PeerTarget.objects.select_related("peer")
    serializer_class = P2PTargetSerializer
    permission_classes = [IsAdmin]
    filter_backends = api_filters.BACKENDS
    filterset_class = P2PTargetFilter

    run_kind = kinds.P2PBackup.name
    sync_request_serializer = P2PSyncRequestSerializer

    def busy_detail(self, target: PeerTarget) -> str:
        return _("A backup to %(peer)s is already queued or running.") % {"peer": target.peer.name}

    def sync_options(self, target: PeerTarget, data: dict) -> dict:
        """Only people this target carries; ``new_history`` people are backed up (their new history starts)."""
        _check_carried(target, data["users"])
        _check_carried(target, data["new_history"])
        return {"users": data["users"], **({"new_history": data["new_history"]} if data["new_history"] else {})}

    @extend_schema(responses=CheckSerializer(many=True))
    @action(detail=True, methods=["get", "post"], pagination_class=None)
    def health(self, request: Request, pk: str | None = None) -> Response:
        """The five checks of the peer's checklist (tunnel, endpoint, login, repositories, last backup).
        GET: the last stored result (no network); POST: run them now and store the result."""
        peer = self.get_object().peer
        checks = health.check_now(peer) if request.method == "POST" else health.last_results(peer)
        return Response([check.as_dict() for check in checks])


def _check_carried(target: PeerTarget, usernames: list[str]) -> None:
    """Name the people a target does not carry up front (400), rather than in a failed run later."""
    carried = set(target.carried_users().values_list("username", flat=True))
    if unknown := sorted(set(usernames) - carried):
        raise serializers.ValidationError({"users": [_("not carried by %(peer)s: %(users)s") % {"peer": target.peer.name, "users": ", ".join(unknown)}]})


def _conflict(detail: str, exc: RunActive) -> Response:
    run = exc.run.pk if exc.run else None
    suffix = _(" (run #%(run)s)") % {"run": run} if run else ""
    return Response({"detail": detail + suffix, "run": run}, status=status.HTTP_409_CONFLICT)


class PeerFailed(APIException):
    status_code = status.HTTP_502_BAD_GATEWAY
    default_detail = "The peer could not be read."


PEER_FAILED = OpenApiResponse(ErrorSerializer, description="restic could not read the peer: the detail says what to do.")
RESTORE_ACTIVE = OpenApiResponse(ConflictSerializer, description="A restore of this person (or from this peer) is "
                                                                  "already queued or running: `run` is its id.")


def restic_errors(method):
    """A peer not carrying the person → 404; restic failures → 502 with what to do; a missing snapshot
    or path → 404 with its reason (refused paths are 400 in anemone.api.errors)."""
    @functools.wraps(method)
    def wrapper(self, request: Request, *args, **kwargs):
        try:
            return method(self, request, *args, **kwargs)
        except restore.NotCarried:
            raise NotFound(_("No such peer keeping these backups.")) from None
        except FileNotFoundError as exc:
            raise NotFound(str(exc) or "Not found.") from None
        except restic.RepositoryMissing:
            raise NotFound(_("No backup of this person on this peer yet.")) from None
        except restic.ResticError as exc:
            raise PeerFailed(hints.with_hint(exc)) from exc
    return wrapper


def person_for(request: Request, username: str | None):
    """The caller, or (admins only) the person named by `username`."""
    if not username or username == request.user.username:
        return request.user
    if not request.user.is_staff:
        raise PermissionDenied(_("Only admins may act for another person."))
    return get_object_or_404(get_user_model(), username=username)


class P2PSnapshotQuerySerializer(serializers.Serializer):
    peer = serializers.CharField(help_text="peer name")
    username = serializers.CharField(required=False, help_text="admins only: this person's snapshots")


class P2PPathQuerySerializer(P2PSnapshotQuerySerializer):
    snapshot = serializers.CharField(help_text="snapshot id or short id")
    path = serializers.CharField(required=False, allow_blank=True, default="", trim_whitespace=False,
                                 help_text="path inside the snapshot ('' = the whole backup area)")


class P2PRestoreRequestSerializer(P2PPathQuerySerializer):
    pass


class P2PSnapshotSerializer(serializers.Serializer):
    id = serializers.CharField()
    short_id = serializers.CharField()
    time = serializers.CharField(help_text="RFC 3339, as restic prints it")
    hostname = serializers.CharField()
    tags = serializers.ListField(child=serializers.CharField())
    files = serializers.IntegerField(allow_null=True, help_text="files in the snapshot, when Anemone made it")
    size = serializers.IntegerField(allow_null=True, help_text="bytes in the snapshot, when Anemone made it")


class P2PNodeSerializer(serializers.Serializer):
    name = serializers.CharField()
    type = serializers.CharField(help_text="file, dir or symlink")
    path = serializers.CharField(help_text="path inside the snapshot, usable as `path`")
    size = serializers.IntegerField()
    mtime = serializers.CharField()


def _params(serializer: type[serializers.Serializer]) -> list[OpenApiParameter]:
    return [OpenApiParameter(name, str, required=field.required, description=str(field.help_text or ""))
            for name, field in serializer().fields.items()]


class P2PSnapshotViewSet(viewsets.ViewSet):
    """A person's own snapshots on a peer (their repository, opened with their own key)."""

    def _resolve(self, request: Request, serializer: type[serializers.Serializer], data) -> tuple:
        query = serializer(data=data)
        query.is_valid(raise_exception=True)
        person = person_for(request, query.validated_data.get("username"))
        return restore.target_of(person, query.validated_data["peer"]), person, query.validated_data

    @extend_schema(parameters=_params(P2PSnapshotQuerySerializer),
                   responses={200: P2PSnapshotSerializer(many=True), 502: PEER_FAILED})
    @restic_errors
    def list(self, request: Request) -> Response:
        """Snapshots on the peer, newest first."""
        target, person, _query = self._resolve(request, P2PSnapshotQuerySerializer, request.query_params)
        try:
            found = restore.list_snapshots(target, person)
        except restic.RepositoryMissing:  # carried, not backed up yet: an empty list, not an error
            found = []
        stats = restore.snapshot_stats(target, person, found)
        return Response([{"id": s.id, "short_id": s.short_id, "time": s.time, "hostname": s.hostname, "tags": s.tags,
                          "files": stats.get(s.id, {}).get("files"), "size": stats.get(s.id, {}).get("bytes")}
                         for s in found])

    @extend_schema(parameters=_params(P2PPathQuerySerializer),
                   responses={200: P2PNodeSerializer(many=True), 502: PEER_FAILED})
    @action(detail=False, methods=["get"])
    @restic_errors
    def browse(self, request: Request) -> Response:
        """The children of a folder of a snapshot (404 for an unknown snapshot or folder)."""
        target, person, query = self._resolve(request, P2PPathQuerySerializer, request.query_params)
        _snapshot, nodes = restore.browse_folder(target, person, query["snapshot"], query["path"])
        return Response([{"name": n.name, "type": n.type, "path": n.path.strip("/"), "size": n.size, "mtime": n.mtime}
                         for n in nodes])

    @extend_schema(parameters=_params(P2PPathQuerySerializer),
                   responses={(200, "application/octet-stream"): OpenApiTypes.BINARY, 502: PEER_FAILED})
    @action(detail=False, methods=["get"])
    @restic_errors
    def download(self, request: Request) -> HttpResponseBase:
        """A file as is, a folder as a zip; streamed from the peer."""
        target, person, query = self._resolve(request, P2PPathQuerySerializer, request.query_params)
        name, content_type, chunks = restore.download(target, person, restore.check_snapshot_id(query["snapshot"]),
                                                      query["path"])
        response = StreamingHttpResponse(chunks, content_type=content_type)
        response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
        return response

    @extend_schema(request=P2PRestoreRequestSerializer,
                   responses={202: RunSerializer, 409: RESTORE_ACTIVE, 502: PEER_FAILED})
    @action(detail=False, methods=["post"])
    @restic_errors
    def restore(self, request: Request) -> Response:
        """Restore `path` of a snapshot back to its own place in backup/ (a different current file stays and
        the restored one lands beside it as "name (restored <date>).ext"); 404 when the path is not in the
        snapshot, 409 while another restore of this person runs. The run's message says where files went."""
        target, person, query = self._resolve(request, P2PRestoreRequestSerializer, request.data)
        found = restore.find_snapshot(target, person, query["snapshot"])
        if restore.snapshot_path(query["path"]).strip("/"):
            restore.node_type(target, person, found.id, query["path"])  # not in this snapshot: 404, no run
        try:
            run = restore.request_restore(target, person, found.id, path=query["path"], requested_by=request.user,
                                          trigger=Trigger.API)
        except RunActive as exc:
            return _conflict(_("A restore for %(user)s is already queued or running.") % {"user": person.username}, exc)
        return Response(RunSerializer(run, context={"request": request}).data, status=status.HTTP_202_ACCEPTED)


class P2PBulkRestoreRequestSerializer(serializers.Serializer):
    peer = serializers.CharField(help_text="peer name")
    users = serializers.ListField(child=serializers.CharField(), required=False, default=list,
                                  help_text="usernames (empty = everyone the peer carries)")


class P2PBulkRestoreView(APIView):
    permission_classes = [IsAdmin]

    @extend_schema(request=P2PBulkRestoreRequestSerializer, responses={202: RunSerializer, 409: RESTORE_ACTIVE})
    def post(self, request: Request) -> Response:
        """After a disaster: each person's latest snapshot back into their area (or a restored-… folder
        when the area is not empty)."""
        data = P2PBulkRestoreRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        target = services.find_target(data.validated_data["peer"])
        if target is None:
            raise NotFound(_("No such peer."))
        wanted = data.validated_data["users"]
        _check_carried(target, wanted)
        try:
            run: Run = restore.request_bulk_restore(target, wanted, requested_by=request.user, trigger=Trigger.API)
        except RunActive as exc:
            return _conflict(_("A restore from %(peer)s is already queued or running.") % {"peer": target.peer.name}, exc)
        return Response(RunSerializer(run, context={"request": request}).data, status=status.HTTP_202_ACCEPTED)


def register(router) -> None:
    router.register("p2p/targets", P2PTargetViewSet, basename="p2p-target")
    router.register("p2p/snapshots", P2PSnapshotViewSet, basename="p2p-snapshot")


urlpatterns = [path("p2p/bulk-restore/", P2PBulkRestoreView.as_view(), name="api-p2p-bulk-restore")]
