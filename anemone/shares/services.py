"""Device passwords: create (the value is returned once), list, revoke, verify; the connection addresses.

``verify`` is what the SMB and WebDAV logins will call. It always computes one hash, even for an unknown
person, so the time taken does not tell which usernames exist.
"""

from __future__ import annotations

import secrets
from urllib.parse import urlsplit

import segno
from django.contrib.auth.hashers import check_password, make_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from anemone.accounts.models import User
from anemone.models import SiteSettings
from anemone.shares.models import DevicePassword, ShareAccess

# No 0/o, 1/l/i: read off a screen and typed on a phone. 31 symbols, 25 of them: about 124 bits.
ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz"
GROUPS, GROUP_LENGTH = 5, 5
_DUMMY_HASH: list[str] = []


def generate() -> str:
    return "-".join("".join(secrets.choice(ALPHABET) for _ in range(GROUP_LENGTH)) for _ in range(GROUPS))


def shares_allowed(user: User) -> bool:
    access = ShareAccess.objects.filter(user=user).first()
    return access is None or access.enabled


def set_shares_allowed(user: User, enabled: bool) -> ShareAccess:
    """Saved through the model (not update()) so the audit log records the switch."""
    access, _created = ShareAccess.objects.get_or_create(user=user)
    if access.enabled != enabled:
        access.enabled = enabled
        access.save()
    return access


def create(user: User, name: str) -> tuple[DevicePassword, str]:
    """A new device password under a name free for this person; the plain value is returned, never stored."""
    name = name.strip()
    row = DevicePassword(user=user, name=name)
    row.full_clean(exclude=["password_hash"], validate_unique=False, validate_constraints=False)
    password = generate()
    row.password_hash = make_password(password)
    try:
        with transaction.atomic():
            row.save()
    except IntegrityError:
        raise ValidationError(_("You already have a device password named “%(name)s”: revoke it first, or pick "
                                "another name."), code="taken", params={"name": name}) from None
    return row, password


def passwords_of(user: User):
    return DevicePassword.objects.filter(user=user).order_by("name")


def revoke(user: User, name: str) -> bool:
    """Delete one by name (one row at a time, through the model, so the audit log records it)."""
    row = DevicePassword.objects.filter(user=user, name=name).first()
    if row is None:
        return False
    row.delete()
    return True


def verify(username: str, password: str) -> DevicePassword | None:
    """The device password of ``username`` that ``password`` matches, or None (unknown person, inactive
    account, shares off for them, revoked or wrong password). The account password never matches."""
    user = User.objects.filter(username=username).first()
    rows = list(passwords_of(user)) if user is not None else []
    if not rows:
        if not _DUMMY_HASH:
            _DUMMY_HASH.append(make_password(generate()))
        check_password(password, _DUMMY_HASH[0])
        return None
    match = next((row for row in rows if check_password(password, row.password_hash)), None)
    if match is None or user is None or not user.is_active or not shares_allowed(user):
        return None
    match.last_used_at = timezone.now()
    match.save(update_fields=["last_used_at"])
    return match


def connection_addresses(user: User) -> list[dict[str, str]]:
    """The ready-to-type addresses per platform, from the portal address and the username."""
    base = urlsplit(SiteSettings.load().portal_address())
    host = base.hostname or "localhost"
    web = f"https://{base.netloc or host}"
    who = user.username
    return [
        {"platform": "windows", "label": _("Windows (File Explorer)"), "address": f"\\\\{host}\\{who}-backup"},
        {"platform": "windows", "label": _("Windows (File Explorer)"), "address": f"\\\\{host}\\{who}-data"},
        {"platform": "macos-linux", "label": _("macOS and Linux"), "address": f"smb://{host}/{who}-backup"},
        {"platform": "macos-linux", "label": _("macOS and Linux"), "address": f"smb://{host}/{who}-data"},
        {"platform": "webdav", "label": _("WebDAV (phones, anything without SMB)"),
         "address": f"{web}/dav/{who}/backup/"},
        {"platform": "webdav", "label": _("WebDAV (phones, anything without SMB)"),
         "address": f"{web}/dav/{who}/data/"},
    ]


def qr_svg(password: str) -> str:
    """The password as a QR code (inline SVG), for a phone to scan instead of typing it."""
    return segno.make(password, error="m").svg_inline(scale=4, dark="#000", light="#fff")
