"""/api/v1/: one router; each app's ``api.register(router)`` adds its viewsets, and an app's
``api.urlpatterns`` (when present) adds plain views."""

from importlib import import_module

from rest_framework.routers import DefaultRouter

API_MODULES = [
    "anemone.accounts.api",
    "anemone.files.api",
    "anemone.runs.api",
    "peers.api",
    "p2p.api",
    "cloudbackup.api",
    "usbbackup.api",
]

router = DefaultRouter()
router.include_root_view = False
urlpatterns: list = []
for module_name in API_MODULES:
    module = import_module(module_name)
    module.register(router)
    urlpatterns += getattr(module, "urlpatterns", [])
urlpatterns += router.urls
