from django.apps import AppConfig


class CloudbackupConfig(AppConfig):
    name = "cloudbackup"
    verbose_name = "Cloud backup"

    def ready(self) -> None:
        from anemone.restores import registry as restores
        from anemone.runs import registry
        from cloudbackup import kinds, restore

        registry.register(kinds.CloudSync())
        registry.register(kinds.CloudRestore())
        restores.register(restore.CloudRestoreSource())
