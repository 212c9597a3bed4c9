from django.apps import AppConfig


class RunsConfig(AppConfig):
    name = "anemone.runs"
    label = "runs"
    verbose_name = "Runs"

    def ready(self) -> None:
        from anemone.files import trash_jobs
        from anemone.runs import registry

        registry.register(trash_jobs.TrashPurge())
