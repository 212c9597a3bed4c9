"""Validators shared by every app, used on model fields so forms, serializers, the CLI and the admin agree.

A name typed by someone (a username, a destination, a USB job, a peer, the server's name) ends up as a
folder name, an argument of restic/rclone/wg or a line of a configuration file. One rule for all of them:
a character that is harmless in a web form can split a config line (newline), be read as an option
(leading ``-``) or climb out of a folder (``/``, ``..``).
"""

from __future__ import annotations

import ipaddress
import re
import unicodedata
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

SAFE_NAME_MAX_LENGTH = 64
# Cc: control (newline, tab, NUL, ESC…), Cf: format (zero-width, bidi overrides), Zl/Zp: line/paragraph separators.
_FORBIDDEN_CATEGORIES = {"Cc", "Cf", "Zl", "Zp"}
_HOST = re.compile(r"[a-z0-9]([a-z0-9.-]*[a-z0-9])?|[0-9a-f:.]+")
URL_HINT = _("Enter an address like https://nas.example.org or http://192.0.2.10:8000.")


def safe_name_validator(value: str) -> None:
    """Refuse a name that could not safely become a folder, an engine argument or a config line."""
    if not value or len(value) > SAFE_NAME_MAX_LENGTH:
        raise ValidationError(_("A name has 1 to %(max)d characters."), code="length",
                              params={"max": SAFE_NAME_MAX_LENGTH})
    if any(unicodedata.category(char) in _FORBIDDEN_CATEGORIES for char in value):
        raise ValidationError(_("A name cannot hold line breaks, tabs or other control characters."), code="control")
    if value.startswith("-"):
        raise ValidationError(_("A name cannot start with '-'."), code="dash")
    if "/" in value or "\\" in value or value in (".", ".."):
        raise ValidationError(_("A name cannot hold '/' or '\\', nor be '.' or '..'."), code="slash")
    if value != value.strip():
        raise ValidationError(_("A name cannot start or end with a space."), code="space")


# Login names with a meaning of their own on a host's SFTP endpoint (peers.auth_proxy.STATUS_USER: the read-only
# view of the host's status file): a server with that name could not reach its own folder at its friends'.
RESERVED_SERVER_NAMES = frozenset({"anemone-status"})


def server_name_validator(value: str) -> None:
    """A server's name is also its login and folder at friends' servers: safe, and not a reserved login."""
    safe_name_validator(value)
    if value.strip().lower() in RESERVED_SERVER_NAMES:
        raise ValidationError(_("“%(name)s” is reserved: choose another server name."), code="reserved",
                              params={"name": value})


def http_url_validator(value: str) -> None:
    """An absolute http(s) address with a plain host, no user, query or fragment (the portal address).

    Django's URLValidator refuses single-label hosts such as ``http://nas:8000``, common at home.
    """
    if any(unicodedata.category(char) in _FORBIDDEN_CATEGORIES for char in value) or " " in value:
        raise ValidationError(URL_HINT, code="url")
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 — raises ValueError on a bad port
    except ValueError as exc:
        raise ValidationError(URL_HINT, code="url") from exc
    if parts.scheme not in ("http", "https") or not parts.hostname or not _HOST.fullmatch(parts.hostname) \
            or parts.query or parts.fragment or parts.username or parts.password or value.endswith(("?", "#")):
        raise ValidationError(URL_HINT, code="url")


def listen_address_validator(value: str) -> None:
    """``ADDRESS:PORT`` a server binds: a literal IPv4 address, or ``[IPv6]``, and a port 1–65535. A host name
    is refused: it would be resolved at every start and could bind somewhere nobody meant."""
    host, sep, port = (value or "").rpartition(":")
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    try:
        ipaddress.ip_address(host)
        valid = bool(sep) and port.isdigit() and 1 <= int(port) <= 65535
    except ValueError:
        valid = False
    if not valid:
        raise ValidationError(_("Give an address and a port, e.g. 0.0.0.0:445 or [::]:445."), code="listen")
