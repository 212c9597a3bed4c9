"""API error shape: DRF's, plus our path and run errors turned into clear 4xx answers."""

from rest_framework import status
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from anemone.api.parsers import nesting_refused
from anemone.files.paths import PathRefused
from anemone.runs.services import RunActive


def exception_handler(exc, context):
    if isinstance(exc, RecursionError):  # a deeply nested value the parser let through (anemone.api.parsers)
        return Response({"detail": str(nesting_refused().detail)}, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, PathRefused):
        return Response({"detail": str(exc)}, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, FileNotFoundError):
        return Response({"detail": str(NotFound.default_detail)}, status=status.HTTP_404_NOT_FOUND)
    if isinstance(exc, RunActive):
        body = {"detail": str(exc), "run": exc.run.pk if exc.run else None}
        return Response(body, status=status.HTTP_409_CONFLICT)
    return drf_exception_handler(exc, context)
