from django.apps import AppConfig


class AnemoneConfig(AppConfig):
    name = "anemone"
    verbose_name = "Anemone"

    def ready(self) -> None:
        from anemone import checks  # noqa: F401  (registers system checks)
