from django.apps import AppConfig


class CloudbackupConfig(AppConfig):
    name = "cloudbackup"
    verbose_name = "Cloud backup"

    def ready(self) -> None:
        from anemone.restores import registry as restores
        from anemone.runs import registry
        from cloudbackup import drill, kinds, restore

        registry.register(kinds.CloudSync())
        registry.register(kinds.CloudRestore())
        registry.register(drill.CloudDrill())
        restores.register(restore.CloudRestoreSource())
