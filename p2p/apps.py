from django.apps import AppConfig


class P2pConfig(AppConfig):
    name = "p2p"
    verbose_name = "Peer backups (P2P)"
