"""restic's failures as typed errors: by exit code where restic 0.18 has one, else from its stderr.

restic >= 0.17 exits 10 (no repository), 11 (lock failed) and 12 (wrong password): those need no reading of
its words. Every other fatal error is exit 1, so the needles in ``_FAILURES`` (restic's and rclone's own
messages, measured on this machine with restic 0.18) tell an unknown snapshot, a full disk, a refused login
and a server that went away apart. Each error carries a message a person can act on and an ``outcome``
name for APIs and tests.
"""

from __future__ import annotations

import json


class ResticError(RuntimeError):
    """restic failed; the message says what happened in words a person understands."""

    outcome = "failed"


class RepositoryMissing(ResticError):
    """No repository at that location (first backup, or it was deleted)."""

    outcome = "missing"


class WrongPassword(ResticError):
    """The repository exists but does not open with this key."""

    outcome = "wrong-key"


class RepositoryLocked(ResticError):
    """Another restic process holds a lock that conflicts with ours."""

    outcome = "locked"


class Unreachable(ResticError):
    """The repository's server did not answer (down, cut off, wrong address or port)."""

    outcome = "unreachable"


class AccessRefused(ResticError):
    """The server refused our login or our writes (key not accepted, read-only, over its cap)."""

    outcome = "refused"


class NoSpace(ResticError):
    """The storage under the repository is full."""

    outcome = "no-space"


class SnapshotMissing(ResticError, FileNotFoundError):
    """No snapshot with that id in the repository (restic 0.18: exit 1, "no matching ID found"): pages and the
    API answer it as any missing thing, 404."""

    outcome = "not-found"


class Stalled(Unreachable):
    """restic made no progress for longer than the allowed time (a link that went silent)."""


class NothingKept(ResticError):
    """A retention policy that keeps nothing: refused before restic is asked to forget everything."""

    outcome = "nothing-kept"


# restic's own exit codes for three failures (restic/cmd/restic/main.go, since 0.17; measured with 0.18.0).
EXIT_CODES: dict[int, tuple[type[ResticError], str]] = {
    10: (RepositoryMissing, "there is no repository at this location yet"),
    11: (RepositoryLocked, "the repository is locked by another restic process"),
    12: (WrongPassword, "the repository does not open with this key"),
}

# (needles in restic's lowercased stderr, error type, message), for exit 1. Order matters: first match wins.
_FAILURES: list[tuple[tuple[str, ...], type[ResticError], str]] = [
    (("no space left on device", "disk quota exceeded", "file too large"), NoSpace, "no space left on the storage"),
    (("unable to authenticate", "permission denied (publickey", "no supported methods remain",
      "knownhosts: key mismatch", "host key mismatch", "ssh: handshake failed"), AccessRefused,
     "the server refused our login (key not accepted or host key changed)"),
    (("read only file system", "read-only file system", "permission denied", "operation not permitted"),
     AccessRefused, "the server refused to store data (read-only, or over its storage cap)"),
    (("connection refused", "no route to host", "network is unreachable", "i/o timeout", "timed out",
      "couldn't connect ssh", "error talking http to rclone", "connection reset", "broken pipe",
      "unexpected eof", "no such host", "ssh: disconnect"), Unreachable, "the server cannot be reached"),
    # `ls`, `dump`, `restore` of an unknown id prefix; a full 64-digit id is loaded directly and is not found
    (("no matching id found", "failed to find snapshot", "failed to load snapshot"), SnapshotMissing,
     "No such snapshot."),
]


def _match(text: str) -> ResticError | None:
    lowered = text.lower()
    for needles, error_type, message in _FAILURES:
        if any(needle in lowered for needle in needles):
            return error_type(message)
    return None


def _plain(line: str) -> list[str]:
    """A ``--json`` command's fatal error is a JSON line on stderr (``{"message_type":"exit_error",...}``):
    its message, as the "Fatal:" lines restic prints without ``--json``."""
    if not line.startswith('{"message_type":"exit_error"'):
        return [line]
    try:
        message = str(json.loads(line).get("message", ""))
    except ValueError:
        return [line]
    return ["Fatal: " + text.removeprefix("Fatal: ") for text in message.splitlines()[:1]] + message.splitlines()[1:]


def classify(stderr: str, returncode: int = 1) -> ResticError:
    """Turn restic's exit code, else its stderr, into a typed error (the last fatal line kept as detail, bounded).

    The fatal lines (restic's "Fatal:", rclone's CRITICAL) are read first: a backup that dies because
    the peer went away may have logged "permission denied" for an unreadable source file before.
    """
    if returncode in EXIT_CODES:
        error_type, message = EXIT_CODES[returncode]
        return error_type(message)
    lines = [plain for line in stderr.splitlines() if line.strip() for plain in _plain(line)]
    stderr = "\n".join(lines)
    fatal_lines = "\n".join(line for line in lines if "Fatal:" in line or "CRITICAL" in line)
    error = (_match(fatal_lines) if fatal_lines else None) or _match(stderr)
    if error is not None:
        return error
    fatal = next((line for line in reversed(lines) if line.startswith("Fatal:")), lines[-1] if lines else "")
    return ResticError(f"restic failed (exit {returncode}): {fatal[:400]}" if fatal else f"restic failed (exit {returncode})")


# While restic runs: rclone's lines (prefixed "rclone:" by restic's rclone backend) that say the server is
# gone, and the server's "disk full" in any line (measured: rclone's `Update Close failed: sftp: "write …:
# no space left on device"`, then restic's "server response unexpected: 500" for 15 minutes of retries).
_GONE_NEEDLES = ("connection refused", "connection lost", "no route to host", "network is unreachable", "i/o timeout",
                 "couldn't connect ssh", "connection reset", "broken pipe", "ssh: disconnect", "unexpected eof")
_FULL_NEEDLES = ("no space left on device", "disk quota exceeded")


def stderr_signal(line: str) -> ResticError | None:
    """What one stderr line of a running restic says about the server: NoSpace, Unreachable or nothing."""
    lowered = line.lower()
    if any(needle in lowered for needle in _FULL_NEEDLES):
        return NoSpace("no space left on the storage")
    if "error talking http to rclone" in lowered or (
            lowered.startswith("rclone:") and any(needle in lowered for needle in _GONE_NEEDLES)):
        return Unreachable("the server cannot be reached")
    return None
