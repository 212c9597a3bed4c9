from django.apps import AppConfig


class P2pConfig(AppConfig):
    name = "p2p"
    verbose_name = "Peer backups (P2P)"

    def ready(self) -> None:
        from anemone.runs import registry
        from p2p import backup, health, services
        from p2p.models import PeerTarget

        registry.register(backup.KIND, backup.request_backup, label="P2P backup",
                          load=lambda pk: PeerTarget.objects.get(pk=pk), targets=services.ensure_targets)
        health.register()
