from django.contrib import admin

from anemone.runs.target_admin import BackupTargetAdmin
from tests.fourth_kind.models import LocalCopy

admin.site.register(LocalCopy, BackupTargetAdmin)
