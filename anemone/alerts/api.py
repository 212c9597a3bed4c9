"""Alert channels in the API (admins): the Apprise URL is write-only (`url_set` says whether there is one),
and `POST .../test/` sends a test message through the channel. ``me/alerts/``: a person's own opt-in."""

from __future__ import annotations

from django.urls import path
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import generics, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from anemone.alerts import services
from anemone.alerts.models import AlertChannel, PersonalAlerts
from anemone.api.permissions import IsAdmin


class EmailList(serializers.ListField):
    """The recipients as a list of addresses (stored one per line)."""

    child = serializers.EmailField()

    def to_representation(self, data):
        return AlertChannel(emails=data or "").recipients()

    def to_internal_value(self, data):
        return "\n".join(super().to_internal_value(data))


class AlertChannelSerializer(serializers.ModelSerializer):
    emails = EmailList(required=False, help_text="e-mail channels: the recipients' addresses")
    url = serializers.CharField(write_only=True, required=False, allow_blank=True, max_length=2000,
                                help_text="Apprise channels: the URL (write-only; an empty string removes it)")
    url_set = serializers.BooleanField(read_only=True, help_text="whether an Apprise URL is stored")

    class Meta:
        model = AlertChannel
        fields = ["id", "name", "kind", "enabled", "emails", "url", "url_set", "on_failed", "on_partial",
                  "on_recovered", "on_warnings", "language", "last_sent_at", "last_error"]
        read_only_fields = ["last_sent_at", "last_error"]

    def validate(self, attrs):
        """What the kind needs, named on its field (a PATCH keeps the stored values)."""
        current = self.instance or AlertChannel()
        url = attrs.get("url")
        errors = services.channel_errors(attrs.get("kind", current.kind), attrs.get("emails", current.emails), url,
                                         current.url_set and url != "")
        if errors:
            raise serializers.ValidationError({name: [error] for name, error in errors.items()})
        return attrs

    def save(self, **kwargs):
        data = dict(self.validated_data)
        url = data.pop("url", None)
        channel = self.instance or AlertChannel()
        for field, value in data.items():
            setattr(channel, field, value)
        self.instance = services.save_channel(channel, url=url)
        return self.instance


TestResultSerializer = inline_serializer("AlertTest", {"ok": serializers.BooleanField(),
                                                      "message": serializers.CharField()})


class AlertChannelViewSet(viewsets.ModelViewSet):
    queryset = AlertChannel.objects.all()
    serializer_class = AlertChannelSerializer
    permission_classes = [IsAdmin]

    @extend_schema(request=None, responses=TestResultSerializer)
    @action(detail=True, methods=["post"])
    def test(self, request: Request, pk: str | None = None) -> Response:
        """Send a test message through this channel now; `ok` false with the reason when it did not go."""
        ok, message = services.send_test(self.get_object())
        return Response({"ok": ok, "message": message})


def register(router) -> None:
    router.register("alerts/channels", AlertChannelViewSet, basename="alert-channel")


class PersonalAlertsSerializer(serializers.ModelSerializer):
    address = serializers.CharField(read_only=True, help_text="where the messages go (email, or the account's)")

    class Meta:
        model = PersonalAlerts
        fields = ["enabled", "email", "address", "last_sent_at", "last_error"]
        read_only_fields = ["last_sent_at", "last_error"]


class MyAlertsView(generics.RetrieveUpdateAPIView):
    """A person's alerts about their own files (opt-in, by e-mail, in their language)."""

    serializer_class = PersonalAlertsSerializer
    permission_classes = [IsAuthenticated]

    def get_object(self) -> PersonalAlerts:
        return services.personal_preference(self.request.user)


class MyAlertsTestView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses=TestResultSerializer)
    def post(self, request: Request) -> Response:
        """Send a test message to the person's own alert address now."""
        preference = services.personal_preference(request.user)
        if preference.pk is None:
            preference.save()
        ok, message = services.tell_person(preference)
        return Response({"ok": ok, "message": message})


urlpatterns = [
    path("me/alerts/", MyAlertsView.as_view(), name="api-my-alerts"),
    path("me/alerts/test/", MyAlertsTestView.as_view(), name="api-my-alerts-test"),
]
