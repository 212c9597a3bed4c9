from django.apps import AppConfig


class PeersConfig(AppConfig):
    name = "peers"
    verbose_name = "Peers"

    def ready(self) -> None:
        from anemone.dashboard_charts import register_admin_chart
        from peers.dashboard import reciprocity_chart

        register_admin_chart(reciprocity_chart)  # the admin dashboard's reciprocity picture

        from peers import watches

        watches.register_all()  # silent peers, unreachable peers, hosts that lost our data (alerts seam)
