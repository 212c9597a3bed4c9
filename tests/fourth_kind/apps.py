from django.apps import AppConfig


class FourthKindConfig(AppConfig):
    """Everything a new backup kind adds: this app, and one registration line."""

    name = "tests.fourth_kind"
    label = "fourth_kind"

    def ready(self) -> None:
        from anemone.restores import registry as restores
        from anemone.runs import registry
        from tests.fourth_kind.kinds import LocalCopyKind, LocalCopySource

        registry.register(LocalCopyKind())
        restores.register(LocalCopySource())
