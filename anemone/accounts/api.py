"""Accounts API: tokens for mobile clients, `me/`, and the admin's `users/`."""

from __future__ import annotations

from django.conf import settings
from django.urls import path
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_field, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from anemone.accounts import last_admin, services
from anemone.accounts.links import issue_link
from anemone.accounts.lockouts_api import LockoutClearView, LockoutsView
from anemone.accounts.models import AccountLink, User, username_validator
from anemone.accounts.tokens_api import TokenView
from anemone.accounts.tokens_api import register as register_tokens
from anemone.api.permissions import IsAdmin
from anemone.files.usage import usage_bars


class UsageSerializer(serializers.Serializer):
    used = serializers.IntegerField()
    quota = serializers.IntegerField()
    percent = serializers.FloatField()
    level = serializers.CharField()


class MeSerializer(serializers.ModelSerializer):
    is_admin = serializers.BooleanField(source="is_staff", read_only=True)
    usage = serializers.SerializerMethodField()
    language = serializers.ChoiceField(choices=[*settings.LANGUAGE_CODES, ""], required=False)

    class Meta:
        model = User
        fields = ["username", "email", "is_admin", "language", "quota_total_bytes", "quota_backup_bytes",
                  "usage_backup_bytes", "usage_data_bytes", "usage_trash_bytes", "usage"]
        read_only_fields = ["username", "email", "quota_total_bytes", "quota_backup_bytes", "usage_backup_bytes",
                            "usage_data_bytes", "usage_trash_bytes"]

    @extend_schema_field(inline_serializer("UsageSummary", {"backup": UsageSerializer(), "total": UsageSerializer(),
                                                      "trash_bytes": serializers.IntegerField()}))
    def get_usage(self, user: User) -> dict:
        return usage_bars(user)


class MeView(APIView):
    """The caller's profile, quotas and usage; PATCH changes the language."""

    @extend_schema(responses=MeSerializer)
    def get(self, request: Request) -> Response:
        return Response(MeSerializer(request.user).data)

    @extend_schema(request=MeSerializer, responses=MeSerializer)
    def patch(self, request: Request) -> Response:
        serializer = MeSerializer(request.user, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        serializer.save()
        return Response(serializer.data)


class UserSerializer(serializers.ModelSerializer):
    # No trimming: "eve\n" is refused, not silently turned into another name.
    username = serializers.CharField(validators=[username_validator], trim_whitespace=False)
    is_admin = serializers.BooleanField(source="is_staff", required=False)
    is_activated = serializers.BooleanField(read_only=True)
    activation_link = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = ["id", "username", "email", "is_admin", "is_active", "is_activated", "language",
                  "quota_total_bytes", "quota_backup_bytes", "usage_backup_bytes", "usage_data_bytes",
                  "activation_link"]
        read_only_fields = ["usage_backup_bytes", "usage_data_bytes"]

    def get_activation_link(self, user: User) -> str | None:
        return self.context.get("links", {}).get(user.pk)

    def validate(self, attrs: dict) -> dict:
        """The last active admin stays an active admin (the same guard as every other door); the backup
        quota fits in the total."""
        total = attrs.get("quota_total_bytes", getattr(self.instance, "quota_total_bytes", 0))
        backup = attrs.get("quota_backup_bytes", getattr(self.instance, "quota_backup_bytes", 0))
        if total and backup > total:
            raise serializers.ValidationError({"quota_backup_bytes": [_(
                "The backup quota cannot be larger than the total quota: the backup area is part of the total.")]})
        if self.instance is not None:
            try:
                last_admin.check_change(self.instance, is_admin=attrs.get("is_staff", self.instance.is_staff),
                                        is_active=attrs.get("is_active", self.instance.is_active))
            except last_admin.LastAdminError as error:
                raise serializers.ValidationError(error.messages[0], code="last_admin") from error
        return attrs

    def validate_username(self, value: str) -> str:
        if self.instance is None and User.objects.filter(username=value).exists():
            raise serializers.ValidationError(_("This username is taken."))
        if self.instance is not None and value != self.instance.username:
            raise serializers.ValidationError(_("A username cannot be changed."))
        return value


LinkResponse = inline_serializer("AccountLinkResponse", {"url": serializers.URLField()})


class UserViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                  mixins.UpdateModelMixin, viewsets.GenericViewSet):
    """People of the server (admins only). Creating one returns its activation link."""

    queryset = User.objects.all()
    serializer_class = UserSerializer
    permission_classes = [IsAdmin]
    http_method_names = ["get", "post", "patch"]

    def perform_create(self, serializer: UserSerializer) -> None:
        data = serializer.validated_data
        quotas = {field: data[field] for field in ("quota_total_bytes", "quota_backup_bytes") if field in data}
        user = services.create_user(data["username"], email=data.get("email", ""), is_admin=data.get("is_staff", False),
                                    language=data.get("language", ""), quotas=quotas)
        serializer.instance = user
        url = issue_link(user, AccountLink.ACTIVATE)
        serializer.context["links"] = {user.pk: url}

    def perform_update(self, serializer: UserSerializer) -> None:
        user = serializer.save()
        user.is_superuser = user.is_staff
        user.save(update_fields=["is_superuser"])
        if not user.is_active:
            services.revoke_sessions_and_tokens(user)

    @extend_schema(request=None, responses=LinkResponse)
    @action(detail=True, methods=["post"], url_path="activation-link")
    def activation_link(self, request: Request, pk: str | None = None) -> Response:
        user = self.get_object()
        if user.is_activated:
            return Response({"detail": _("Already activated: use reset-link.")}, status=status.HTTP_400_BAD_REQUEST)
        return Response({"url": issue_link(user, AccountLink.ACTIVATE)})

    @extend_schema(request=None, responses=LinkResponse)
    @action(detail=True, methods=["post"], url_path="reset-link")
    def reset_link(self, request: Request, pk: str | None = None) -> Response:
        user = self.get_object()
        return Response({"url": issue_link(user, AccountLink.RESET)})


def register(router) -> None:
    router.register("users", UserViewSet, basename="user")
    register_tokens(router)


urlpatterns = [
    path("auth/token/", TokenView.as_view(), name="api-token"),
    path("auth/lockouts/", LockoutsView.as_view(), name="api-lockouts"),
    path("auth/lockouts/clear/", LockoutClearView.as_view(), name="api-lockout-clear"),
    path("me/", MeView.as_view(), name="api-me"),
]
