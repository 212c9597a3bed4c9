"""How each destination kind maps to rclone: its fields, its secrets, its remote definition.

A destination becomes environment variables only (DESIGN §4): ``RCLONE_CONFIG_DEST_*`` for the
base remote and, when a crypt password is set, ``RCLONE_CONFIG_DESTCRYPT_*`` wrapping it. The
returned ``root`` is where the seed's layout starts (``{root}/backup/{username}``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from anemone import crypto
from anemone.engines import rclone, ssh
from anemone.engines.files import write_private_file
from cloudbackup.models import Destination, Kind

BASE, CRYPT = "DEST", "DESTCRYPT"


@dataclass(frozen=True)
class KindSpec:
    """What the code needs to know per destination kind (labels and field lists live on the model/form)."""
    required: tuple[str, ...]
    # The server keeps a file name's bytes as sent (no unicode normalisation). WebDAV servers such as
    # Nextcloud store names as NFC, and an rclone.conf remote may be anything: for those, rclone's default
    # normalised name matching stays (else an NFD name would be re-sent on every sync).
    keeps_name_bytes: bool = False


KINDS: dict[str, KindSpec] = {
    Kind.SFTP: KindSpec(("host", "username"), keeps_name_bytes=True),
    Kind.S3: KindSpec(("bucket", "access_key"), keeps_name_bytes=True),
    Kind.WEBDAV: KindSpec(("url",)),
    Kind.REMOTE: KindSpec(("remote_name",)),
}


def name_flags(dest: Destination) -> list[str]:
    """Compare names byte for byte where the remote keeps them (crypt names are ASCII, so always kept).

    With rclone's default unicode normalisation, two files whose names differ only by NFC/NFD form
    ("café" typed on Linux and on a Mac) count as one: rclone copies one and drops the other with a
    mere notice (measured, rclone 1.75). Where normalisation stays on, the sync reports the dropped twin.
    """
    return ["--no-unicode-normalization"] if dest.has_crypt or KINDS[dest.kind].keeps_name_bytes else []


@dataclass
class Remote:
    env: dict[str, str]
    root: str  # e.g. "DEST:/srv/anemone-backups" or "DESTCRYPT:"
    config_file: str  # "/dev/null", or the admin's rclone.conf for the "remote" kind

    def path(self, *parts: str) -> str:
        tail = "/".join(p.strip("/") for p in parts if p.strip("/"))
        if not tail:
            return self.root
        return f"{self.root.rstrip('/')}/{tail}" if not self.root.endswith(":") else f"{self.root}{tail}"


def data_path(relative: str) -> Path:
    path = Path(relative)
    return path if path.is_absolute() else Path(settings.DATA_DIR) / path


def known_hosts_file(dest: Destination) -> Path:
    return Path(settings.DATA_DIR) / "rclone" / f"known_hosts_{dest.pk}"


def rclone_conf() -> Path:
    return Path(settings.DATA_DIR) / "rclone" / "rclone.conf"


def _secret(sealed: str) -> str:
    return crypto.unseal(sealed) if sealed else ""


def _base(dest: Destination) -> tuple[dict[str, str], str, str]:
    """(env, root, config file) of the destination's own remote, without crypt."""
    if dest.kind == Kind.SFTP:
        # shell_type none: speak SFTP only, never run a command on the server — works with `ForceCommand
        # internal-sftp` accounts and skips rclone's per-file `md5sum` check (3x slower on 50,000 files, sync.py).
        options: dict[str, str | int | bool | None] = {
            "host": dest.host, "port": dest.port, "user": dest.username, "shell_type": "none",
            "key_file": str(data_path(dest.key_path)) if dest.key_path and not dest.password_sealed else None,
        }
        if dest.host_key:
            hosts = known_hosts_file(dest)
            write_private_file(hosts, dest.host_key + "\n")
            options["known_hosts_file"] = str(hosts)
            options["host_key_algorithms"] = ssh.host_key_algorithms(dest.host_key)
        env = rclone.remote_env(BASE, "sftp", options, {"pass": _secret(dest.password_sealed)})
        return env, f"{BASE}:{dest.remote_path}", "/dev/null"
    if dest.kind == Kind.S3:
        env = rclone.remote_env(BASE, "s3", {
            "provider": dest.provider or "Other", "endpoint": dest.endpoint or None, "region": dest.region or None,
            "access_key_id": dest.access_key, "env_auth": False, "force_path_style": True,
        })
        env[f"RCLONE_CONFIG_{BASE}_SECRET_ACCESS_KEY"] = _secret(dest.secret_sealed)
        return env, f"{BASE}:{dest.bucket}/{dest.remote_path.strip('/')}".rstrip("/"), "/dev/null"
    if dest.kind == Kind.WEBDAV:
        env = rclone.remote_env(BASE, "webdav", {"url": dest.url, "vendor": dest.vendor or "other",
                                                 "user": dest.username or None},
                                {"pass": _secret(dest.password_sealed)})
        return env, f"{BASE}:{dest.remote_path}", "/dev/null"
    if dest.kind == Kind.REMOTE:
        return {}, f"{dest.remote_name}:{dest.remote_path}", str(rclone_conf())
    raise ValueError(f"unknown destination kind {dest.kind!r}")


def base_remote(dest: Destination) -> Remote:
    """The destination's own remote, without the crypt layer (for probes)."""
    env, root, config = _base(dest)
    return Remote(env=env, root=root, config_file=config)


def remote(dest: Destination) -> Remote:
    env, root, config = _base(dest)
    if dest.has_crypt:
        env.update(rclone.remote_env(CRYPT, "crypt", {"remote": root, "filename_encryption": "standard",
                                                      "directory_name_encryption": True},
                                     {"password": _secret(dest.crypt_password_sealed)}))
        root = f"{CRYPT}:"
    return Remote(env=env, root=root, config_file=config)
