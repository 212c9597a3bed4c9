"""Import an installation from a USB backup and its recovery kit (setup page and `usb_restore`).

Order matters: the kit's master key is checked against the drive's manifest before anything is
touched; the ``config`` snapshot is restored into a private temporary folder; then the database is
replaced (SQLite through the online backup API into the live database, PostgreSQL with pg_restore),
migrated forward, the master key and the sealed keys are put back, and the recovery kit is written
again. People's areas follow, from their latest ``user:<name>`` snapshot.
"""

from __future__ import annotations

import base64
import shutil
import sqlite3
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from anemone import crypto
from anemone.engines import proc
from anemone.engines.files import write_private_file
from anemone.files.usage import QuotaExceeded
from anemone.restores.registry import RestoreSource
from anemone.runs import messages
from anemone.runs.models import ACTIVE_STATUSES, Run, RunStatus
from anemone.runs.services import Outcome, Tracker
from usbbackup import layout, repo, snapshot

Log = Callable[[str], None]


class RestoreError(Exception):
    """The import cannot go on; the message says what to do."""


@dataclass
class RestoreResult:
    server_name: str = ""
    snapshot_id: str = ""
    keys: int = 0
    users: list[str] = field(default_factory=list)
    user_errors: list[str] = field(default_factory=list)
    user_error_messages: list[dict[str, Any]] = field(default_factory=list)  # the same, as run messages


def read_master_key(kit_text: str) -> bytes:
    """The master key from a recovery kit's text (its "Master key:" line), or a bare key."""
    for line in kit_text.splitlines():
        if line.strip().lower().startswith("master key:"):
            kit_text = line.split(":", 1)[1]
            break
    try:
        return crypto.decode_key(kit_text.strip())
    except crypto.SealError as exc:
        raise RestoreError(f"This is not a recovery kit: {exc}") from exc


def locate_folder(path: Path, folder_name: str = "") -> Path:
    """The backup folder from a drive path: the folder itself, <path>/<folder_name>, or the only one."""
    path = Path(path)
    candidates = [path / folder_name] if folder_name else [path, path / "anemone-backup"]
    for candidate in candidates:
        if (candidate / layout.MANIFEST).is_file():
            return candidate
    found = [p for p in sorted(path.iterdir()) if (p / layout.MANIFEST).is_file()] if path.is_dir() else []
    if len(found) == 1:
        return found[0]
    if found:
        raise RestoreError(f"Several backups on {path}: choose one with --folder ({', '.join(p.name for p in found)}).")
    raise RestoreError(f"No Anemone backup found in {path} (no {layout.MANIFEST}).")


def check_fresh(force: bool = False) -> None:
    """Refuse to overwrite a server that is already set up (unless forced)."""
    from anemone.accounts.setup import setup_done

    if force:
        return
    if setup_done():
        raise RestoreError("This server is already set up: import only into a fresh data directory (or --force).")
    if crypto.master_key_path().exists():
        raise RestoreError(f"{crypto.master_key_path()} already exists: use a fresh data directory (or --force).")


def open_backup(folder: Path, key: bytes) -> repo.Repo:
    manifest = layout.read_manifest(folder)
    if manifest is None:
        raise RestoreError(f"{folder} holds no readable {layout.MANIFEST}.")
    if manifest.master_key_id != crypto.key_id(key):
        raise RestoreError(
            f"This recovery kit (key id {crypto.key_id(key)}) is not the one of this backup "
            f"(server {manifest.server_name}, key id {manifest.master_key_id}).")
    return repo.open_repo(folder, repo.repo_password(key))


def restore_database(stage: Path) -> None:
    """Replace the live database's content with the snapshot's, then migrate it forward."""
    if (stage / snapshot.SQLITE_FILE).is_file():
        if connection.vendor != "sqlite":
            raise RestoreError("The backup holds a SQLite database but this server uses PostgreSQL.")
        connection.close()
        connection.ensure_connection()
        source = sqlite3.connect(stage / snapshot.SQLITE_FILE)
        try:
            source.backup(connection.connection)
        finally:
            source.close()
    elif (stage / snapshot.PG_FILE).is_file():
        if connection.vendor != "postgresql":
            raise RestoreError("The backup holds a PostgreSQL dump but this server uses SQLite: set DATABASE_URL.")
        connection.close()
        env = snapshot.pg_env()
        result = proc.run(["pg_restore", "--clean", "--if-exists", "--no-owner", "--no-privileges",
                           f"--dbname={env['PGDATABASE']}", str(stage / snapshot.PG_FILE)], env=env, timeout=3600)
        if not result.ok:
            raise RestoreError(f"pg_restore failed: {result.stderr[-500:]}")
    else:
        raise RestoreError("The configuration snapshot holds no database.")
    connection.close()
    call_command("migrate", interactive=False, verbosity=0)
    from django.contrib.contenttypes.models import ContentType

    ContentType.objects.clear_cache()


