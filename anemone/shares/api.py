"""``me/device-passwords/``: a person lists, creates (the password is in the 201 answer only) and revokes
(by name or id) their own device passwords; ``users/<id>/shares/``: an admin reads or sets a person's
"network shares allowed" switch."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import path
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_field, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from anemone.accounts.models import User
from anemone.api.errors import ErrorSerializer
from anemone.api.permissions import IsAdmin
from anemone.shares import services
from anemone.shares.models import DevicePassword, ShareSettings
from anemone.validators import safe_name_validator


class DevicePasswordSerializer(serializers.ModelSerializer):
    class Meta:
        model = DevicePassword
        fields = ["id", "name", "smb_login", "created_at", "last_used_at"]
        read_only_fields = fields

    smb_login = serializers.CharField(read_only=True, help_text="The SMB user name of this device (username~n).")


class NewDevicePasswordSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=64, validators=[safe_name_validator],
                                 help_text="The device, e.g. \"Zoé's laptop\"; unique among yours.")


class ConnectionAddressSerializer(serializers.Serializer):
    platform = serializers.CharField(help_text="windows, macos-linux or webdav")
    label = serializers.CharField()
    address = serializers.CharField()


CreatedDevicePassword = inline_serializer("CreatedDevicePassword", {
    "id": serializers.IntegerField(),
    "name": serializers.CharField(),
    "password": serializers.CharField(help_text="Shown this once: only a hash is stored."),
    "addresses": ConnectionAddressSerializer(many=True),
    "qr_svg": serializers.CharField(help_text="The password as a QR code (inline SVG)."),
})
ShareAccessSerializer = inline_serializer("ShareAccess", {"enabled": serializers.BooleanField()})


class MyDevicePasswordViewSet(mixins.ListModelMixin, mixins.DestroyModelMixin, viewsets.GenericViewSet):
    """The caller's own device passwords. The values are never shown again after creation."""

    serializer_class = DevicePasswordSerializer
    lookup_field = "name"
    lookup_value_regex = "[^/]+"

    def get_queryset(self):
        return services.passwords_of(self.request.user)

    def get_object(self) -> DevicePassword:
        """By name first, then by id: another person's row is simply not found (404)."""
        key = self.kwargs["name"]
        queryset = self.get_queryset()
        row = queryset.filter(name=key).first() or (queryset.filter(pk=int(key)).first() if key.isdigit() else None)
        if row is None:
            raise Http404
        return row

    @extend_schema(request=NewDevicePasswordSerializer,
                   responses={201: CreatedDevicePassword, 400: ErrorSerializer})
    def create(self, request: Request) -> Response:
        data = NewDevicePasswordSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            row, password = services.create(request.user, data.validated_data["name"])
        except DjangoValidationError as error:
            raise ValidationError({"name": error.messages}) from None
        body = {"id": row.pk, "name": row.name, "password": password,
                "addresses": services.connection_addresses(request.user), "qr_svg": services.qr_svg(password)}
        response = Response(body, status=status.HTTP_201_CREATED)
        response["Cache-Control"] = "no-store"
        return response


class UserShareAccessView(APIView):
    """An admin reads or sets whether a person may use the network shares."""

    permission_classes = [IsAdmin]

    @extend_schema(responses={200: ShareAccessSerializer, 404: ErrorSerializer})
    def get(self, request: Request, pk: int) -> Response:
        return Response({"enabled": services.shares_allowed(get_object_or_404(User, pk=pk))})

    @extend_schema(request=ShareAccessSerializer,
                   responses={200: ShareAccessSerializer, 400: ErrorSerializer, 404: ErrorSerializer})
    def put(self, request: Request, pk: int) -> Response:
        person = get_object_or_404(User, pk=pk)
        enabled = request.data.get("enabled")
        if not isinstance(enabled, bool):
            raise ValidationError({"enabled": [_("Must be true or false.")]})
        return Response({"enabled": services.set_shares_allowed(person, enabled).enabled})


class SmbServerSerializer(serializers.Serializer):
    """What ``serve_smb`` last reported (the ``smb`` process of ``make run``)."""

    running = serializers.BooleanField(help_text="smbd is running and serve_smb reported in the last 30 s.")
    listen = serializers.CharField(required=False, help_text="The address smbd listens on.")
    sessions = serializers.IntegerField(required=False, help_text="SMB clients connected now.")
    error = serializers.CharField(required=False, allow_blank=True, help_text="Why smbd is not running, if known.")


class ShareSettingsSerializer(serializers.ModelSerializer):
    smb_listen_effective = serializers.CharField(source="effective_smb_listen", read_only=True,
                                                 help_text="Where smbd listens: smb_listen, or the server's default.")
    smb_server = serializers.SerializerMethodField()

    class Meta:
        model = ShareSettings
        fields = ["smb_enabled", "webdav_enabled", "smb_listen", "smb_listen_effective", "smb_server"]

    @extend_schema_field(SmbServerSerializer)
    def get_smb_server(self, _obj: ShareSettings) -> dict:
        from anemone.shares.samba import server_status

        status = server_status()
        return {"running": bool(status.get("running")), "listen": str(status.get("listen") or ""),
                "sessions": int(status.get("sessions") or 0), "error": str(status.get("error") or "")}


class ShareSettingsView(APIView):
    """An admin reads or changes the network shares: SMB and WebDAV on or off, smbd's address."""

    permission_classes = [IsAdmin]

    @extend_schema(responses={200: ShareSettingsSerializer})
    def get(self, request: Request) -> Response:
        return Response(ShareSettingsSerializer(services.share_settings()).data)

    @extend_schema(request=ShareSettingsSerializer, responses={200: ShareSettingsSerializer, 400: ErrorSerializer})
    def patch(self, request: Request) -> Response:
        data = ShareSettingsSerializer(services.share_settings(), data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        saved = services.configure(smb=values.get("smb_enabled"), webdav=values.get("webdav_enabled"),
                                   smb_listen=values.get("smb_listen"))
        return Response(ShareSettingsSerializer(saved).data)


urlpatterns = [path("users/<int:pk>/shares/", UserShareAccessView.as_view(), name="user-share-access"),
               path("shares/", ShareSettingsView.as_view(), name="share-settings")]


def register(router) -> None:
    router.register("me/device-passwords", MyDevicePasswordViewSet, basename="me-device-password")
