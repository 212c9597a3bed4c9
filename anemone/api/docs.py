"""/api/docs/: Swagger UI served from our own static files (drf-spectacular-sidecar), under our CSP.

The split view delivers its start-up script as a separate request (no inline script), and our template
replaces the inline <style> of drf-spectacular's page with a static file. Swagger UI's stylesheet draws
its icons from data: URIs, so this one page allows data: images.
"""

from csp.constants import SELF
from csp.decorators import csp_update
from drf_spectacular.views import SpectacularSwaggerSplitView


class SwaggerView(SpectacularSwaggerSplitView):
    template_name = "api/swagger_ui.html"


swagger_view = csp_update({"img-src": [SELF, "data:"]})(SwaggerView.as_view(url_name="api-schema"))