def restore_config(stage: Path, key: bytes) -> RestoreResult:
    from anemone.accounts.setup import mark_setup_done
    from anemone.models import SiteSettings

    restore_database(stage)
    mark_setup_done()  # an imported installation is set up: the wizard and the import close for good
    crypto.install_master_key(base64.b64encode(key).decode())
    keys = snapshot.unseal_keys(stage / snapshot.KEYS_FILE, key) if (stage / snapshot.KEYS_FILE).exists() else []
    Run.objects.filter(status__in=ACTIVE_STATUSES).update(
        status=RunStatus.INTERRUPTED, finished_at=timezone.now(),
        message=messages.english("usbbackup.interrupted_by_import"), message_code="usbbackup.interrupted_by_import",
        message_params={})
    server_name = SiteSettings.load().server_name
    write_private_file(crypto.recovery_kit_path(), crypto.recovery_kit_text(server_name))
    return RestoreResult(server_name=server_name, keys=len(keys))


def restore_installation(folder: Path, kit_text: str, *, with_users: bool, force: bool = False,
                         log: Log = lambda line: None) -> RestoreResult:
    """Everything: configuration, then (optionally) every person's files, inline."""
    key = read_master_key(kit_text)
    check_fresh(force)
    backup = open_backup(folder, key)
    config = repo.latest(backup, layout.CONFIG_TAG)
    if config is None:
        raise RestoreError("This backup holds no configuration snapshot yet (run a backup first).")
    log(f"Restoring the configuration from snapshot {config.short_id} ({config.time})")
    work = Path(settings.DATA_DIR) / "usb-staging"
    work.mkdir(parents=True, exist_ok=True, mode=0o700)
    stage = Path(tempfile.mkdtemp(prefix="import-", dir=work))
    try:
        repo.restore(backup, config.id, stage)
        result = restore_config(stage, key)
    finally:
        shutil.rmtree(stage, ignore_errors=True)
    result.snapshot_id = config.short_id
    log(f"Server {result.server_name}: database, master key and {result.keys} key file(s) restored")
    if with_users:
        restore_users(backup, result, log=log)
    return result


def latest_per_user(backup: repo.Repo) -> dict[str, repo.Snapshot]:
    """Each person's newest snapshot (the list comes oldest first, so later ones win)."""
    return {repo.user_of(snap): snap for snap in repo.snapshots(backup) if repo.user_of(snap)}


def restore_users(backup: repo.Repo, result: RestoreResult, *, log: Log = lambda line: None,
                  on_user: Callable[[int, int, str], None] | None = None) -> RestoreResult:
    """Each activated person's latest snapshot back into shares/<name>/ (areas created first)."""
    from django.contrib.auth import get_user_model

    from anemone.files import areas

    users = list(get_user_model().objects.filter(activated_at__isnull=False).order_by("username"))
    snapshots = latest_per_user(backup)
    for index, user in enumerate(users):
        areas.create_areas(user)
        snap = snapshots.get(user.username)
        if on_user:
            on_user(index, len(users), user.username)
        if snap is None:
            continue
        try:
            said = restore_person(backup, snap, user)
        except (repo.RepoError, QuotaExceeded, OSError) as exc:
            result.user_errors.append(f"{user.username}: {exc}")
            result.user_error_messages.append(messages.msg("usbbackup.part_error", part=user.username,
                                                           error=error_message(exc)))
            log(f"  {user.username}: FAILED {exc}")
            continue
        result.users.append(user.username)
        log(f"  {user.username}: files restored from snapshot {snap.short_id}: "
            f"{messages.english(said['code'], said['params'])}")
    return result




def restore_person(backup: repo.Repo, snap: repo.Snapshot, user) -> dict[str, Any]:
    """One person's snapshot (its backup/ and data/ folders) back into their areas by files.landing's rule,
    the same as P2P and cloud restores: files back at their own paths, a different current file kept and the
    restored one beside it, after a quota check against the files on disk (the restored database's usage
    counters describe the old server's disk, so they are recounted first). Staged out of sight; a refusal or
    failure leaves nothing. Returns where the files went, as a message (``landing.landed``)."""
    from anemone.engines import restic
    from anemone.files import landing
    from anemone.files.paths import area_root
    from anemone.files.usage import check_quota, recompute_usage

    recompute_usage(user)
    try:
        nodes = restic.tree(backup.engine, snap.id, "/")
    except restic.ResticError as exc:
        raise repo.RepoError(str(exc), outcome=exc.outcome) from exc
    needed = {area: landing.estimate(area_root(user, area).resolve(),
                                     [(n.path.strip("/").split("/", 1)[1], n.size) for n in nodes
                                      if n.type == "file" and n.path.strip("/").startswith(f"{area}/")])
              for area in ("backup", "data")}
    check_quota(user, "backup", needed["backup"])
    check_quota(user, "data", needed["backup"] + needed["data"])  # the data area counts against the total only
    stage = landing.stage_dir(user, 0)
    try:
        repo.restore(backup, snap.id, stage)
        suffix = landing.beside_suffix(datetime.fromisoformat(snap.time[:19]).date())
        plans = [landing.plan(stage / area, area, area_root(user, area).resolve(), suffix)
                 for area in ("backup", "data") if (stage / area).is_dir()]
        check_quota(user, "backup", sum(p.incoming for p in plans if p.area == "backup"))
        check_quota(user, "data", sum(p.incoming for p in plans))
        for plan in plans:
            landing.apply(user, plan, suffix)
    finally:
        landing.discard(stage)
    return landing.landed(*plans)


