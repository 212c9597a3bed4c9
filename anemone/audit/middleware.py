"""Who acted and from where, for every audit entry written while a request is served.

django-auditlog's middleware with two changes: the address is the one the login throttle charges
(``accounts.throttle.client_ip``: ``X-Forwarded-For`` only from ``ANEMONE_TRUSTED_PROXIES``; auditlog's own
believes any client's header), and the actor is looked up when an entry is written rather than when the
request comes in, because the API authenticates a token inside the view (DRF then sets ``request.user``).
"""

from __future__ import annotations

from typing import Any

from auditlog.middleware import AuditlogMiddleware
from django.contrib.auth import get_user_model
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from anemone.accounts.throttle import client_ip


def _actor(request: HttpRequest) -> Any:
    user = getattr(request, "user", None)
    return user if isinstance(user, get_user_model()) and user.is_authenticated else None


class AuditMiddleware(AuditlogMiddleware):
    @staticmethod
    def _get_remote_addr(request: HttpRequest) -> str | None:
        return client_ip(request)

    @staticmethod
    def _get_remote_port(request: HttpRequest) -> int | None:
        return None  # a client-written X-Forwarded-Port says nothing we can vouch for

    @staticmethod
    def _get_actor(request: HttpRequest) -> Any:
        return SimpleLazyObject(lambda: _actor(request))
