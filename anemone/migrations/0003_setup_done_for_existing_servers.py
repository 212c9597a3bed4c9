"""Servers set up before setup became a stored fact: an active admin means setup was done.

Also lifts a trash retention of 0 (it purged every deleted file at once) to 1 day.
"""

from django.db import migrations
from django.utils import timezone


def forwards(apps, schema_editor):
    SiteSettings = apps.get_model("anemone", "SiteSettings")
    User = apps.get_model("accounts", "User")
    if User.objects.filter(is_staff=True, is_active=True).exists():
        site, _created = SiteSettings.objects.get_or_create(pk=1)
        if site.setup_completed_at is None:
            site.setup_completed_at = timezone.now()
            site.save(update_fields=["setup_completed_at"])
    SiteSettings.objects.filter(trash_retention_days__lt=1).update(trash_retention_days=1)


class Migration(migrations.Migration):
    dependencies = [
        ("anemone", "0002_portal_url_kit_confirmed"),
        ("accounts", "0002_strict_username_quota_bounds"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
