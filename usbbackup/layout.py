"""What a backup folder on a drive looks like, and the plain files written beside the repository.

    <mount>/<folder>/README.txt          what this is and how to restore (readable without Anemone)
    <mount>/<folder>/anemone-usb.json    manifest: server name, master key id, last backup (no secret)
    <mount>/<folder>/repo/               restic repository, password derived from the master key

Inside the repository, snapshots are tagged ``config`` (database snapshot, sealed keys, settings)
or ``user:<username>`` (that person's backup/ and/or data/ areas, paths relative to their folder).
"""

from __future__ import annotations

import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from django.utils import timezone

MANIFEST = "anemone-usb.json"
README = "README.txt"
REPO = "repo"
FORMAT = 1
REPO_SECRET_PURPOSE = "usb-repo"
CONFIG_TAG = "config"
USER_TAG_PREFIX = "user:"


@dataclass(frozen=True)
class Manifest:
    server_name: str
    master_key_id: str
    job: str
    last_backup_at: str = ""
    format: int = FORMAT


def user_tag(username: str) -> str:
    return f"{USER_TAG_PREFIX}{username}"


def repo_path(folder: Path) -> Path:
    return folder / REPO


def write_atomic(path: Path, text: str) -> None:
    """Write a small file whole or not at all, flushed to the drive (it may be unplugged next)."""
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    with open(tmp, "w", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)


def read_manifest(folder: Path) -> Manifest | None:
    try:
        data = json.loads((folder / MANIFEST).read_text())
        return Manifest(**{k: data[k] for k in ("server_name", "master_key_id", "job", "last_backup_at", "format")
                           if k in data})
    except (OSError, ValueError, TypeError):
        return None


def write_manifest(folder: Path, manifest: Manifest) -> None:
    data = {"product": "anemone", **manifest.__dict__, "repository": REPO,
            "written_at": timezone.now().isoformat(timespec="seconds")}
    write_atomic(folder / MANIFEST, json.dumps(data, indent=2) + "\n")


def readme_text(server_name: str, key_id: str, folder_name: str) -> str:
    """Plain instructions for whoever finds this drive, with or without Anemone at hand."""
    return f"""ANEMONE BACKUP DRIVE
====================

This folder holds an encrypted backup of the Anemone server "{server_name}"
(master key id {key_id}). Everything in repo/ is a restic repository
(https://restic.net): encrypted, with history. Nothing here is readable
without the server's RECOVERY KIT (the printed page with the "Master key").

What is inside the repository
-----------------------------
- snapshots tagged "config": the server's database, its keys (sealed with
  the master key) and its settings;
- snapshots tagged "user:<name>": that person's backup/ and/or data/ folders.

Restore a whole server with Anemone (a new or repaired machine)
--------------------------------------------------------------
1. Install Anemone, start it, and plug this drive in (mounted under /mnt,
   /media or /run/media).
2. In the setup page choose "Import an existing installation", pick this
   drive and give the recovery kit. Or, from a shell:
     python manage.py usb_restore --drive /media/<this drive> \\
         --recovery-kit recovery-kit.txt --with-users
3. Everyone logs in with their usual password; their backup keys still work.

Get files back WITHOUT Anemone (any Linux machine with restic)
--------------------------------------------------------------
The repository password is derived from the master key written on the
recovery kit. Compute it (replace KEY by the kit's master key; on macOS
use "shasum -a 256" for sha256sum and "base64 -D"):
  umask 077
  (printf 'anemone:{REPO_SECRET_PURPOSE}:'; printf '%s' 'KEY' | base64 -d) \\
      | sha256sum | cut -d' ' -f1 > "$HOME/usb-password"
Then, from this folder ({folder_name}/); --no-lock lets this work on a
write-protected drive too:
  restic -r repo --no-lock --password-file "$HOME/usb-password" snapshots
  restic -r repo --no-lock --password-file "$HOME/usb-password" restore latest \\
      --tag user:alice --target "$HOME/alice-files"
The "config" snapshots are meant for Anemone itself (usb_restore).

Keep this drive unplugged and somewhere else than the server: that is what
makes it a real offline copy.
"""
