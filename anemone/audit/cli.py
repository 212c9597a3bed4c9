"""Changes made by a management command are recorded with the command as the actor.

A command runs without a request, so there is no person to record: each entry carries
``cli: <command> (<OS user>)`` in ``actor_email`` (auditlog's snapshot of who acted) and no address.
The one entry every command passes through is ``BaseCommand.execute`` (``manage.py``, ``django-admin`` and
``call_command`` alike), wrapped once at start-up. Long-running servers are left out: what their workers
save is the system's doing, not a command typed by an admin.
"""

from __future__ import annotations

import os
import pwd
from contextvars import ContextVar
from functools import wraps
from typing import Any

from auditlog.context import set_extra_data
from django.core.management.base import BaseCommand

SERVERS = {"runserver", "qcluster", "serve_sftp", "serve_smb", "testserver", "runserver_plus"}
_active: ContextVar[str | None] = ContextVar("anemone_audit_command", default=None)


def os_user() -> str:
    """The account the command runs as (from the process's uid, not from $USER, which anyone can set), and who
    ran it through sudo when that is how it was started (``anemone, sudo by bob``)."""
    try:
        name = pwd.getpwuid(os.geteuid()).pw_name
    except KeyError:  # no name for this uid (a container's arbitrary uid)
        name = str(os.geteuid())
    by = os.environ.get("SUDO_USER", "")
    return f"{name}, sudo by {by}" if by and by != name else name


def label(command: str) -> str:
    return f"cli: {command} ({os_user()})"


def current() -> str | None:
    """The label of the command being run in this context, if any."""
    return _active.get()


def _command_name(command: BaseCommand) -> str:
    return type(command).__module__.rsplit(".", 1)[-1]


def install() -> None:
    if getattr(BaseCommand.execute, "_audited", False):
        return
    original = BaseCommand.execute

    @wraps(original)
    def execute(self: BaseCommand, *args: Any, **options: Any) -> Any:
        name = _command_name(self)
        if name in SERVERS or _active.get() is not None:  # a command called by a command keeps the outer one
            return original(self, *args, **options)
        who = label(name)
        token = _active.set(who)
        try:
            with set_extra_data({"actor": None, "actor_email": who, "remote_addr": None, "remote_port": None}):
                return original(self, *args, **options)
        finally:
            _active.reset(token)

    execute._audited = True  # type: ignore[attr-defined]
    BaseCommand.execute = execute  # type: ignore[method-assign]
