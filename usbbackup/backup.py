"""One USB backup run: find the drive, write only there, config snapshot, people's areas, retention.

The drive being absent is not a failure: the run is recorded as skipped and nothing is written.
Before the first byte, the target folder is checked to be on the drive's own filesystem (never the
root disk, never the data dir's disk, not through a symlink). A full drive stops the run with a
message that says so; restic never rewrites existing data, so earlier snapshots stay intact.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from django.template.defaultfilters import filesizeformat
from django.utils import timezone

from anemone import crypto
from anemone.files.paths import user_root
from anemone.runs import services as runs
from anemone.runs.models import Run, RunStatus
from anemone.runs.services import Outcome, StepError, Tracker
from usbbackup import detection, layout, repo, snapshot
from usbbackup.models import UsbBackup

DRIVE_ABSENT = "drive absent"
FULL_HINT = ("Earlier snapshots on the drive are intact. Free space on it (or use a bigger drive, or back up "
             "fewer people), then run again.")


@dataclass
class Part:
    """One snapshot of the run: the configuration, or one person's areas."""

    label: str
    cwd: Path
    paths: list[str]
    tags: list[str]
    size: int
    user: object = None


def absent_message(job: UsbBackup) -> str:
    """Names the drive by its label first: that is what is written on the stick, not its UUID."""
    name = job.drive_description
    if job.drive_label and job.drive_uuid:
        name = f'"{job.drive_label}" ({name})'
    return f"{DRIVE_ABSENT}: the drive {name} is not plugged in; nothing was written."


def prepare_folder(job: UsbBackup, drive: detection.Drive) -> repo.Repo:
    """The job's folder on the drive, checked, with README, manifest and an initialised repository."""
    try:
        folder = detection.ensure_on_drive(drive, Path(drive.mount_point) / job.folder)
        folder.mkdir(mode=0o700, exist_ok=True)
        folder = detection.ensure_on_drive(drive, folder)  # again: the folder may be a symlink out
        key_id = crypto.key_id(crypto.load_master_key())
        server = server_name()
        manifest = layout.read_manifest(folder)
        if manifest is not None and manifest.master_key_id != key_id:
            raise StepError("Drive", f"{folder} holds the backup of another server ({manifest.server_name}).",
                            "Choose another folder for this job.")
        layout.write_atomic(folder / layout.README, layout.readme_text(server, key_id, job.folder))
        if manifest is None:
            layout.write_manifest(folder, layout.Manifest(server_name=server, master_key_id=key_id, job=job.name))
        detection.ensure_on_drive(drive, layout.repo_path(folder))  # repo/ must not lead off the drive either
    except detection.NotOnDrive as exc:
        raise StepError("Drive", str(exc), "Plug the drive in again; nothing was written.") from exc
    except OSError as exc:
        raise StepError("Drive", f"cannot write to {drive.mount_point}: {exc.strerror}", drive_hint(exc)) from exc
    password = repo.repo_password()
    try:
        if not repo.is_initialised(folder):
            return repo.init(folder, password)
        handle = repo.open_repo(folder, password)
        repo.unlock(handle)
        return handle
    except repo.DriveFull as exc:
        raise StepError("Repository", str(exc), FULL_HINT) from exc
    except repo.RepoError as exc:
        raise StepError("Repository", str(exc), "Check the drive (restic check) or choose another folder.") from exc


def drive_hint(exc: OSError) -> str:
    if exc.errno == 28:
        return FULL_HINT
    if exc.errno == 30:
        return "The drive is mounted read-only: remount it read-write."
    return "Check the drive is mounted read-write and not failing."


def server_name() -> str:
    from anemone.models import SiteSettings

    return SiteSettings.load().server_name


def plan(job: UsbBackup, stage: snapshot.ConfigStage) -> list[Part]:
    parts = [Part(label="configuration", cwd=stage.folder, paths=["."], tags=["anemone", layout.CONFIG_TAG],
                  size=stage.size_bytes)]
    if job.includes_users:
        from usbbackup.services import area_sizes

        for user in job.users.filter(activated_at__isnull=False).order_by("username"):
            root = user_root(user.username)
            areas = [a for a in job.areas() if (root / a).is_dir()]
            parts.append(Part(label=user.username, cwd=root, paths=areas, user=user,
                              tags=["anemone", layout.user_tag(user.username)],
                              size=sum(area_sizes(user, areas).values())))
    return parts


