"""Peers in the API (admins): list, add from a code or fields, edit, remove, `health/`, our invitation."""

from __future__ import annotations

import django_filters as filters
from django.core.exceptions import ValidationError
from django.urls import path
from drf_spectacular.utils import extend_schema, extend_schema_field, inline_serializer
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from anemone.api import filters as api_filters
from anemone.api.permissions import IsAdmin
from peers import codes, health, services, tunnel
from peers import reciprocity as reciprocity_seam
from peers.models import Peer


class TunnelSerializer(serializers.Serializer):
    latest_handshake = serializers.DateTimeField(allow_null=True)
    endpoint = serializers.CharField()
    rx_bytes = serializers.IntegerField()
    tx_bytes = serializers.IntegerField()


class ReciprocitySerializer(serializers.Serializer):
    stored_here_bytes = serializers.IntegerField()
    stored_there_bytes = serializers.IntegerField()
    last_backup_at = serializers.DateTimeField(allow_null=True)
    stale = serializers.BooleanField(help_text="our latest backup on this peer is older than the target's warning days")


class HostStatusSerializer(serializers.Serializer):
    version = serializers.IntegerField(required=False)
    host_time = serializers.DateTimeField(allow_null=True, required=False, help_text="the host's clock when it wrote it")
    last_write_at = serializers.DateTimeField(allow_null=True, required=False, help_text="our last write it saw")
    stored_bytes = serializers.IntegerField(required=False)
    cap_bytes = serializers.IntegerField(required=False, help_text="0 = no cap")
    repositories = serializers.IntegerField(required=False)
    error = serializers.CharField(required=False, help_text="why it could not be read (older host, no login)")


class PeerSerializer(serializers.ModelSerializer):
    code = serializers.CharField(write_only=True, required=False, help_text="a friend's invitation code")
    tunnel = serializers.SerializerMethodField()
    stored_here_bytes = serializers.SerializerMethodField()
    reciprocity = serializers.SerializerMethodField()

    class Meta:
        model = Peer
        fields = ["id", "name", "description", "endpoint", "wg_public_key", "allowed_ips", "keepalive",
                  "ssh_public_key", "sftp_port", "enabled", "storage_cap_bytes", "folder", "health_checked_at", "created_at",
                  "silent_after_days", "contact_email", "contact_language", "last_write_at", "stored_bytes",
                  "unreachable_since", "host_status", "host_status_read_at",
                  "code", "tunnel",
                  "stored_here_bytes", "reciprocity"]
        # Not trimmed: a name or key with a line break is refused, never silently altered.
        extra_kwargs = {f: {"required": False, "trim_whitespace": False}
                        for f in ["name", "wg_public_key", "allowed_ips", "ssh_public_key"]}

    # A plain string in the schema (the model's choices check it): the same en/fr set is the alert channels'
    # "language" enum already, and two names for one choice set make the schema ambiguous.
    contact_language = serializers.CharField(required=False, allow_blank=True, max_length=8,
                                             help_text="the contact's language: en, fr, or blank for our default")
    host_status = serializers.SerializerMethodField(help_text="what the host says about our folder there "
                                                              "(its status file, read at each backup and check)")

    @extend_schema_field(HostStatusSerializer())
    def get_host_status(self, peer: Peer) -> dict:
        return peer.host_status or {}

    @extend_schema_field(TunnelSerializer(allow_null=True))
    def get_tunnel(self, peer: Peer) -> dict | None:
        """WireGuard status from `wg show <iface> dump` (null when the tunnel is down)."""
        if "tunnel_status" not in self.context:
            self.context["tunnel_status"] = tunnel.status()
        state = self.context["tunnel_status"].get(peer.wg_public_key)
        if state is None:
            return None
        return {"latest_handshake": state.latest_handshake, "endpoint": state.endpoint, "rx_bytes": state.rx_bytes,
                "tx_bytes": state.tx_bytes}

    def get_stored_here_bytes(self, peer: Peer) -> int:
        return services.folder_usage(peer.folder or peer.name)[0]

    @extend_schema_field(ReciprocitySerializer())
    def get_reciprocity(self, peer: Peer) -> dict:
        """What we store for this peer, what it stores for us, and whether our latest backup there is stale."""
        return reciprocity_seam.reciprocity(peer).as_dict()

    def save(self, **kwargs):
        """From a code: services.pair (tunnel addresses chosen as when pasting it in the portal); from
        fields: services.save_peer. Both validate with the model's rules."""
        data = dict(self.validated_data)
        code = data.pop("code", None)
        try:
            if code:
                self.instance = services.pair_from_code(code, name=data.get("name")).peer
                return self.instance
            peer = self.instance or Peer()
            for field, value in data.items():
                setattr(peer, field, value)
            self.instance = services.save_peer(peer)
        except codes.CodeInvalid as exc:
            raise serializers.ValidationError({"code": str(exc)}) from exc
        except ValidationError as exc:
            raise serializers.ValidationError(exc.message_dict if hasattr(exc, "error_dict") else exc.messages) from exc
        return self.instance


class CheckSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField(help_text="in English (stable for scripts)")
    status = serializers.CharField(help_text="ok, fail or pending")
    detail = serializers.CharField(help_text="in English (stable for scripts)")
    fix = serializers.CharField(help_text="in English (stable for scripts)")
    detail_code = serializers.CharField(help_text="the detail as data: a message code (may be empty on old results)")
    detail_params = serializers.DictField(help_text="the detail code's parameters")
    fix_code = serializers.CharField()
    fix_params = serializers.DictField()
    shown_label = serializers.CharField(help_text="label in the request's language")
    shown_detail = serializers.CharField(help_text="detail in the request's language")
    shown_fix = serializers.CharField(help_text="fix in the request's language")


class PeerFilter(filters.FilterSet):
    """`?enabled=true&name=fri`: a value that is not true/false is a 400 naming the parameter."""

    enabled = api_filters.BooleanFilter()
    name = filters.CharFilter(lookup_expr="icontains", help_text="part of the name, any case")

    class Meta:
        model = Peer
        fields = ["enabled", "name"]


class PeerViewSet(viewsets.ModelViewSet):
    queryset = Peer.objects.all()
    serializer_class = PeerSerializer
    permission_classes = [IsAdmin]
    filter_backends = api_filters.BACKENDS
    filterset_class = PeerFilter

    def perform_destroy(self, instance: Peer) -> None:
        services.remove_peer(instance)

    @extend_schema(responses=CheckSerializer(many=True))
    @action(detail=True, methods=["get", "post"], pagination_class=None)
    def health(self, request: Request, pk: str | None = None) -> Response:
        """The five checks of the seed's checklist. GET: the last stored result (no network); POST: run
        them now, in order, stopping at the first failure, and store the result."""
        peer = self.get_object()
        checks = health.check_now(peer) if request.method == "POST" else health.last_results(peer)
        return Response([c.as_dict() for c in checks])


class InvitationView(APIView):
    permission_classes = [IsAdmin]

    @extend_schema(responses=inline_serializer("Invitation", {"code": serializers.CharField()}))
    def get(self, request: Request) -> Response:
        """Our invitation code for a friend."""
        return Response({"code": codes.encode(services.my_invitation())}, status=status.HTTP_200_OK)


def register(router) -> None:
    router.register("peers", PeerViewSet, basename="peer")


urlpatterns = [path("peers-invitation/", InvitationView.as_view(), name="api-peers-invitation")]
