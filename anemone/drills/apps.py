from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DrillsConfig(AppConfig):
    """Restore drills: the shared core; each backup app registers its own drill kind (``<app>/drill.py``)."""

    name = "anemone.drills"
    label = "drills"
    verbose_name = _("Restore drills")
