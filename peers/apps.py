from django.apps import AppConfig


class PeersConfig(AppConfig):
    name = "peers"
    verbose_name = "Peers"

    def ready(self) -> None:
        from peers import watches

        watches.register_all()  # silent peers, unreachable peers, hosts that lost our data (alerts seam)
