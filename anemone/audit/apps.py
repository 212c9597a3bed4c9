from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "anemone.audit"
    label = "audit"
    verbose_name = _("Audit log")

    def ready(self) -> None:
        """Register the audited models (every app is loaded by now) and name the command behind CLI changes."""
        from auditlog.models import LogEntry
        from django.db.models.signals import post_save

        from anemone.audit import cli, registration, services

        registration.register_all()
        cli.install()
        post_save.connect(services.remember_actor, sender=LogEntry, dispatch_uid="anemone-audit-actor")
