"""One login throttle for every way in, on django-axes (database handler, so every gunicorn worker
shares the counts).

The portal login, ``/admin/login/``, ``POST /api/v1/auth/token/`` (all through ``authenticate()``) and
the activation / password-reset link pages (guessed tokens, recorded here under a pseudo user name)
count in the same ``axes.AccessAttempt`` table.

Lock-out rules (issue #11, item 7):

- the unit is one user name from one client address: ``AXES_FAILURE_LIMIT`` failures lock that pair for
  the cool-off, so typos for one name (even a name that does not exist) never lock another name, and
  another client trying the same name is not punished;
- one client address is also capped as a whole, at the much higher ``ANEMONE_LOGIN_CLIENT_LIMIT``
  (password spraying over many names);
- a refused attempt during the lock is not recorded, so a phone retrying keeps no one locked out longer;
- a successful login clears its own pair only (axes' ``AXES_RESET_ON_SUCCESS`` would also wipe that
  address's failures for every other name — an attacker's own account would reset its spraying count).
"""

from __future__ import annotations

import ipaddress
import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from axes.backends import AxesStandaloneBackend
from axes.handlers.database import AxesDatabaseHandler
from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_client_username, get_failure_limit
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.signals import user_login_failed
from django.db.models import Max, QuerySet, Sum
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from python_ipware import IpWare
from rest_framework.throttling import ScopedRateThrottle

from anemone.accounts.models import AccountLink
from anemone.audit import services as audit

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address

# ipware parses one hop (ports, brackets, IPv4-mapped IPv6, RFC 7239 ``for=``) and rejects addresses
# that cannot be a client (unspecified, multicast, reserved).
_HOP_PARSER = IpWare(precedence=("HOP",))


# --- client address -----------------------------------------------------------------------------

def trusted_networks() -> list[Network]:
    """``ANEMONE_TRUSTED_PROXIES`` as networks (validated at start-up by the settings)."""
    return [ipaddress.ip_network(entry, strict=False) for entry in settings.ANEMONE_TRUSTED_PROXIES]


def _parse_hop(text: str | None) -> Address | None:
    if not text or not text.strip():
        return None
    address, _trusted = _HOP_PARSER.get_client_ip({"HOP": text.strip()})
    return address


def _is_trusted(address: Address, networks: list[Network]) -> bool:
    return any(address.version == net.version and address in net for net in networks)


