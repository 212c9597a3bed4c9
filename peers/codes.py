"""Invitation codes: one line carrying only public data, versioned and checksummed.

    ANEMONE1-<base64url(JSON)>-<first 8 hex of SHA-256 of the payload>

The JSON holds the seed's four items (WireGuard public key, SSH public key, VPN address, endpoint)
plus the server's name and SFTP port. Nothing secret ever goes in.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from dataclasses import asdict, dataclass

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


def _checksum(payload: str) -> str:
    return hashlib.sha256(payload.encode()).hexdigest()[:8]


def encode(invitation: Invitation) -> str:
    payload = base64.urlsafe_b64encode(json.dumps(asdict(invitation), separators=(",", ":")).encode()).decode().rstrip("=")
    return f"{PREFIX}-{payload}-{_checksum(payload)}"


def decode(code: str) -> Invitation:
    code = "".join(code.split())  # pasted codes often gain line breaks or spaces
    if not code.startswith(PREFIX + "-"):
        other = code.split("-", 1)[0]
        if other.startswith("ANEMONE"):
            raise CodeInvalid(f"This code is of version {other[7:]}: update Anemone to read it.")
        raise CodeInvalid("This is not an Anemone invitation code (it should start with ANEMONE1-).")
    try:
        _prefix, payload, checksum = code.split("-")
    except ValueError:
        raise CodeInvalid("The code is incomplete: copy it again, whole.") from None
    if _checksum(payload) != checksum:
        raise CodeInvalid("The code is damaged or truncated (checksum mismatch): copy it again, whole.")
    try:
        data = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        return Invitation(name=str(data["name"]), endpoint=str(data["endpoint"]), wg_public_key=str(data["wg_public_key"]),
                          ssh_public_key=str(data["ssh_public_key"]), vpn_address=str(data["vpn_address"]),
                          sftp_port=int(data["sftp_port"]))
    except (binascii.Error, ValueError, KeyError, TypeError):
        raise CodeInvalid("The code's content is not readable.") from None
