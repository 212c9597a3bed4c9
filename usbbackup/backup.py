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
from typing import Any

from django.template.defaultfilters import filesizeformat
from django.utils import timezone

from anemone import crypto
from anemone.files.paths import user_root
from anemone.runs import messages
from anemone.runs import services as runs
from anemone.runs.models import Run, RunStatus
from anemone.runs.services import Outcome, StepError, Tracker
from usbbackup import detection, hints, layout, repo, snapshot
from usbbackup.models import UsbBackup

DRIVE_ABSENT = "drive absent"
FULL_HINT = messages.msg("usbbackup.hint_no-space")


CONFIGURATION = "configuration"  # the configuration snapshot's part label (its item's label)


def part_name(part: Part) -> Any:
    """How a message names the part: a person's username, or "configuration" in the reader's language."""
    return messages.msg("usbbackup.configuration") if part.user is None else part.label


@dataclass
class Part:
    """One snapshot of the run: the configuration, or one person's areas."""

    label: str
    cwd: Path
    paths: list[str]
    tags: list[str]
    size: int
    user: object = None


def absent(job: UsbBackup) -> dict[str, Any]:
    """The "drive absent" message (code + params). Names the drive by its label first: that is what is
    written on the stick, not its UUID."""
    name = job.drive_description
    if job.drive_label and job.drive_uuid:
        name = f'"{job.drive_label}" ({name})'
    return messages.msg("usbbackup.drive_absent", drive=name)


def absent_message(job: UsbBackup) -> str:
    """The same in English (it starts with DRIVE_ABSENT: scripts and the CLI look for it)."""
    said = absent(job)
    return messages.english(said["code"], said["params"])


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
            raise hints.step_error("usbbackup.step_drive", messages.msg(
                "usbbackup.other_server", folder=str(folder), server=manifest.server_name),
                messages.msg("usbbackup.choose_other_folder"))
        layout.write_atomic(folder / layout.README, layout.readme_text(server, key_id, job.folder))
        if manifest is None:
            layout.write_manifest(folder, layout.Manifest(server_name=server, master_key_id=key_id, job=job.name))
        detection.ensure_on_drive(drive, layout.repo_path(folder))  # repo/ must not lead off the drive either
    except detection.NotOnDrive as exc:
        raise hints.step_error("usbbackup.step_drive", str(exc), messages.msg("usbbackup.plug_again")) from exc
    except OSError as exc:
        raise hints.step_error("usbbackup.step_drive", messages.msg(
            "usbbackup.cannot_write", mount=drive.mount_point, error=exc.strerror), drive_hint(exc)) from exc
    password = repo.repo_password()
    try:
        if not repo.is_initialised(folder):
            return repo.init(folder, password)
        handle = repo.open_repo(folder, password)
        repo.unlock(handle)
        return handle
    except repo.RepoError as exc:  # DriveFull included: its outcome's hint is FULL_HINT
        raise hints.step_error("usbbackup.step_repository", exc.as_message(), hints.hint_message(exc.outcome)) from exc


def drive_hint(exc: OSError) -> dict[str, Any]:
    if exc.errno == 28:
        return FULL_HINT
    if exc.errno == 30:
        return messages.msg("usbbackup.read_only_hint")
    return messages.msg("usbbackup.check_mounted_hint")


def server_name() -> str:
    from anemone.models import SiteSettings

    return SiteSettings.load().server_name


def plan(job: UsbBackup, stage: snapshot.ConfigStage) -> list[Part]:
    parts = [Part(label=CONFIGURATION, cwd=stage.folder, paths=["."], tags=["anemone", layout.CONFIG_TAG],
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
        raise hints.step_error("usbbackup.step_writing", messages.msg(
            "usbbackup.full_while", part=part_name(part), error=exc.as_message()), FULL_HINT) from exc


def body(current: Run, tracker: Tracker) -> Outcome:
    job = UsbBackup.objects.get(pk=current.target_id)
    drive = detection.find_drive(job)
    if drive is None:  # unplugged between queueing and starting
        said = absent(job)
        return Outcome(status=RunStatus.SKIPPED, code=said["code"], params=said["params"])
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
    summary = messages.msg("usbbackup.summary_problems" if errors else "usbbackup.summary", count=len(parts),
                           drive=drive.display_name, mount=drive.mount_point, added=filesizeformat(added),
                           **({"problems": len(errors)} if errors else {}))
    whole = messages.lines(summary, *errors[:20])
    return Outcome(code=whole["code"], params=whole["params"], errors=[messages.english(e["code"], e["params"])
                                                                        for e in errors])


def run_parts(current: Run, handle: repo.Repo, parts: list[Part], tracker: Tracker,
              total: int) -> list[dict[str, Any]]:
    """One snapshot per part; a person's failure is noted and the others go on (a full drive stops all).
    Returns the problems as messages ("<part>: <error>"; restic's warnings are its own text)."""
    errors: list[dict[str, Any]] = []
    done = 0
    for part in parts:
        item = runs.start_item(current, user=part.user, label=part.label)
        if not part.paths:
            runs.finish_item(item, status=RunStatus.SKIPPED, code="usbbackup.no_area")
            continue
        try:
            summary = backup_part(handle, part, tracker, done, total)
        except StepError as exc:
            code, params = exc.as_data()
            runs.finish_item(item, status=RunStatus.FAILED, errors=1, code=code, params=params)
            raise
        except repo.RepoError as exc:
            errors.append(messages.msg("usbbackup.part_error", part=part_name(part), error=exc.as_message()))
            runs.finish_item(item, status=RunStatus.FAILED, errors=1, code=exc.code, params=exc.params)
            continue
        status = RunStatus.PARTIAL if summary.warnings else RunStatus.SUCCEEDED
        errors += [messages.msg("usbbackup.part_error", part=part_name(part), error=w) for w in summary.warnings[:5]]
        runs.finish_item(item, status=status, files=summary.total_files, bytes_=summary.total_bytes,
                         errors=len(summary.warnings), message="\n".join(summary.warnings[:20]),
                         snapshot_id=summary.snapshot_id, data_added=summary.data_added,
                         files_new=summary.files_new, files_changed=summary.files_changed)
        tracker.log(f"{part.label}: snapshot {summary.snapshot_id[:8]}, {summary.data_added} bytes added")
        done += part.size
    return errors


def apply_retention(handle: repo.Repo, job: UsbBackup, tracker: Tracker, errors: list[dict[str, Any]]) -> None:
    retention = job.retention_args()
    if not retention:
        return
    try:
        repo.forget(handle, retention)
    except repo.RepoError as exc:  # old snapshots kept longer is not a failed backup
        errors.append(messages.msg("usbbackup.retention_failed", error=exc.as_message()))
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
