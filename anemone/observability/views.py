"""``/metrics`` (admin token or local address) and ``/ready`` (open, like ``/health``: it names checks only).

Who may scrape ``/metrics``: a request whose client address is the loopback, or one carrying a staff user's API
token (``Authorization: Token <token>``, django-rest-knox, the same tokens as the API). The client address is
``anemone.accounts.throttle.client_ip``: ``X-Forwarded-For`` counts only from ANEMONE_TRUSTED_PROXIES. A loopback
peer that forwards for someone (a reverse proxy on this machine that is not declared trusted) is not local: it
adds forwarding headers, and the real client behind it is unknown. No credentials: 401; anything else: 403.
"""

from __future__ import annotations

import ipaddress

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from knox.auth import TokenAuthentication
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from rest_framework.exceptions import AuthenticationFailed

from anemone.accounts.throttle import client_ip, trusted_networks
from anemone.observability.collector import REGISTRY
from anemone.observability.readiness import readiness

FORWARDING_HEADERS = ("HTTP_X_FORWARDED_FOR", "HTTP_FORWARDED", "HTTP_X_REAL_IP")


def _peer_is_trusted_proxy(request: HttpRequest) -> bool:
    try:
        peer = ipaddress.ip_address(request.META.get("REMOTE_ADDR", "").strip().strip("[]"))
    except ValueError:
        return False
    if isinstance(peer, ipaddress.IPv6Address) and peer.ipv4_mapped:
        peer = peer.ipv4_mapped
    return any(peer.version == net.version and peer in net for net in trusted_networks())


def is_local(request: HttpRequest) -> bool:
    """The client is this machine: its address (through trusted proxies only) is the loopback. A request that
    carries forwarding headers counts only when a trusted proxy sent it and its X-Forwarded-For chain leads to
    the loopback: from anyone else (an undeclared proxy on this machine, one that only sets X-Real-IP) the
    loopback peer is a proxy, and the real client behind it is unknown."""
    address = client_ip(request)
    if address is None or not ipaddress.ip_address(address).is_loopback:
        return False
    if not any(request.META.get(header) for header in FORWARDING_HEADERS):
        return True
    return bool(request.META.get("HTTP_X_FORWARDED_FOR")) and _peer_is_trusted_proxy(request)


def refusal(request: HttpRequest) -> HttpResponse | None:
    """None when the request may read the metrics, else the 401 or 403 answer."""
    if is_local(request):
        return None
    try:
        found = TokenAuthentication().authenticate(request)
    except AuthenticationFailed:
        found = None
        unauthorized = True
    else:
        unauthorized = found is None
    if found is not None and found[0].is_staff:
        return None
    if unauthorized:
        response = HttpResponse(_("An admin's API token is needed (Authorization: Token <token>).") + "\n",
                                status=401, content_type="text/plain; charset=utf-8")
        response["WWW-Authenticate"] = "Token"
        return response
    return HttpResponse(_("Only an admin's API token or this server itself may read the metrics.") + "\n",
                        status=403, content_type="text/plain; charset=utf-8")


@require_safe
@never_cache
def metrics(request: HttpRequest) -> HttpResponse:
    """The Prometheus text exposition of anemone.observability.collector, read fresh from the database."""
    refused = refusal(request)
    if refused is not None:
        return refused
    return HttpResponse(generate_latest(REGISTRY), content_type=CONTENT_TYPE_LATEST)


@require_safe
@never_cache
def ready(request: HttpRequest) -> HttpResponse:
    """200 when every readiness check passes, else 503; the JSON body names each check and why it fails."""
    ok, checks = readiness()
    body = {"status": "ready" if ok else "not ready", "checks": checks,
            "failing": [name for name, result in checks.items() if result["status"] != "ok"]}
    return JsonResponse(body, status=200 if ok else 503)
