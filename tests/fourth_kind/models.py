from django.db import models

from anemone.runs.models import BackupTarget


class LocalCopy(BackupTarget):
    """Copy the carried people's backup/ areas into a folder of this machine."""

    name = models.CharField(max_length=40, unique=True)
    folder = models.CharField(max_length=255)

    def __str__(self) -> str:
        return self.name
