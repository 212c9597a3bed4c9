"""Negative quotas saved before the validators existed become 0 (unlimited, what the admin could mean)."""

from django.db import migrations


def forwards(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    User.objects.filter(quota_total_bytes__lt=0).update(quota_total_bytes=0)
    User.objects.filter(quota_backup_bytes__lt=0).update(quota_backup_bytes=0)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_strict_username_quota_bounds")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
