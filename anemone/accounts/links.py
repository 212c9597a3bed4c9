"""Activation and reset links: absolute URL, optionally e-mailed."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.urls import reverse
from django.utils.translation import gettext as _

from anemone.accounts import services
from anemone.accounts.models import AccountLink, User

log = logging.getLogger(__name__)


def issue_link(user: User, purpose: str, base_url: str) -> str:
    """A fresh one-time link (24 h) as an absolute URL; e-mailed when e-mail is configured."""
    token = services.make_link(user, purpose)
    name = "activate" if purpose == AccountLink.ACTIVATE else "reset"
    url = base_url.rstrip("/") + reverse(name, args=[token])
    if settings.EMAIL_HOST and user.email:
        subject = _("Your Anemone account") if purpose == AccountLink.ACTIVATE else _("Reset your Anemone password")
        body = _("Open this link within 24 hours:") + f"\n\n{url}\n"
        try:
            send_mail(subject, body, None, [user.email])
        except OSError:  # the link is still shown to the admin; mail is a convenience
            log.warning("could not e-mail the %s link of %s", purpose, user.username, exc_info=True)
    return url