def backup_part(handle: repo.Repo, part: Part, tracker: Tracker, done_before: int, total: int) -> repo.BackupSummary:
    def on_progress(step: repo.BackupProgress) -> None:
        done = done_before + min(step.bytes_done, part.size or step.bytes_done)
        tracker.progress(percent=100 * done / max(total, 1), bytes_done=done, bytes_total=total,
                         current_item=f"{part.label}: {step.current}" if step.current else part.label)

    try:
        return repo.backup(handle, part.cwd, part.paths, part.tags, on_progress=on_progress)
    except repo.DriveFull as exc:
        raise StepError("Writing to the drive", f"the drive is full while backing up {part.label} ({exc})",
                        FULL_HINT) from exc


def body(current: Run, tracker: Tracker) -> Outcome:
    job = UsbBackup.objects.get(pk=current.target_id)
    drive = detection.find_drive(job)
    if drive is None:  # unplugged between queueing and starting
        return Outcome(status=RunStatus.SKIPPED, message=absent_message(job))
    tracker.log(f"Drive {drive.display_name} at {drive.mount_point} ({drive.fstype})")
    handle = prepare_folder(job, drive)
    try:
        stage = snapshot.stage_config(job.pk)
        parts = plan(job, stage)
        total = sum(p.size for p in parts)
        tracker.progress(force=True, percent=0, bytes_total=total, current_item="configuration")
        errors = run_parts(current, handle, parts, tracker, total)
    finally:
        snapshot.discard_stage(job.pk)
    apply_retention(handle, job, tracker, errors)
    finish_on_drive(job, drive, handle)
    added = sum(i.stats.get("data_added", 0) for i in current.items.all())
    tracker.progress(force=True, percent=100, bytes_done=total)
    message = (f"{len(parts)} snapshot(s) on {drive.display_name} ({drive.mount_point}), "
               f"{filesizeformat(added)} of new data." + (f" {len(errors)} problem(s)." if errors else ""))
    return Outcome(message=message, errors=errors)


def run_parts(current: Run, handle: repo.Repo, parts: list[Part], tracker: Tracker, total: int) -> list[str]:
    """One snapshot per part; a person's failure is noted and the others go on (a full drive stops all)."""
    errors: list[str] = []
    done = 0
    for part in parts:
        item = runs.start_item(current, user=part.user, label=part.label)
        if not part.paths:
            runs.finish_item(item, status=RunStatus.SKIPPED, message="No area to back up.")
            continue
        try:
            summary = backup_part(handle, part, tracker, done, total)
        except StepError as exc:
            runs.finish_item(item, status=RunStatus.FAILED, errors=1, message=exc.human())
            raise
        except repo.RepoError as exc:
            errors.append(f"{part.label}: {exc}")
            runs.finish_item(item, status=RunStatus.FAILED, errors=1, message=str(exc))
            continue
        status = RunStatus.PARTIAL if summary.warnings else RunStatus.SUCCEEDED
        errors += [f"{part.label}: {w}" for w in summary.warnings[:5]]
        runs.finish_item(item, status=status, files=summary.total_files, bytes_=summary.total_bytes,
                         errors=len(summary.warnings), message="\n".join(summary.warnings[:20]),
                         snapshot_id=summary.snapshot_id, data_added=summary.data_added,
                         files_new=summary.files_new, files_changed=summary.files_changed)
        tracker.log(f"{part.label}: snapshot {summary.snapshot_id[:8]}, {summary.data_added} bytes added")
        done += part.size
    return errors


def apply_retention(handle: repo.Repo, job: UsbBackup, tracker: Tracker, errors: list[str]) -> None:
    retention = job.retention_args()
    if not retention:
        return
    try:
        repo.forget(handle, retention)
    except repo.RepoError as exc:  # old snapshots kept longer is not a failed backup
        errors.append(f"retention: {exc}")
        tracker.log(f"forget/prune failed: {exc}")


def finish_on_drive(job: UsbBackup, drive: detection.Drive, handle: repo.Repo) -> None:
    """Manifest with the last backup time, everything flushed, and the job remembers the mount."""
    manifest = layout.read_manifest(handle.folder)
    if manifest is not None:
        layout.write_manifest(handle.folder, layout.Manifest(
            server_name=server_name(), master_key_id=manifest.master_key_id, job=job.name,
            last_backup_at=timezone.now().isoformat(timespec="seconds")))
    os.sync()
    UsbBackup.objects.filter(pk=job.pk).update(last_mount_point=drive.mount_point, last_seen_at=timezone.now())
