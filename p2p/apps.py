from django.apps import AppConfig


class P2pConfig(AppConfig):
    name = "p2p"
    verbose_name = "Peer backups (P2P)"

    def ready(self) -> None:
        from anemone.forms import register_kept_folders
        from anemone.restores import registry as restores
        from anemone.runs import registry
        from p2p import drill, health, host_status, kinds, repos, restore, services
        from peers import health as peer_health
        from peers import reciprocity as peer_reciprocity

        registry.register(kinds.P2PBackup())
        registry.register(kinds.P2PRestore())
        registry.register(kinds.P2PBulkRestore())
        registry.register(drill.P2PDrill())
        restores.register(restore.PeerRestoreSource())
        health.register()
        peer_health.register_after_reached(host_status.read_for_peer)
        services.connect_lifecycle()
        peer_reciprocity.register(services.reciprocity)
        register_kept_folders(repos.folders_at_peers)
