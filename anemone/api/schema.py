"""The OpenAPI schema, generated once per process and language instead of on every request."""

from __future__ import annotations

from typing import Any, ClassVar

from django.utils.translation import get_language
from drf_spectacular.views import SpectacularAPIView
from rest_framework.request import Request
from rest_framework.response import Response


class CachedSchemaView(SpectacularAPIView):
    _cache: ClassVar[dict[str, Any]] = {}

    def _get_schema_response(self, request: Request) -> Response:
        key = get_language() or "en"  # the public schema depends on nothing else of the request
        if key not in self._cache:
            response = super()._get_schema_response(request)
            self._cache[key] = response.data
        return Response(data=self._cache[key], headers={"Content-Disposition": 'inline; filename="anemone.yaml"'})
