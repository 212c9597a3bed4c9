from django.apps import AppConfig


class CloudbackupConfig(AppConfig):
    name = "cloudbackup"
    verbose_name = "Cloud backup"

    def ready(self) -> None:
        from anemone.runs import registry
        from cloudbackup import kinds

        registry.register(kinds.CloudSync())
        registry.register(kinds.CloudRestore())
