from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class UsbbackupConfig(AppConfig):
    name = "usbbackup"
    verbose_name = _("USB backup")

    def ready(self) -> None:
        from anemone.runs import registry
        from usbbackup import kinds

        registry.register(kinds.UsbBackupKind())
        registry.register(kinds.UsbUsersRestore())
