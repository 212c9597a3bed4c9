from rest_framework import serializers, viewsets

from anemone.api.permissions import IsAdmin
from anemone.runs.api import BackupNowMixin
from tests.fourth_kind.models import LocalCopy


class LocalCopySerializer(serializers.ModelSerializer):
    class Meta:
        model = LocalCopy
        fields = ["id", "name", "folder", "enabled", "schedule_kind"]


class LocalCopyViewSet(BackupNowMixin, viewsets.ModelViewSet):
    queryset = LocalCopy.objects.all()
    serializer_class = LocalCopySerializer
    permission_classes = [IsAdmin]
    run_kind = "local-copy"


def register(router) -> None:  # type: ignore[no-untyped-def]
    router.register("local-copies", LocalCopyViewSet, basename="local-copy")
