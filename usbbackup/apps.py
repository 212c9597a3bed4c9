from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class UsbbackupConfig(AppConfig):
    name = "usbbackup"
    verbose_name = _("USB backup")

    def ready(self) -> None:
        from anemone.restores import registry as restores
        from anemone.runs import registry
        from usbbackup import drill, kinds, restore

        registry.register(kinds.UsbBackupKind())
        registry.register(kinds.UsbUsersRestore())
        registry.register(kinds.UsbPersonRestore())
        registry.register(drill.UsbDrill())
        restores.register(restore.UsbRestoreSource())
