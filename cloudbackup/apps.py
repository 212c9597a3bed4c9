from django.apps import AppConfig


class CloudbackupConfig(AppConfig):
    name = "cloudbackup"
    verbose_name = "Cloud backup"

    def ready(self) -> None:
        from anemone.runs import registry
        from cloudbackup import sync
        from cloudbackup.models import Destination

        registry.register(sync.KIND, sync.request_sync, label="Cloud sync", backup=True,
                          load=lambda pk: Destination.objects.get(pk=pk), targets=lambda: Destination.objects.all())
