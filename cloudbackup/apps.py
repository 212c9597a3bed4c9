from django.apps import AppConfig


class CloudbackupConfig(AppConfig):
    name = "cloudbackup"
    verbose_name = "Cloud backup"
