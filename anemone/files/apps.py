from django.apps import AppConfig


class FilesConfig(AppConfig):
    name = "anemone.files"
    label = "files"
    verbose_name = "Files"
