"""The configuration snapshot: a consistent copy of the database, the keys sealed, the settings.

It is staged in a private folder of the data dir, backed up into the drive's repository as the
``config`` snapshot, then deleted. The master key itself is never part of it: the recovery kit is
what opens the repository and the sealed keys. Restoring it is ``restore.restore_config``.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import sqlite3
import stat
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.utils import timezone

from anemone import crypto
from anemone.engines import proc
from anemone.engines.files import write_private_file
from anemone.runs.messages import msg
from usbbackup import hints

SQLITE_FILE = "database.sqlite3"
PG_FILE = "database.pgdump"
KEYS_FILE = "keys.sealed.json"
SETTINGS_FILE = "settings.json"
# Never copied: the master key (the kit holds it) and the kit itself (it contains the key in clear).
NEVER_COPIED = {"certs/master.key", "certs/recovery-kit.txt"}
# Files of the data dir that are secrets and must come back on a new machine (sealed).
KEY_DIRS = ("certs",)
KEY_FILES = ("secret_key",)
# Non-secret environment worth writing down (the new machine must set them again).
ENV_RECORDED = ("ANEMONE_ENV", "ANEMONE_BIND", "ANEMONE_SFTP_LISTEN", "ANEMONE_TIME_ZONE",
                "ANEMONE_ALLOWED_HOSTS", "ANEMONE_CSRF_TRUSTED_ORIGINS", "ANEMONE_WORKERS")


@dataclass
class ConfigStage:
    folder: Path
    database_file: str
    keys: int
    size_bytes: int


def staging_dir(job_id: int) -> Path:
    """A stable private folder per job (stable, so restic finds the previous snapshot as parent)."""
    return Path(settings.DATA_DIR) / "usb-staging" / str(job_id) / "config"


def pg_env() -> dict[str, str]:
    """libpq settings for pg_dump/pg_restore, in env vars: never a password on the command line."""
    db = connection.settings_dict
    env = {"PGDATABASE": str(db["NAME"])}
    for key, var in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER"), ("PASSWORD", "PGPASSWORD")):
        if db.get(key):
            env[var] = str(db[key])
    return env


def dump_database(folder: Path) -> str:
    """SQLite: the online backup API (consistent while others write). PostgreSQL: pg_dump -Fc."""
    if connection.vendor == "sqlite":
        if connection.in_atomic_block:  # the backup API would wait forever on our own write lock
            raise hints.step_error("usbbackup.step_database", msg("usbbackup.in_transaction"),
                                   msg("usbbackup.in_transaction_hint"))
        target = folder / SQLITE_FILE
        target.unlink(missing_ok=True)
        write_private_file(target, b"")  # sqlite keeps an existing file's mode: the copy is never readable by others
        connection.ensure_connection()
        dest = sqlite3.connect(target)
        try:
            connection.connection.backup(dest)
        finally:
            dest.close()
        return SQLITE_FILE
    if connection.vendor == "postgresql":
        target = folder / PG_FILE
        write_private_file(target, b"")  # pg_dump truncates it and keeps the 0600 mode
        try:
            result = proc.run(["pg_dump", "--format=custom", "--no-owner", "--no-privileges",
                               f"--file={target}"], env=pg_env(), timeout=3600)
        except proc.ProcError as exc:
            raise hints.step_error("usbbackup.step_database", str(exc), msg("usbbackup.install_pg_dump")) from exc
        if not result.ok:
            raise hints.step_error("usbbackup.step_database", msg("usbbackup.pg_dump_failed",
                                                                  error=result.stderr[-500:]),
                                   msg("usbbackup.pg_dump_hint"))
        return PG_FILE
    raise hints.step_error("usbbackup.step_database", msg("usbbackup.unsupported_database", vendor=connection.vendor),
                           msg("usbbackup.use_sqlite_or_pg"))


def key_files() -> list[Path]:
    """Secret files of the data dir to carry over, relative to it (the master key excluded)."""
    base = Path(settings.DATA_DIR)
    found: list[Path] = []
    for name in KEY_DIRS:
        root = base / name
        if root.is_dir():
            for dirpath, _dirs, files in os.walk(root):
                found += [Path(dirpath, f).relative_to(base) for f in files]
    found += [Path(n) for n in KEY_FILES if (base / n).is_file()]
    return sorted(p for p in found if str(p) not in NEVER_COPIED and not (base / p).is_symlink())


def seal_keys(target: Path) -> int:
    """Every key file sealed with the master key into one JSON file (content and mode)."""
    base = Path(settings.DATA_DIR)
    entries = []
    for rel in key_files():
        path = base / rel
        content = path.read_bytes()
        entries.append({"path": str(rel), "mode": stat.S_IMODE(path.stat().st_mode),
                        "sealed": crypto.seal(base64.b64encode(content).decode())})
    write_private_file(target, json.dumps({"format": 1, "keys": entries}, indent=1))
    return len(entries)


def unseal_keys(source: Path, key: bytes) -> list[Path]:
    """Write the sealed key files back into the data dir (used by restore), refusing odd paths."""
    base = Path(settings.DATA_DIR)
    written = []
    for entry in json.loads(source.read_text())["keys"]:
        rel = Path(entry["path"])
        if rel.is_absolute() or ".." in rel.parts or str(rel) in NEVER_COPIED:
            continue
        path = base / rel
        # Created with its recorded owner bits (a 0700 script stays executable), never group/other.
        write_private_file(path, base64.b64decode(crypto.unseal(entry["sealed"], key=key)),
                           mode=entry.get("mode", 0o600) & 0o700)
        written.append(rel)
    return written


def settings_snapshot() -> dict[str, object]:
    """Settings worth having on paper: the database-held ones and the environment to set again."""
    from django.forms.models import model_to_dict

    from anemone.models import SiteSettings
    from usbbackup.models import UsbSettings

    return {
        "format": 1,
        "taken_at": timezone.now().isoformat(timespec="seconds"),
        "master_key_id": crypto.key_id(crypto.load_master_key()),
        "database_vendor": connection.vendor,
        "site": model_to_dict(SiteSettings.load(), exclude=["id"]),
        "usb": model_to_dict(UsbSettings.load(), exclude=["id"]),
        "environment": {name: os.environ[name] for name in ENV_RECORDED if name in os.environ},
        "time_zone": settings.TIME_ZONE,
    }


def stage_config(job_id: int) -> ConfigStage:
    """Build the config snapshot folder (0700) for one job, replacing what a previous run left."""
    folder = staging_dir(job_id)
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True, mode=0o700)
    try:
        database_file = dump_database(folder)
        keys = seal_keys(folder / KEYS_FILE)
        write_private_file(folder / SETTINGS_FILE, json.dumps(settings_snapshot(), indent=2, default=str))
    except (OSError, sqlite3.Error) as exc:
        raise hints.step_error("usbbackup.step_config", str(exc), msg("usbbackup.free_data_dir")) from exc
    size = sum(p.stat().st_size for p in folder.iterdir())
    return ConfigStage(folder=folder, database_file=database_file, keys=keys, size_bytes=size)


def discard_stage(job_id: int) -> None:
    shutil.rmtree(staging_dir(job_id).parent, ignore_errors=True)
