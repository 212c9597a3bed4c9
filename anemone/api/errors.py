"""API error shape: DRF's, plus our path and run errors turned into clear 4xx answers.

Two bodies, documented as schema components from the serializers below: ``Error`` ({detail}) for any
refusal, ``Conflict`` ({detail, run}) for a 409 because a run of that target (or person) is already
queued or running — ``run`` is its id, to follow at /api/v1/runs/{run}/. A 400 may instead carry field
errors ({field: [message, ...]}): ``ValidationErrors`` (anemone.api.schema).
"""

from rest_framework import serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from anemone.api.parsers import nesting_refused
from anemone.files.paths import PathRefused
from anemone.runs.services import RunActive


class ErrorSerializer(serializers.Serializer):
    """A refusal in words, translated to the person's language."""

    detail = serializers.CharField()


class ConflictSerializer(serializers.Serializer):
    """A run of this target (or this person's restore) is already queued or running: nothing was started."""

    detail = serializers.CharField()
    run = serializers.IntegerField(allow_null=True, help_text="The active run's id (GET /api/v1/runs/{run}/); "
                                                              "null when it finished in the meantime.")


def exception_handler(exc, context):
    if isinstance(exc, RecursionError):  # a deeply nested value the parser let through (anemone.api.parsers)
        return Response({"detail": str(nesting_refused().detail)}, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, PathRefused):
        return Response({"detail": str(exc)}, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, FileNotFoundError):
        return Response({"detail": str(NotFound.default_detail)}, status=status.HTTP_404_NOT_FOUND)
    if isinstance(exc, RunActive):  # the body of ConflictSerializer
        body = {"detail": str(exc), "run": exc.run.pk if exc.run else None}
        return Response(body, status=status.HTTP_409_CONFLICT)
    return drf_exception_handler(exc, context)
