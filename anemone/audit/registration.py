"""Which models the audit log records, and the fields it never records.

The rule: what admins edit is recorded; what the system maintains (``editable=False``: usage counters, health
results, last-sent times, timestamps) is not, so a health check or a usage update never adds an entry.
Secrets are never recorded: generated keys and the password hash are excluded outright, and the secrets an
admin types (cloud passwords, S3 secret, crypt password, an alert channel's Apprise URL) are masked to a
constant, so the log says that one changed and nothing of its value.
"""

from __future__ import annotations

from django.apps import apps
from django.db import models
from django.utils.translation import gettext_lazy as _

# Fields never recorded, by model. Non-editable fields are excluded anyway; these are listed by name too
# so that making one editable later cannot leak it.
EXCLUDED = {
    "accounts.User": {"password", "last_login", "backup_key_sealed"},
    "peers.ServerIdentity": {"wg_private_sealed"},
    "shares.DevicePassword": {"password_hash", "smb_nt_hash", "last_used_at"},
}
# Secrets an admin sets: recorded as MASK ("changed"), never their value.
MASKED = {
    "alerts.AlertChannel": {"url_sealed"},
    "cloudbackup.Destination": {"crypt_password_sealed", "password_sealed", "secret_sealed"},
}
# Non-editable fields that admins still change through their own form fields.
KEPT = {"carry_everyone"}
M2M = {
    "accounts.User": {"groups", "user_permissions"},
    "cloudbackup.Destination": {"users"},
    "p2p.PeerTarget": {"users"},
    "usbbackup.UsbBackup": {"users"},
}
AUDITED = ["accounts.User", "anemone.SiteSettings", "alerts.AlertChannel", "cloudbackup.Destination",
           "peers.Peer", "peers.ServerIdentity", "p2p.PeerTarget", "usbbackup.UsbBackup", "usbbackup.UsbSettings",
           "shares.DevicePassword", "shares.ShareAccess", "shares.ShareSettings"]

MASK = "••••••"
# How the page names a masked field (the sealed columns have no name of their own).
SECRET_LABELS = {"url_sealed": _("Apprise URL"), "password_sealed": _("password"),
                 "crypt_password_sealed": _("encryption password"), "secret_sealed": _("secret key")}
SECRET_NAME_HINTS = ("_sealed", "password", "secret", "private")


def mask(value: str) -> str:
    """AUDITLOG_MASK_CALLABLE: "set" or "not set", whatever the value (auditlog's default keeps half of it)."""
    return "" if value in ("", "None") else MASK


def excluded_fields(model: type[models.Model]) -> list[str]:
    label = model._meta.label
    masked = MASKED.get(label, set())
    names = {field.name for field in model._meta.concrete_fields if not field.editable and field.name not in KEPT}
    # Relations seen from the other side (a person's tokens, links...): auditlog lists them on create and
    # delete as "<app>.<Model>.None"; they are another model's rows, recorded (or not) there.
    names |= {field.name for field in model._meta.get_fields() if not field.concrete}
    names |= EXCLUDED.get(label, set())
    return sorted(names - masked - {"id"})


def secret_fields(model: type[models.Model]) -> set[str]:
    """Fields whose name says they hold a secret: each must be excluded or masked (a test checks it)."""
    return {field.name for field in model._meta.concrete_fields
            if any(hint in field.name for hint in SECRET_NAME_HINTS)}


def register_all() -> None:
    from auditlog.registry import auditlog

    for label in AUDITED:
        model = apps.get_model(label)
        if auditlog.contains(model):
            continue
        masked = sorted(MASKED.get(label, ()))
        auditlog.register(model, exclude_fields=excluded_fields(model), mask_fields=masked,
                          mapping_fields={name: SECRET_LABELS[name] for name in masked}, m2m_fields=M2M.get(label, set()))
