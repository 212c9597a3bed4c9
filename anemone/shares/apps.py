from django.apps import AppConfig


class SharesConfig(AppConfig):
    """Network shares (issue #14): device passwords, SMB (serve_smb) and WebDAV (/dav/)."""

    name = "anemone.shares"
    label = "shares"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from anemone.shares import signals  # noqa: F401 - connects the receivers
