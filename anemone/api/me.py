"""``GET /api/v1/me/safety/``: "how safe are my files" for the caller — the same figures as their dashboard.

Only destinations that carry the caller, and only the caller's own run items: another person's name, files or
figures are never in the answer (the rules: anemone.runs.safety, docs/dashboards.md).
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from anemone.runs import safety

STATES = [safety.GREEN, safety.LATE, safety.FAILING]
STORAGES = [safety.DISK, safety.CLOUD, safety.PEER, safety.USB]


class DrillSerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    status = serializers.CharField(help_text="The drill's result for the caller: succeeded, partial, failed…")
    ok = serializers.BooleanField(help_text="Succeeded with nothing different and nothing missing.")
    checked = serializers.IntegerField(help_text="Files restored and compared.")
    mismatched = serializers.IntegerField(help_text="Files whose restored copy differs.")
    missing = serializers.IntegerField(help_text="Files the copy should hold but does not.")
    run = serializers.IntegerField(help_text="The drill run's id (GET /api/v1/runs/{id}/).")


class DestinationSafetySerializer(serializers.Serializer):
    kind = serializers.CharField(help_text="The backup kind (cloud, p2p, usb…).")
    kind_label = serializers.CharField()
    target_id = serializers.IntegerField()
    target_label = serializers.CharField()
    storage = serializers.ChoiceField(choices=STORAGES, help_text="Where the copy lives.")
    off_site = serializers.BooleanField()
    state = serializers.ChoiceField(choices=STATES, help_text="green: a good copy within the schedule; late: none, "
                                    "or older than the overdue threshold; failing: runs failed since, or the last "
                                    "drill failed.")
    state_label = serializers.CharField()
    last_good_at = serializers.DateTimeField(allow_null=True, help_text="The newest run that copied the caller's files.")
    age_seconds = serializers.IntegerField(allow_null=True)
    overdue_after_seconds = serializers.IntegerField(allow_null=True, help_text="null: a manual target, never late.")
    failures_since = serializers.IntegerField(help_text="Runs that failed for the caller since the newest good copy.")
    last_failure_at = serializers.DateTimeField(allow_null=True)
    running = serializers.BooleanField()
    drill = DrillSerializer(allow_null=True)


class BadgeSerializer(serializers.Serializer):
    copies = serializers.IntegerField(help_text="The original on this server + each destination with a good copy.")
    kinds = serializers.IntegerField(help_text="Distinct storage kinds among those copies (disk, cloud, peer, USB).")
    off_site = serializers.IntegerField(help_text="Cloud and peer copies.")
    newest_at = serializers.DateTimeField(allow_null=True)
    meets_321 = serializers.BooleanField(help_text="At least 3 copies, 2 kinds, 1 off-site.")
    words = serializers.CharField(help_text="The badge in the caller's language.")


class SafetySerializer(serializers.Serializer):
    badge = BadgeSerializer()
    destinations = DestinationSafetySerializer(many=True)


def _destination(s: safety.DestinationSafety) -> dict[str, Any]:
    drill = s.drill
    return {
        "kind": s.kind, "kind_label": s.backup.kind_label, "target_id": s.target_id, "target_label": s.label,
        "storage": s.storage, "off_site": s.storage in safety.OFF_SITE, "state": s.state, "state_label": s.state_label,
        "last_good_at": s.backup.last_good_at, "age_seconds": int(s.age.total_seconds()) if s.age else None,
        "overdue_after_seconds": int(s.threshold.total_seconds()) if s.threshold else None,
        "failures_since": s.backup.failures_since, "last_failure_at": s.backup.last_failure_at,
        "running": s.backup.running,
        "drill": None if drill is None else {"at": drill.at, "status": drill.status, "ok": drill.ok,
                                              "checked": drill.checked, "mismatched": drill.mismatched,
                                              "missing": drill.missing, "run": drill.run.pk},
    }


class MySafetyView(APIView):
    """How safe the caller's files are: per destination carrying them, the newest good copy, failures since,
    the last restore drill and a state; and the 3-2-1 badge."""

    @extend_schema(responses=SafetySerializer)
    def get(self, request: Request) -> Response:
        mine = safety.person_safety(request.user)
        data = {"badge": safety.badge(mine).as_dict(), "destinations": [_destination(s) for s in mine]}
        return Response(SafetySerializer(data).data)