def start_users_restore(folder: Path, user=None) -> Run:
    """After a web import: restore people's files in the background (a run the admin can follow)."""
    from anemone.runs import services as runs

    return runs.request("usb-restore", None, label=f"USB import: {folder}", user=user,
                        options={"folder": str(folder)})


def users_restore_body(run: Run, tracker: Tracker) -> Outcome:
    """Every person's files from the drive folder the import used (options["folder"])."""
    backup = repo.open_repo(Path(run.options["folder"]), repo.repo_password())
    result = RestoreResult()

    def on_user(index: int, total: int, username: str) -> None:
        tracker.progress(percent=100 * index / max(total, 1), current_item=username)

    restore_users(backup, result, log=tracker.log, on_user=on_user)
    whole = messages.lines(messages.msg("usbbackup.users_restored", count=len(result.users)),
                           *result.user_error_messages[:20])
    return Outcome(code=whole["code"], params=whole["params"], errors=result.user_errors)


def error_message(exc: Exception) -> dict[str, Any]:
    """A restore's failure as a run message: the drive's repository errors are coded, the rest (a quota
    refusal, the system's OSError) is their own text."""
    return exc.as_message() if isinstance(exc, repo.RepoError) else messages.msg("runs.text", text=str(exc))


def _said(status: str, code: str, **params: Any) -> Outcome:
    return Outcome(status=status, code=code, params=params)


def person_restore_body(run: Run, tracker: Tracker) -> Outcome:
    """A person's own files back from the newest snapshot of them on a job's drive (options["job"]); the
    kind's precheck made sure the drive is plugged in."""
    from django.contrib.auth import get_user_model

    from anemone.runs import services as runs
    from usbbackup import detection
    from usbbackup.models import UsbBackup

    job = UsbBackup.objects.get(pk=run.options["job"])
    person = get_user_model().objects.get(pk=run.target_id)
    if not job.carries(person):
        return _said(RunStatus.FAILED, "usbbackup.not_carried", job=job.name, user=person.username)
    drive = detection.find_drive(job)
    if drive is None:
        return _said(RunStatus.SKIPPED, "usbbackup.unplugged_restore", job=job.name)
    item = runs.start_item(run, user=person)
    tracker.progress(current_item=person.username, force=True)
    backup = repo.open_repo(detection.ensure_on_drive(drive, Path(drive.mount_point) / job.folder), repo.repo_password())
    snap = repo.latest(backup, layout.user_tag(person.username))
    if snap is None:
        params: dict[str, Any] = {"user": person.username, "job": job.name}
        runs.finish_item(item, status=RunStatus.FAILED, errors=1, code="usbbackup.no_snapshot_of_you", params=params)
        return _said(RunStatus.FAILED, "usbbackup.no_snapshot_of_you", **params)
    try:
        said = restore_person(backup, snap, person)
    except (repo.RepoError, QuotaExceeded, OSError) as exc:
        params = {"part": person.username, "error": error_message(exc)}
        runs.finish_item(item, status=RunStatus.FAILED, errors=1, code="usbbackup.part_error", params=params)
        return _said(RunStatus.FAILED, "usbbackup.part_error", **params)
    params = {"user": person.username, "job": job.name, "snapshot": snap.short_id, "date": snap.time[:10],
              "said": said}
    runs.finish_item(item, status=RunStatus.SUCCEEDED, code="usbbackup.person_restored", params=params)
    return Outcome(code="usbbackup.person_restored", params=params)


class UsbRestoreSource(RestoreSource):
    """The USB jobs that carry this person, and whether their drive is plugged in right now."""

    name = "usb"
    label = _("USB drives")
    template = "usbbackup/restore_source.html"
    restore_kinds = ("usb-person-restore",)

    def offers(self, person) -> list[dict]:
        from usbbackup import detection
        from usbbackup.models import UsbBackup

        jobs = [job for job in UsbBackup.objects.filter(enabled=True) if job.carries(person)]
        if not jobs:
            return []
        drives = detection.detect_drives()
        return [{"job": job, "present": detection.find_drive(job, drives) is not None} for job in jobs]
