"""Two-factor login (TOTP and one-time recovery codes) through django-otp.

- Anyone may turn it on (*My account → Two-factor login*): scan a QR code with an authenticator app,
  type one code to confirm, and get ten recovery codes, shown once, each good for one login.
- Once on, every way in asks for a code: the login page (a second step; the person is not logged in
  until the code is right), the Django admin (its own login form logs in with the password only, and
  ``UnverifiedSessionMiddleware`` ends such a session at its next request), and ``POST /api/v1/auth/token/``
  (the ``otp`` field). Wrong codes count in the login throttle like wrong passwords.
- Admins cannot turn their own second factor off (an admin account is what an attacker wants); another
  admin can reset anyone's, which the audit log records, and people can turn theirs off with a code.
"""

from __future__ import annotations

from collections.abc import Callable

import segno
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django_otp import match_token
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from anemone.accounts.models import User

RECOVERY_CODES = 10
AUTHENTICATOR = "authenticator"
RECOVERY = "recovery codes"


def enabled(user: User) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def start_enrolment(user: User) -> TOTPDevice:
    """A new, unconfirmed authenticator (replacing an unconfirmed one left from an earlier try)."""
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return TOTPDevice.objects.create(user=user, name=AUTHENTICATOR, confirmed=False)


def pending_device(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=False).first()


def qr_svg(device: TOTPDevice) -> str:
    """The otpauth:// address as a QR code for the authenticator app (inline SVG)."""
    return segno.make(device.config_url, error="m").svg_inline(scale=4, dark="#000", light="#fff")


def secret_text(device: TOTPDevice) -> str:
    """The secret in base32, grouped by four, for typing into an app that cannot scan."""
    from base64 import b32encode

    text = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(text[i:i + 4] for i in range(0, len(text), 4))


def confirm_enrolment(user: User, code: str) -> list[str] | None:
    """Confirm the pending authenticator with one of its codes; returns the new recovery codes (shown
    once), or None when the code is wrong."""
    device = pending_device(user)
    if device is None or not device.verify_token(normalize(code)):
        return None
    TOTPDevice.objects.filter(user=user, confirmed=True).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save()
    return new_recovery_codes(user)


def new_recovery_codes(user: User) -> list[str]:
    """Ten new one-time codes; the old ones stop working."""
    StaticDevice.objects.filter(user=user).delete()
    static = StaticDevice.objects.create(user=user, name=RECOVERY)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create([StaticToken(device=static, token=code) for code in codes])
    return codes


def recovery_codes_left(user: User) -> int:
    return StaticToken.objects.filter(device__user=user).count()


def normalize(code: str) -> str:
    return "".join(str(code or "").split())[:32]


def verify(user: User, code: str) -> Device | None:
    """The device that ``code`` is good for (an authenticator code, or a recovery code, used up), or None."""
    code = normalize(code)
    if not code:
        return None
    return match_token(user, code)


def disable(user: User) -> None:
    """Remove every second factor of this person (their own choice, or an admin's reset)."""
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()


def reset_by_admin(user: User) -> None:
    from anemone.audit.services import record

    disable(user)
    record("two_factor_reset", user)


class UnverifiedSessionMiddleware:
    """A logged-in session of someone with two-factor on that never gave a code (the Django admin's own
    login form, for one) is ended: they log in again through the login page, which asks for the code.
    After django-otp's ``OTPMiddleware``."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not user.is_verified() and enabled(user):
            logout(request)
        return self.get_response(request)