def client_ip(request: HttpRequest) -> str | None:
    """The address an attempt is charged to (``AXES_CLIENT_IP_CALLABLE``).

    ``X-Forwarded-For`` is believed only when the TCP peer (``REMOTE_ADDR``) is a configured trusted
    proxy; then the chain is read right to left, skipping trusted proxies, and the first address we
    cannot vouch for is the client (nginx's ``real_ip_recursive``). axes' own
    ``AXES_IPWARE_PROXY_TRUSTED_IPS`` is not enough: ipware matches it against the hops *inside* the
    header, which a client reaching the server directly can write itself.
    """
    remote = _parse_hop(request.META.get("REMOTE_ADDR"))
    if remote is None:
        return None
    networks = trusted_networks()
    address = remote
    if _is_trusted(remote, networks):
        for hop in reversed(request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")):
            parsed = _parse_hop(hop)
            if parsed is None:  # not written by a proxy we trust: keep the last address we can vouch for
                break
            address = parsed
            if not _is_trusted(parsed, networks):
                break
    return str(address)


class ClientRateThrottle(ScopedRateThrottle):
    """DRF's scoped throttle keyed on :func:`client_ip`: DRF's own ``get_ident`` believes any
    ``X-Forwarded-For`` (``NUM_PROXIES`` unset), so a client could pick a fresh identity per request."""

    def get_ident(self, request: Any) -> str:
        return client_ip(request) or ""


# --- the axes plumbing --------------------------------------------------------------------------

def attempt_username(request: HttpRequest, credentials: dict | None = None) -> str:
    """The name an attempt is counted under (``AXES_USERNAME_CALLABLE``): stripped and lowercased, so
    ``Alice`` and ``alice `` share one count (usernames are lowercase anyway)."""
    value = (credentials or {}).get("username")
    if value is None and request is not None:
        data = getattr(request, "data", None) or getattr(request, "POST", {})
        value = data.get("username") if hasattr(data, "get") else None
    return str(value or "").strip().lower()[:150]


def cool_off(request: HttpRequest | None = None) -> timedelta:
    """``AXES_COOLOFF_TIME``: how long a lock lasts after the failure that set it."""
    return timedelta(minutes=settings.ANEMONE_LOGIN_COOLOFF_MINUTES)


def _failures(attempts: QuerySet[AccessAttempt]) -> int:
    return attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0


class ThrottleBackend(AxesStandaloneBackend):
    """Refuses a locked-out pair before any password is checked (first in ``AUTHENTICATION_BACKENDS``).

    Calls without a request (server-side code: ``manage.py shell``, commands) are not network logins:
    they pass to the next backend instead of raising axes' "request required" error.
    """

    def authenticate(self, request: HttpRequest | None, username: str | None = None,
                     password: str | None = None, **kwargs: Any) -> None:
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


class LoginThrottleHandler(AxesDatabaseHandler):
    """axes' database handler with the two limits above (``AXES_HANDLER``)."""

    def _recent(self, request: HttpRequest) -> QuerySet[AccessAttempt]:
        since = timezone.now() - cool_off(request)
        return AccessAttempt.objects.filter(attempt_time__gte=since, ip_address=request.axes_ip_address)  # type: ignore[attr-defined]

    def get_failures(self, request: HttpRequest, credentials: dict | None = None) -> int:
        """Failures of this name from this client; a client over its own ceiling counts as locked
        for every name (axes compares the result with ``AXES_FAILURE_LIMIT``)."""
        recent = self._recent(request)
        pair = _failures(recent.filter(username=get_client_username(request, credentials)))
        if _failures(recent) >= settings.ANEMONE_LOGIN_CLIENT_LIMIT:
            return max(pair, get_failure_limit(request, credentials))
        return pair

    def user_logged_in(self, sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
        super().user_logged_in(sender, request, user, **kwargs)
        clear_pair(request, user.get_username())


def has_failures(request: HttpRequest, username: str) -> bool:
    """Does this (name, client) pair have failures on record (a read: cheaper than clearing nothing)."""
    AxesProxyHandler.update_request(request)
    return AccessAttempt.objects.filter(
        username=attempt_username(request, {"username": username}),
        ip_address=request.axes_ip_address,  # type: ignore[attr-defined]
    ).exists()


def clear_pair(request: HttpRequest, username: str) -> None:
    """Forget the failures of one (name, client) pair after a good login by any door (portal, API, shares)."""
    AxesProxyHandler.update_request(request)
    AccessAttempt.objects.filter(
        username=attempt_username(request, {"username": username}),
        ip_address=request.axes_ip_address,  # type: ignore[attr-defined]
    ).delete()


# --- the answer to a locked-out client ------------------------------------------------------------

def lock_ends_at(username: str, ip_address: str | None) -> datetime:
    """When the lock on this pair (or on the whole address) ends: cool-off after its last failure."""
    recent = AccessAttempt.objects.filter(attempt_time__gte=timezone.now() - cool_off(), ip_address=ip_address)
    pair = recent.filter(username=username)
    rows = pair if _failures(pair) >= settings.AXES_FAILURE_LIMIT else recent
    last = rows.aggregate(last=Max("attempt_time"))["last"] or timezone.now()
    return last + cool_off()


def lockout_message(minutes: int) -> str:
    return ngettext(
        "Too many failed attempts from this device for this name. Wait %(minutes)d minute and try again, "
        "or ask your admin to clear the lock (Users page).",
        "Too many failed attempts from this device for this name. Wait %(minutes)d minutes and try again, "
        "or ask your admin to clear the lock (Users page).",
        minutes,
    ) % {"minutes": minutes}


def lockout_response(request: HttpRequest, original_response: HttpResponse | None = None,
                     credentials: dict | None = None) -> HttpResponse:
    """``AXES_LOCKOUT_CALLABLE``: a translated page for people, JSON ``{"detail"}`` for the API; 429
    with ``Retry-After`` either way."""
    username = attempt_username(request, credentials)
    ip_address = getattr(request, "axes_ip_address", None) or client_ip(request)
    seconds = max(1, int((lock_ends_at(username, ip_address) - timezone.now()).total_seconds()))
    message = lockout_message(math.ceil(seconds / 60))
    response: HttpResponse
    if request.path.startswith("/api/"):
        response = JsonResponse({"detail": message}, status=429)
    else:
        response = render(request, "accounts/locked_out.html",
                          {"message": message, "title": _("Too many attempts")}, status=429)
    response["Retry-After"] = str(seconds)
    return response


# --- activation and reset links (guessed tokens) -------------------------------------------------

def link_credentials(purpose: str) -> dict[str, str]:
    """Link guesses count under a pseudo name (``link:activate``, ``link:reset``) that no account can
    have (usernames have no ':'), from the client's address like any other failure."""
    return {"username": f"link:{purpose}"}


def link_guessing_blocked(request: HttpRequest, purpose: str) -> bool:
    return not AxesProxyHandler.is_allowed(request, link_credentials(purpose))


def record_link_failure(request: HttpRequest, token: str, purpose: str) -> None:
    """Count a link token that never existed. Used or expired links are real links a person clicked
    again, not guesses, so they do not count."""
    if AccountLink.objects.filter(token_hash=AccountLink.hash_token(token)).exists():
        return
    user_login_failed.send(sender=__name__, credentials=link_credentials(purpose), request=request)


# --- what admins see and clear ------------------------------------------------------------------

@dataclass(frozen=True)
class Lockout:
    """A locked pair, or a whole address when ``username`` is empty."""

    username: str
    ip_address: str | None
    failures: int
    ends_at: datetime


def lockouts() -> list[Lockout]:
    """Current locks: pairs at the failure limit, then addresses over the client ceiling."""
    recent = AccessAttempt.objects.filter(attempt_time__gte=timezone.now() - cool_off())
    pairs = (recent.values("username", "ip_address").annotate(n=Sum("failures_since_start"), last=Max("attempt_time"))
             .filter(n__gte=settings.AXES_FAILURE_LIMIT).order_by("-last"))
    clients = (recent.values("ip_address").annotate(n=Sum("failures_since_start"), last=Max("attempt_time"))
               .filter(n__gte=settings.ANEMONE_LOGIN_CLIENT_LIMIT).order_by("-last"))
    found = [Lockout(row["username"] or "", row["ip_address"], row["n"], row["last"] + cool_off()) for row in pairs]
    found += [Lockout("", row["ip_address"], row["n"], row["last"] + cool_off()) for row in clients]
    return found


def clear_lockout(ip_address: str | None, username: str = "") -> int:
    """Forget the failures of one pair, or of a whole address when no name is given. Returns rows removed."""
    attempts = AccessAttempt.objects.filter(ip_address=ip_address or None)
    if username:
        attempts = attempts.filter(username=username)
    count, _details = attempts.delete()
    audit.record("login_lock_cleared", AccessAttempt, label=f"{username or '*'} @ {ip_address or '?'}",
                 username=username, ip_address=ip_address, attempts=count)
    return count
