"""API tokens: ``auth/token/`` (log in with a password → a token; DELETE revokes the caller's) and
``me/tokens/`` (a person lists, creates and revokes their own tokens by name).

Tokens are django-rest-knox tokens (only a digest is stored), sent as ``Authorization: Token <token>``.
"""

from __future__ import annotations

from django.contrib.auth import authenticate
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from anemone.accounts import throttle, tokens, two_factor
from anemone.accounts.forms import LOGIN_REFUSED
from anemone.accounts.models import ApiToken, User
from anemone.api.errors import ErrorSerializer
from anemone.validators import safe_name_validator

NAME_HELP = "A name for the device or script (default 'api'); a token already under that name is replaced."


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(style={"input_type": "password"}, write_only=True, max_length=4096)
    name = serializers.CharField(required=False, allow_blank=True, max_length=64, help_text=NAME_HELP,
                                 validators=[safe_name_validator])
    otp = serializers.CharField(required=False, allow_blank=True, max_length=32, write_only=True,
                                help_text="The code of the person's authenticator app (or a recovery code): "
                                          "required when they have two-factor login on.")


class NewTokenSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=64, validators=[safe_name_validator], help_text=NAME_HELP)


CreatedToken = inline_serializer("CreatedToken", {
    "token": serializers.CharField(help_text="Shown this once: only a digest is stored."),
    "name": serializers.CharField(),
})
Detail = ErrorSerializer


def _issue(user: User, name: str) -> dict[str, str]:
    try:
        row, token = tokens.create_token(user, name)
    except DjangoValidationError as error:
        raise ValidationError({"name": error.messages}) from None
    return {"token": token, "name": row.name}


class TokenView(APIView):
    """POST username + password (+ optional name) → a new token; DELETE revokes the token of the call.

    Password attempts go through the login throttle like the login page (``accounts.throttle``), and a
    per-client request rate on top (``auth`` scope)."""

    throttle_scope = "auth"

    def get_permissions(self):
        return [AllowAny()] if self.request.method == "POST" else [IsAuthenticated()]

    def get_throttles(self):
        return [throttle.ClientRateThrottle()] if self.request.method == "POST" else []

    @extend_schema(request=TokenRequestSerializer, auth=[],
                   responses={200: CreatedToken, 400: Detail, 429: Detail})
    def post(self, request: Request) -> Response | HttpResponse:
        data = TokenRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        username = data.validated_data["username"]
        # The Django request, not DRF's wrapper: axes marks it, and its middleware reads the mark.
        django_request = request._request
        user = authenticate(django_request, username=username, password=data.validated_data["password"])
        if user is None:
            if getattr(django_request, "axes_locked_out", False):
                return throttle.lockout_response(django_request, credentials={"username": username})
            return Response({"detail": str(LOGIN_REFUSED)}, status=status.HTTP_400_BAD_REQUEST)
        if two_factor.enabled(user) and two_factor.verify(user, data.validated_data.get("otp", "")) is None:
            user_login_failed.send(sender=__name__, credentials={"username": username}, request=django_request)
            return Response({"detail": _("This account has two-factor login on: send the code of its authenticator "
                                         "app (or a recovery code) in \"otp\".")}, status=status.HTTP_400_BAD_REQUEST)
        user_logged_in.send(sender=user.__class__, request=django_request, user=user)  # last_login, clears the pair
        return Response(_issue(user, data.validated_data.get("name", "")))

    @extend_schema(request=None, responses={204: None, 400: Detail})
    def delete(self, request: Request) -> Response:
        if not isinstance(request.auth, ApiToken):
            return Response({"detail": _("This call is not made with a token: revoke tokens by name with "
                                         "DELETE /api/v1/me/tokens/<name>/.")}, status=status.HTTP_400_BAD_REQUEST)
        request.auth.delete()
        return Response(status=status.HTTP_204_NO_CONTENT)


class ApiTokenSerializer(serializers.ModelSerializer):
    current = serializers.SerializerMethodField(help_text="True for the token this request is made with.")

    class Meta:
        model = ApiToken
        fields = ["name", "created", "expiry", "current"]
        read_only_fields = fields

    def get_current(self, token: ApiToken) -> bool:
        auth = self.context["request"].auth
        return isinstance(auth, ApiToken) and auth.digest == token.digest


class MyTokenViewSet(mixins.ListModelMixin, mixins.DestroyModelMixin, viewsets.GenericViewSet):
    """The caller's own API tokens, by name. The token values are never shown again."""

    serializer_class = ApiTokenSerializer
    lookup_field = "name"
    lookup_value_regex = "[^/]+"

    def get_queryset(self):
        return ApiToken.objects.filter(user=self.request.user).order_by("name")

    @extend_schema(request=NewTokenSerializer, responses={201: CreatedToken, 400: Detail})
    def create(self, request: Request) -> Response:
        data = NewTokenSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return Response(_issue(request.user, data.validated_data["name"]), status=status.HTTP_201_CREATED)


def register(router) -> None:
    router.register("me/tokens", MyTokenViewSet, basename="me-token")
