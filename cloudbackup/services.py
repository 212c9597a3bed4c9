"""Destination management shared by the portal, the API and `manage.py cloud_destination`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import transaction

from anemone import crypto
from anemone.audit import services as audit
from anemone.runs import targets
from cloudbackup import backends
from cloudbackup.backends import KINDS
from cloudbackup.models import Destination

SECRET_FIELDS = {"password": "password_sealed", "secret": "secret_sealed", "crypt_password": "crypt_password_sealed"}


class DestinationInvalid(ValueError):
    pass


def apply_secrets(dest: Destination, secrets: dict[str, str | None]) -> None:
    """Seal new secret values; an empty string clears one, None leaves it unchanged (write-only fields)."""
    for name, value in secrets.items():
        if value is None:
            continue
        setattr(dest, SECRET_FIELDS[name], crypto.seal(value) if value else "")


def missing_fields(kind: str, value: Callable[[str], object]) -> list[str]:
    """The fields `kind` requires that are empty; `value(name)` reads a field (from a model, a form, a request)."""
    return [name for name in KINDS[kind].required if not value(name)] if kind in KINDS else []


def check_required(dest: Destination) -> None:
    missing = missing_fields(dest.kind, lambda name: getattr(dest, name))
    if missing:
        raise DestinationInvalid(f"{dest.get_kind_display()} destinations need: {', '.join(missing)}")


@transaction.atomic
def save_destination(dest: Destination, *, secrets: dict[str, str | None] | None = None, users: Any = None,
                     carry_everyone: bool | None = None) -> Destination:
    apply_secrets(dest, secrets or {})
    check_required(dest)
    targets.save_target(dest, users=users, carry_everyone=carry_everyone)
    return dest


def forget_host_key(dest: Destination) -> None:
    """After a server was reinstalled: the next connection test pins whatever key the server shows then."""
    audit.record("host_key_forgotten", dest, host=dest.host)
    dest.host_key = ""
    dest.save(update_fields=["host_key"])
    backends.known_hosts_file(dest).unlink(missing_ok=True)


def delete_destination(dest: Destination) -> None:
    targets.delete_target(dest)


def secret_state(dest: Destination) -> dict[str, bool]:
    """Whether each secret is set — the only thing forms and the API ever show of them."""
    return {name: bool(getattr(dest, field)) for name, field in SECRET_FIELDS.items()}
