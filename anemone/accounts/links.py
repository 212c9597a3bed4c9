"""Activation and reset links: absolute URL on the configured portal address, optionally e-mailed.

Never built from the request's Host header: with ALLOWED_HOSTS open, whoever sends a request with
``Host: evil.example`` would get links (and e-mails) pointing at their own server.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.urls import reverse
from django.utils.translation import gettext as _

from anemone.accounts import services
from anemone.accounts.models import AccountLink, User
from anemone.audit import services as audit

log = logging.getLogger(__name__)


def issue_link(user: User, purpose: str, base_url: str | None = None) -> str:
    """A fresh one-time link (24 h) as an absolute URL; e-mailed when e-mail is configured.

    ``base_url`` is for the server's own operator only (``create_user --base-url``); every web and API
    caller leaves it out and gets the portal address of the Settings page.
    """
    from anemone.models import SiteSettings

    token = services.make_link(user, purpose)
    audit.record("account_link_issued", user, purpose=purpose)
    name = "activate" if purpose == AccountLink.ACTIVATE else "reset"
    url = (base_url or SiteSettings.load().portal_address()).rstrip("/") + reverse(name, args=[token])
    if settings.EMAIL_HOST and user.email:
        subject = _("Your Anemone account") if purpose == AccountLink.ACTIVATE else _("Reset your Anemone password")
        body = _("Open this link within 24 hours:") + f"\n\n{url}\n"
        try:
            send_mail(subject, body, None, [user.email])
        except OSError:  # the link is still shown to the admin; mail is a convenience
            log.warning("could not e-mail the %s link of %s", purpose, user.username, exc_info=True)
    return url
