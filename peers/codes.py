"""Invitation codes: one line carrying only public data, versioned and checksummed.

    ANEMONE1-<base64url(JSON)>-<first 8 hex of SHA-256 of the payload>

The JSON holds the seed's four items (WireGuard public key, SSH public key, VPN address, endpoint)
plus the server's name and SFTP port, and whether the server already has peers (``settled``: on a
clash of tunnel addresses a settled server keeps its address; peers.pairing decides who moves).
Optionally, the inviting admin's contact address and language (``contact_email``, ``contact_language``):
the friend's server tells it when our backups to it stop (peers.watches). Both are left out of the JSON
when empty, so a code without a contact is the same as before, and older codes decode as before.
Nothing secret ever goes in. A code is typed or pasted by anyone: every field is checked as strictly
as the peer form checks it before anything of it reaches the database or the WireGuard configuration.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from dataclasses import asdict, dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

PREFIX = "ANEMONE1"


class CodeInvalid(ValueError):
    pass


@dataclass(frozen=True)
class Invitation:
    name: str
    endpoint: str
    wg_public_key: str
    ssh_public_key: str
    vpn_address: str
    sftp_port: int
    settled: bool = False  # we already have peers: on a clash, the friend's server moves, not us
    contact_email: str = ""  # the inviting side's admin, told when its backups to the friend stop
    contact_language: str = ""  # that admin's language ("" = the friend's default)


def _checksum(payload: str) -> str:
    return hashlib.sha256(payload.encode()).hexdigest()[:8]


def encode(invitation: Invitation) -> str:
    data = asdict(invitation)
    for optional in ("contact_email", "contact_language"):
        if not data[optional]:
            del data[optional]
    payload = base64.urlsafe_b64encode(json.dumps(data, separators=(",", ":")).encode()).decode().rstrip("=")
    return f"{PREFIX}-{payload}-{_checksum(payload)}"


def decode(code: str) -> Invitation:
    code = "".join(code.split())  # pasted codes often gain line breaks or spaces
    if not code.startswith(PREFIX + "-"):
        other = code.split("-", 1)[0]
        if other.startswith("ANEMONE"):
            raise CodeInvalid(_("This code is of version %(version)s: update Anemone to read it.") % {"version": other[7:]})
        raise CodeInvalid(_("This is not an Anemone invitation code (it should start with ANEMONE1-)."))
    try:
        _prefix, payload, checksum = code.split("-")
    except ValueError:
        raise CodeInvalid(_("The code is incomplete: copy it again, whole.")) from None
    if _checksum(payload) != checksum:
        raise CodeInvalid(_("The code is damaged or truncated (checksum mismatch): copy it again, whole."))
    try:
        data = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except (binascii.Error, ValueError):
        raise CodeInvalid(_("The code's content is not readable.")) from None
    return validate(data)


def _field(data: dict, name: str, kind: type, default: object = None) -> object:
    value = data.get(name, default)
    if value is None or type(value) is not kind:  # bool is not an int here, a number is not a name
        raise CodeInvalid(_("The code's field %(field)s is missing or of the wrong kind.") % {"field": name})
    return value


def _check(name: str, check, value) -> None:
    try:
        check(value)
    except (ValidationError, ValueError) as exc:
        reason = " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
        raise CodeInvalid(_("The code's field %(field)s is refused: %(reason)s") % {"field": name, "reason": reason}) from None


def _wg_key(value: str) -> None:
    from anemone.engines import wireguard

    if not wireguard.is_valid_key(value) or len(value) != 44:
        raise ValueError(_("a WireGuard public key is 44 characters of base64 (32 bytes)."))


def _ssh_key(value: str) -> None:
    from anemone.engines import ssh

    if any(char in value for char in "\r\n\t\0") or value != value.strip():
        raise ValueError(_("an SSH public key is one line."))
    ssh.parse_public_key(value)


def _port(value: int) -> None:
    if not 1 <= value <= 65535:
        raise ValueError(_("a port is between 1 and 65535."))


def _email(value: str) -> None:
    from django.core.validators import validate_email

    if value:
        if len(value) > 254:
            raise ValueError(_("an e-mail address has at most 254 characters."))
        validate_email(value)


def _language(value: str) -> None:
    from django.conf import settings

    if value and value not in settings.LANGUAGE_CODES:
        raise ValueError(_("a language is one of %(codes)s.") % {"codes": ", ".join(settings.LANGUAGE_CODES)})


def validate(data: object) -> Invitation:
    """An Invitation from decoded JSON, each field checked with the rules of the peer form."""
    from anemone.validators import safe_name_validator
    from peers.models import validate_endpoint, validate_vpn_address

    if not isinstance(data, dict):
        raise CodeInvalid(_("The code's content is not readable."))
    invitation = Invitation(
        name=_field(data, "name", str), endpoint=_field(data, "endpoint", str),  # type: ignore[arg-type]
        wg_public_key=_field(data, "wg_public_key", str), ssh_public_key=_field(data, "ssh_public_key", str),  # type: ignore[arg-type]
        vpn_address=_field(data, "vpn_address", str), sftp_port=_field(data, "sftp_port", int),  # type: ignore[arg-type]
        settled=_field(data, "settled", bool, False),  # type: ignore[arg-type]
        contact_email=_field(data, "contact_email", str, ""), contact_language=_field(data, "contact_language", str, ""))  # type: ignore[arg-type]
    for name, check in (("name", safe_name_validator), ("endpoint", validate_endpoint), ("wg_public_key", _wg_key),
                        ("ssh_public_key", _ssh_key), ("vpn_address", validate_vpn_address), ("sftp_port", _port),
                        ("contact_email", _email), ("contact_language", _language)):
        _check(name, check, getattr(invitation, name))
    return invitation
