"""/api/v1/: one router; each installed app's ``api.register(router)`` adds its viewsets, and an app's
``api.urlpatterns`` (when present) adds plain views."""

from importlib import import_module
from importlib.util import find_spec

from django.apps import apps
from rest_framework.routers import DefaultRouter


def api_modules() -> list[str]:
    """Every installed app's ``api`` module, in INSTALLED_APPS order: a new kind's app plugs its endpoints
    in by having one (no list to edit here)."""
    names = []
    for config in apps.get_app_configs():
        name = f"{config.name}.api"
        if config.name.startswith("django") or find_spec(name) is None:
            continue
        if hasattr(import_module(name), "register"):  # third-party apps have api modules of their own
            names.append(name)
    return names


API_MODULES = api_modules()

router = DefaultRouter()
router.include_root_view = False
urlpatterns: list = []
for module_name in API_MODULES:
    module = import_module(module_name)
    module.register(router)
    urlpatterns += getattr(module, "urlpatterns", [])
urlpatterns += router.urls
