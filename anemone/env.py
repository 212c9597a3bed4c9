"""Reading the environment strictly: a value that is not what a setting takes stops the start with an error
naming the variable (settings.py and anything else configured by environment variables use these)."""

import ipaddress
import os

from django.core.exceptions import ImproperlyConfigured


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def env_bool(name: str, default: bool = False) -> bool:
    """A yes/no variable; anything but 1/0, true/false, yes/no, on/off is an error, so that a typo
    (``ANEMONE_DEBUG=ture``) stops the start instead of silently meaning "no"."""
    value = os.environ.get(name, "").strip().lower()
    if not value:
        return default
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(
        f"{name}={os.environ[name]!r} is not a yes/no value: use 1/0, true/false, yes/no or on/off.")


def env_int(name: str, default: int) -> int:
    """A whole-number variable; a value that is not one is an error naming the variable."""
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={os.environ[name]!r} is not a whole number.") from None


def env_choice(name: str, default: str, choices: tuple[str, ...]) -> str:
    """One of a fixed set of words; anything else is an error listing them."""
    value = os.environ.get(name, "").strip().lower() or default
    if value not in choices:
        raise ImproperlyConfigured(f"{name}={os.environ[name]!r} is not one of: {', '.join(choices)}.")
    return value


def env_networks(name: str) -> list[str]:
    """Comma-separated addresses or CIDRs; a value that is neither is an error naming it."""
    entries = [entry.strip() for entry in env_str(name).split(",") if entry.strip()]
    for entry in entries:
        try:
            ipaddress.ip_network(entry, strict=False)
        except ValueError:
            raise ImproperlyConfigured(f"{name}: {entry!r} is not an IP address or network (CIDR).") from None
    return entries
