"""HTTPS by default (``make run``'s ``https`` process serves the portal with its certificate, ``anemone.tls``).

- Cookies are Secure on every response to a request that came over HTTPS (the session and CSRF cookies
  are never sent back over plain HTTP). Plain HTTP stays on loopback for scripts (``ANEMONE_BIND``); a
  cookie set there is not Secure, so a script can still log in there.
- When plain HTTP listens beyond loopback (an admin set ``ANEMONE_BIND=0.0.0.0:8000``), a request from
  another machine over it is redirected to the HTTPS port instead of being served: passwords and session
  cookies never cross the LAN in clear. ``/health`` answers on both (monitoring).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect

EXEMPT_PATHS = ("/health",)


def _is_loopback(address: str) -> bool:
    try:
        return ipaddress.ip_address(address.strip("[]")).is_loopback
    except ValueError:
        return False


def plain_http_on_the_lan() -> bool:
    host = settings.SERVER_BIND.rpartition(":")[0]
    return bool(settings.HTTPS_BIND) and not _is_loopback(host)


def https_port() -> str:
    return settings.HTTPS_BIND.rpartition(":")[2]


class HttpsMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.is_secure() and plain_http_on_the_lan() and request.path not in EXEMPT_PATHS \
                and not _is_loopback(request.META.get("REMOTE_ADDR", "")):
            host = request.get_host().rsplit(":", 1)[0] if not request.get_host().endswith("]") else request.get_host()
            return HttpResponsePermanentRedirect(f"https://{host}:{https_port()}{request.get_full_path()}")
        response = self.get_response(request)
        if request.is_secure():
            for name in (settings.SESSION_COOKIE_NAME, settings.CSRF_COOKIE_NAME, settings.LANGUAGE_COOKIE_NAME):
                if name in response.cookies:
                    response.cookies[name]["secure"] = True
        return response
