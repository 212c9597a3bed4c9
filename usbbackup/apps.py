from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class UsbbackupConfig(AppConfig):
    name = "usbbackup"
    verbose_name = _("USB backup")

    def ready(self) -> None:
        from anemone.runs import registry
        from usbbackup import services

        registry.register(services.KIND, services.start_scheduled, label="USB backup", backup=True,
                          load=services.load, targets=services.targets)
