"""Test connection: host key (trust on first use, then pinned), list, write and delete a probe file.

Outcomes are named as the seed's troubleshooting names them; raw remote banners are never shown.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from anemone.engines import rclone, ssh
from cloudbackup import backends, keys
from cloudbackup.models import Destination, Kind


@dataclass
class TestResult:
    ok: bool
    outcome: str  # ok | unreachable | auth_refused | key_missing | host_key_changed | path_missing | not_writable | error
    message: str
    details: list[str] = field(default_factory=list)


def pin_host_key(dest: Destination) -> TestResult | None:
    """SFTP only: pin the host key on first use; refuse a changed one with both fingerprints.

    Test connection and the first sync of a destination never tested both pin: rclone is then always
    given the pinned key, never run without host key checking."""
    pinned_type = ssh.host_key_algorithms(dest.host_key).split() if dest.host_key else None
    try:
        seen = ssh.fetch_host_key(dest.host, dest.port, algorithms=pinned_type)
    except ssh.HostKeyTypeGone:
        return TestResult(False, "host_key_changed", _(
            "The server no longer offers the pinned host key (%(old)s). If the server was reinstalled, clear the "
            "pinned key on the destination's page; otherwise someone may be impersonating it."
        ) % {"old": ssh.host_key_fingerprint(dest.host_key)})
    except ssh.HostUnreachable as exc:
        return TestResult(False, "unreachable", _("Server unreachable: %(why)s. Check the host name, the port, "
                                                  "that the SSH service runs and that the firewall allows it.") % {"why": exc})
    if not dest.host_key:
        dest.host_key = seen
        dest.save(update_fields=["host_key"])
        return None
    if seen.split()[1:3] != dest.host_key.split()[1:3]:
        return TestResult(False, "host_key_changed", _(
            "The server's host key changed: pinned %(old)s, now %(new)s. If the server was reinstalled, "
            "clear the pinned key on the destination's page; otherwise someone may be impersonating it."
        ) % {"old": ssh.host_key_fingerprint(dest.host_key), "new": ssh.host_key_fingerprint(seen)})
    return None


def _explain(dest: Destination, error: rclone.RcloneError) -> TestResult:
    if isinstance(error, rclone.RcloneAuthRefused):
        hint = ""
        if dest.kind == Kind.SFTP and not dest.password_sealed and keys.public_key():
            hint = " " + _("Add this line to ~%(user)s/.ssh/authorized_keys on the server: %(line)s") % {
                "user": dest.username, "line": keys.authorized_keys_line(keys.public_key() or "")}
        return TestResult(False, "auth_refused", _("Authentication refused.") + hint)
    if isinstance(error, rclone.RcloneKeyUnreadable):
        return TestResult(False, "key_missing", _("Anemone's SSH key %(path)s is missing or is not a private key: "
                                                  "generate it on the Cloud page, or correct the key path.")
                          % {"path": dest.key_path})
    if isinstance(error, rclone.RcloneHostKeyMismatch):
        return TestResult(False, "host_key_changed", _("The server's host key does not match the pinned one."))
    if isinstance(error, rclone.RcloneUnreachable):
        return TestResult(False, "unreachable", _("Server unreachable: %(why)s.") % {"why": error})
    if isinstance(error, rclone.RclonePathMissing):
        return TestResult(False, "path_missing", _("The remote path %(path)s does not exist: create it on the "
                                                   "server and give the backup user write access.") % {"path": dest.remote_path or "/"})
    if isinstance(error, rclone.RclonePermissionDenied):
        return TestResult(False, "not_writable", _("The remote path %(path)s is not writable by %(user)s: fix its "
                                                   "owner or permissions.") % {"path": dest.remote_path or "/", "user": dest.username or _("this account")})
    return TestResult(False, "error", str(error))


def test_connection(dest: Destination) -> TestResult:
    if dest.kind == Kind.SFTP and (refused := pin_host_key(dest)) is not None:
        return refused
    base = backends.base_remote(dest)
    probe = base.path(f".anemone-probe-{secrets.token_hex(4)}")
    try:
        rclone.lsjson(base.root, base.env, config_file=base.config_file, timeout=30)
        rclone.simple(["rcat", probe], base.env, config_file=base.config_file,
                      input_bytes=b"anemone connection test\n", timeout=30)
        rclone.simple(["deletefile", probe], base.env, config_file=base.config_file, timeout=30)
        if dest.has_crypt:
            crypt = backends.remote(dest)
            rclone.lsjson(crypt.root, crypt.env, config_file=crypt.config_file, timeout=30)
    except rclone.RcloneError as error:
        return _explain(dest, error)
    return TestResult(True, "ok", _("Connection successful: the remote path is listable and writable."))
