"""/api/schema/, generated once per process and language instead of on every request; /api/docs/:
Swagger UI served from our own static files (drf-spectacular-sidecar), under our CSP.

The split view delivers its start-up script as a separate request (no inline script), and our template
replaces the inline <style> of drf-spectacular's page with a static file. Swagger UI's stylesheet draws
its icons from data: URIs, so this one page allows data: images.
"""

from __future__ import annotations

from typing import Any, ClassVar

from csp.constants import SELF
from csp.decorators import csp_update
from django.utils.translation import get_language
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
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


class SwaggerView(SpectacularSwaggerSplitView):
    template_name = "api/swagger_ui.html"


swagger_view = csp_update({"img-src": [SELF, "data:"]})(SwaggerView.as_view(url_name="api-schema"))
