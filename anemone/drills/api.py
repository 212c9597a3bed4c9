"""``POST .../{id}/drill/`` on each backup target's viewset: a restore drill now (same shape as ``sync/``)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from anemone.api.errors import ConflictSerializer
from anemone.drills import services as drills
from anemone.runs import services as runs
from anemone.runs.api import RunSerializer
from anemone.runs.models import Trigger


class DrillNowMixin:
    """Beside BackupNowMixin (its ``run_kind`` names the backup kind whose drill this starts)."""

    run_kind: str

    @extend_schema(request=None, responses={202: RunSerializer, 409: ConflictSerializer})
    @action(detail=True, methods=["post"])
    def drill(self, request: Request, pk: str | None = None) -> Response:
        """A restore drill now: restore a sample of each carried person's newest copy and check it (202 with the
        run; 409 while a drill or a backup of this target is queued or running)."""
        target = self.get_object()  # type: ignore[attr-defined]
        try:
            run = drills.request_drill(self.run_kind, target, trigger=Trigger.API, user=request.user)
        except runs.RunActive as exc:
            active = exc.run.pk if exc.run else None
            detail = _("A run of %(target)s is already queued or running.") % {"target": target}
            detail += _(" (run #%(run)s)") % {"run": active} if active else ""
            return Response({"detail": detail, "run": active}, status=status.HTTP_409_CONFLICT)
        return Response(RunSerializer(run, context={"request": request}).data, status=status.HTTP_202_ACCEPTED)
