from django.apps import AppConfig


class P2pConfig(AppConfig):
    name = "p2p"
    verbose_name = "Peer backups (P2P)"

    def ready(self) -> None:
        from anemone.runs import registry
        from p2p import health, kinds, services

        registry.register(kinds.P2PBackup())
        registry.register(kinds.P2PRestore())
        registry.register(kinds.P2PBulkRestore())
        health.register()
        services.connect_lifecycle()
