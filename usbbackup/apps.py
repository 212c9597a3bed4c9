from django.apps import AppConfig


class UsbbackupConfig(AppConfig):
    name = "usbbackup"
    verbose_name = "USB backup"
