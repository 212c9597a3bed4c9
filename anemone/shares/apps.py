from django.apps import AppConfig


class SharesConfig(AppConfig):
    """Network shares (issue #14): device passwords today; SMB and WebDAV build on them."""

    name = "anemone.shares"
    label = "shares"
    default_auto_field = "django.db.models.BigAutoField"
