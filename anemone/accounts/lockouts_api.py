"""``auth/lockouts/`` and ``auth/lockouts/clear/`` (admins): the login throttle's current locks, and clearing one — the API side of
the Users page section (``accounts.throttle``)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from anemone.accounts import throttle
from anemone.api.permissions import IsAdmin


class LockoutSerializer(serializers.Serializer):
    username = serializers.CharField(allow_blank=True, max_length=255,
                                     help_text="The locked name; empty when the whole address is locked.")
    ip_address = serializers.IPAddressField(allow_null=True)
    failures = serializers.IntegerField(read_only=True)
    ends_at = serializers.DateTimeField(read_only=True)


Cleared = inline_serializer("LockoutCleared", {"cleared": serializers.IntegerField()})


class LockoutsView(APIView):
    """The current locks (pairs at the failure limit, then whole addresses over their ceiling)."""

    permission_classes = [IsAdmin]

    @extend_schema(responses=LockoutSerializer(many=True))
    def get(self, request: Request) -> Response:
        return Response(LockoutSerializer(throttle.lockouts(), many=True).data)


class LockoutClearView(APIView):
    """POST ``{"username", "ip_address"}`` forgets that pair's failures; an empty name clears every
    name of that address."""

    permission_classes = [IsAdmin]

    @extend_schema(request=LockoutSerializer, responses={200: Cleared})
    def post(self, request: Request) -> Response:
        data = LockoutSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        count = throttle.clear_lockout(data.validated_data["ip_address"], data.validated_data["username"])
        return Response({"cleared": count}, status=status.HTTP_200_OK)
