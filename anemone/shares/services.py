"""Device passwords: create (the value is returned once), list, revoke, verify; the connection addresses;
the login of a device through the one login throttle, counted for the metrics.

``verify`` looks a digest up (one indexed query, whoever the name), so the time taken does not tell which
usernames exist. ``authenticate`` is what the WebDAV door calls for each request: the django-axes throttle
every other way in uses (same name + client address, same limits, same lock list on the Users page).
"""

from __future__ import annotations

import hashlib
import io
import secrets
from urllib.parse import urlsplit

import segno
from axes.handlers.proxy import AxesProxyHandler
from Crypto.Hash import MD4
from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import ValidationError
from django.core.handlers.wsgi import WSGIRequest
from django.db import IntegrityError, transaction
from django.db.models import F, Max
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from anemone import crypto
from anemone.accounts import throttle
from anemone.accounts.models import User
from anemone.models import SiteSettings
from anemone.shares.models import SMB_LOGIN_SEPARATOR, DevicePassword, ShareAccess, ShareLogin, ShareSettings

# No 0/o, 1/l/i: read off a screen and typed on a phone. 31 symbols, 25 of them: about 124 bits.
ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz"
GROUPS, GROUP_LENGTH = 5, 5


class DeviceLoginLocked(PermissionError):
    """Too many failed logins for this name from this client: refused before any password is looked at."""


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
    row.password_hash = digest(password)
    row.smb_nt_hash = crypto.seal(nt_hash(password))
    try:
        with transaction.atomic():
            row.number = (DevicePassword.objects.filter(user=user).aggregate(n=Max("number"))["n"] or 0) + 1
            row.save()
    except IntegrityError:
        raise ValidationError(_("You already have a device password named “%(name)s”: revoke it first, or pick "
                                "another name."), code="taken", params={"name": name}) from None
    return row, password


def passwords_of(user: User):
    return DevicePassword.objects.filter(user=user).select_related("user").order_by("name")


def revoke(user: User, name: str) -> bool:
    """Delete one by name (one row at a time, through the model, so the audit log records it)."""
    row = DevicePassword.objects.filter(user=user, name=name).first()
    if row is None:
        return False
    row.delete()
    return True


def digest(password: str) -> str:
    return "sha256$" + hashlib.sha256(password.encode("utf-8")).hexdigest()


def nt_hash(password: str) -> str:
    """MD4 of the UTF-16LE value, upper-case hex: the form Samba's passdb (``smbpasswd`` files) holds."""
    return MD4.new(password.encode("utf-16-le")).hexdigest().upper()


def split_login(login: str) -> tuple[str, int | None]:
    """``zoe`` → (zoe, None): any of her device passwords; ``zoe~3`` → (zoe, 3): that one only (SMB logins)."""
    username, sep, number = login.rpartition(SMB_LOGIN_SEPARATOR)
    if sep and username and number.isdigit():
        return username, int(number)
    return login, None


def verify(login: str, password: str, *, touch_used: bool = True) -> DevicePassword | None:
    """The device password of ``login`` (a username, or a device's SMB login) that ``password`` is, or None
    (unknown person, inactive account, shares off for them, revoked or wrong password). The account
    password never matches: it is not a device password."""
    if not isinstance(password, str) or not isinstance(login, str):
        return None
    username, number = split_login(login)
    rows = (DevicePassword.objects.filter(user__username=username, password_hash=digest(password), user__is_active=True)
            .exclude(user__share_access__enabled=False).select_related("user"))  # one query, whoever asks
    if number is not None:
        rows = rows.filter(number=number)
    match = rows.first()
    if match is None:
        return None
    if touch_used:
        touch(match)
    return match


def touch(row: DevicePassword) -> bool:
    """Record "last used" at most once a minute (a WebDAV client sends credentials with every request).
    Returns whether it was recorded now."""
    now = timezone.now()
    if row.last_used_at is None or (now - row.last_used_at).total_seconds() >= 60:
        row.last_used_at = now
        DevicePassword.objects.filter(pk=row.pk).update(last_used_at=now)
        return True
    return False


def count_login(protocol: str, outcome: str) -> None:
    """One more share login of this protocol and outcome (ok / failed / locked), for ``/metrics``."""
    counter, _created = ShareLogin.objects.get_or_create(protocol=protocol, outcome=outcome)
    ShareLogin.objects.filter(pk=counter.pk).update(count=F("count") + 1)


def authenticate(request: HttpRequest, protocol: str, login: str, password: str) -> DevicePassword | None:
    """A device login through the one login throttle: refused while (name, client) is locked, a failure
    counted like a wrong portal password, a success clearing that pair. Raises DeviceLoginLocked."""
    username, _number = split_login(login)
    credentials = {"username": username}
    if not AxesProxyHandler.is_allowed(request, credentials):
        count_login(protocol, "locked")
        raise DeviceLoginLocked(login)
    match = verify(login, password, touch_used=False)
    if match is None:
        record_login(request, protocol, login, ok=False)
    elif touch(match) or throttle.has_failures(request, username):
        # A WebDAV client sends its password with every request: a login is counted (and the pair's
        # failures cleared) once a minute per device, not on each of the thousand PUTs of a photo folder.
        record_login(request, protocol, login, ok=True)
    return match


def record_login(request: HttpRequest, protocol: str, login: str, *, ok: bool) -> None:
    """Count a device login and tell the throttle: a failure counts like a wrong portal password, a
    success clears that (name, client) pair. The SMB side calls it for each login smbd reports."""
    username, _number = split_login(login)
    count_login(protocol, "ok" if ok else "failed")
    if ok:
        throttle.clear_pair(request, username)
    else:
        user_login_failed.send(sender=__name__, credentials={"username": username}, request=request)


def client_request(client_ip: str, path: str) -> HttpRequest:
    """A stand-in request from a client address, for the throttle (which keys on name and address) when
    the login did not come over HTTP (smbd reports it)."""
    return WSGIRequest({"REQUEST_METHOD": "POST", "PATH_INFO": path, "SCRIPT_NAME": "", "REMOTE_ADDR": client_ip,
                        "SERVER_NAME": "localhost", "SERVER_PORT": "445", "wsgi.url_scheme": "http",
                        "wsgi.input": io.BytesIO(), "CONTENT_LENGTH": "0"})


def device_of(login: str) -> DevicePassword | None:
    """The device password behind an SMB login (``zoe~3``), or None."""
    username, number = split_login(login)
    if number is None:
        return None
    return DevicePassword.objects.filter(user__username=username, number=number).select_related("user").first()


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


def share_settings() -> ShareSettings:
    return ShareSettings.load()


def configure(*, smb: bool | None = None, webdav: bool | None = None, smb_listen: str | None = None) -> ShareSettings:
    """Turn the protocols on or off and set smbd's address, validated like the form; saved through the model
    so the audit log records the change and the SMB side regenerates Samba's configuration."""
    current = ShareSettings.load()
    if smb is not None:
        current.smb_enabled = smb
    if webdav is not None:
        current.webdav_enabled = webdav
    if smb_listen is not None:
        current.smb_listen = smb_listen.strip()
    current.full_clean()
    current.save()
    return current
