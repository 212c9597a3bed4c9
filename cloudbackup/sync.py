"""Sync now / on schedule: each carried user's backup/ → {root}/backup/{username}/, with history.

rclone ``sync`` makes the mirror; ``--backup-dir`` moves whatever it would overwrite or delete to
``{root}/.versions/<UTC time>/{username}/`` instead, so a deleted or ransomware-encrypted file is
still there; version folders older than the retention are purged by the first sync of each day. A user
whose source area is missing or unreadable is skipped (a sync from an empty source would delete
the whole mirror).
"""

from __future__ import annotations

import os
import re
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

from anemone.engines import rclone
from anemone.files.paths import area_root
from anemone.runs import messages
from anemone.runs import services as runs
from anemone.runs.models import Run, RunStatus
from cloudbackup import backends, connection, hints
from cloudbackup.models import Destination, Kind

KIND = "cloud"
VERSION_FORMAT = "%Y%m%dT%H%M%SZ"
# rclone flags for many small files, chosen from measurements (bench/cloud_sync.py and flag sweeps, figures in
# bench/RESULTS.md, 2026-11-25): 50,000 files of 1-8 KB to an OpenSSH server on this 2-core machine, shared and
# busy, so always compared back to back.
# - The big win is not a flag but the SFTP remote's `shell_type none` (backends.py): by default rclone runs
#   `md5sum` over a new SSH session after every upload when the account may run commands (the seed's server):
#   bench, 4 back-to-back pairs: rclone's defaults 149-186 s vs Anemone 40-60 s (3.2x; sweep: 206-237 s vs
#   65-69 s). Integrity without it: SSH authenticates every packet, rclone checks each upload's size before
#   renaming it into place (docs/cloud.md "Speed and integrity").
# - --transfers/--checkers: 4/8 (rclone's default) 66-70 s, 8/8 72-82 s, 16/16 50-78 s, 32/32 71-85 s: no
#   difference beyond noise on loopback; 16/16 kept because each file costs several round trips (open, write,
#   close, setstat, rename) that more files in flight hide on a real link: with 40 ms of round trip
#   (bench/cloud_latency.py, 2026-12-01) 1,000 small files took 75 s vs 107 s with rclone's 4/8. The price: rclone
#   opens its SSH connections ~100 ms apart, so a no-op sync costs ~1.7 s per person (~0.8 s with 8 checkers).
# - Rejected: --inplace (46-48 s, ~30 % faster, but a killed sync would leave truncated files under their real
#   names), sftp set_modtime=false (every later sync re-sends everything: no-op 50-69 s instead of 2 s),
#   --check-first (58-70 s), --no-check-dest (rclone refuses it with sync), --no-traverse (ignored with sync).
TUNING = ["--transfers", "16", "--checkers", "16"]
RETRY_SUMMARY = re.compile(r"^Attempt \d+/\d+ failed with \d+ errors")  # repeats the last error above it
FATAL = (rclone.RcloneUnreachable, rclone.RcloneAuthRefused, rclone.RcloneHostKeyMismatch, rclone.RclonePathMissing,
         rclone.RcloneKeyUnreadable)


def sync_args(dest: Destination, remote: backends.Remote, source: str, username: str, stamp: str,
              dry_run: bool) -> list[str]:
    args = ["sync", source, remote.path("backup", username),
            "--backup-dir", remote.path(".versions", stamp, username), *TUNING, *backends.name_flags(dest)]
    if dest.bandwidth_limit:
        args += ["--bwlimit", dest.bandwidth_limit]
    if dry_run:
        args.append("--dry-run")
    return args


def _sync_user(run: Run, tracker: runs.Tracker, dest: Destination, remote: backends.Remote, person,
               stamp: str, dry_run: bool, share: tuple[float, float]) -> list[str]:
    item = runs.start_item(run, user=person)
    source = area_root(person, "backup")
    if not source.is_dir() or not os.access(source, os.R_OK | os.X_OK):
        params = {"user": person.username}
        runs.finish_item(item, status=RunStatus.FAILED, errors=1, code="cloudbackup.area_missing", params=params)
        return [messages.english("cloudbackup.area_missing", params)]
    base_percent, width = share

    def on_event(event: rclone.LogEvent) -> None:
        if event.stats is not None:
            tracker.progress(percent=base_percent + width * event.stats.percent / 100,
                             current_item=f"{person.username}: {', '.join(event.stats.transferring[:2])}")
        elif event.is_error or (dry_run and "dry-run" in event.msg):
            tracker.log(f"{person.username}: {rclone.printable(event.object)}: {event.msg}")

    result = rclone.run(sync_args(dest, remote, str(source), person.username, stamp, dry_run), remote.env,
                        on_event=on_event, config_file=remote.config_file)
    if result.returncode != 0 and not result.stats.transfers and not result.file_errors:  # the remote itself failed
        error = rclone.classify("\n".join(result.errors + result.stderr_tail))
        if isinstance(error, FATAL):
            runs.finish_item(item, status=RunStatus.FAILED, errors=1, message=str(error))
            step = messages.msg("cloudbackup.step_syncing", user=person.username, destination=dest.name)
            raise runs.StepError.of(step, str(error), hints.hint_message(error.outcome))
    stats = result.stats
    # rclone retries a failed pass (--retries 3); errors of a pass that a later one fixed are only logged.
    lasting = [e for e in result.errors if not RETRY_SUMMARY.match(e)] if result.returncode else []
    # Entries rclone leaves out with a mere notice (exit 0): each is named on the run, which is then partial.
    problems = lasting + [f"not copied: {entry}" for entry in result.skipped]
    would: dict[str, Any] = {"would_copy": [o for m, o in result.changes if "copy" in m.lower()][:200],
             "would_delete": [o for m, o in result.changes if "delete" in m.lower()][:200]} if dry_run else {}
    status = RunStatus.PARTIAL if result.returncode or result.skipped else RunStatus.SUCCEEDED
    runs.finish_item(item, status=status, files=stats.transfers, bytes_=stats.bytes, errors=len(problems),
                     message="\n".join(problems[:50]), transferred=stats.transfers, checks=stats.checks,
                     deletes=stats.deletes, skipped=len(result.skipped), dry_run=dry_run, **would)
    run.files_done += stats.transfers
    run.bytes_done += stats.bytes
    return [f"{person.username}: {e}" for e in problems]


def pruned_today(dest: Destination, now: datetime) -> bool:
    """Retention is in days: the first successful sync of the (UTC) day prunes, later ones skip the listing."""
    return Run.objects.filter(kind=KIND, target_id=dest.pk, status=RunStatus.SUCCEEDED,
                              finished_at__date=now.date(), options__dry_run=False).exists()


def remote_folders(remote: backends.Remote) -> set[str] | None:
    """Folders at the destination's root and one level below ("backup", "backup/alice", ".versions",
    ".versions/<time>"), in one listing; None when the root folder itself does not exist."""
    try:
        entries = rclone.lsjson(remote.root, remote.env, config_file=remote.config_file, recursive=True,
                                dirs_only=True, max_depth=2)
    except rclone.RclonePathMissing:
        return None
    return {entry["Path"] for entry in entries}


def stored_copies_before(dest: Destination) -> bool:
    """An earlier real sync (not a dry run) copied files to this destination."""
    return Run.objects.filter(kind=KIND, target_id=dest.pk, status__in=[RunStatus.SUCCEEDED, RunStatus.PARTIAL],
                              options__dry_run=False, files_done__gt=0).exists()


def check_remote_still_there(run: Run, dest: Destination, folders: set[str] | None) -> None:
    """Stop when the destination's folder vanished (or is empty) after earlier syncs stored copies there.

    rclone would silently create it again: on a server whose backup disk came unmounted, that writes everyone's
    files onto its system disk, and the history in .versions/ looks gone. A first sync, or an admin who asked to
    start again (option "recreate_remote"), goes ahead.
    """
    if folders and ({"backup", ".versions"} & folders):
        return
    if run.options.get("recreate_remote") or not stored_copies_before(dest):
        return
    raise runs.StepError.of(messages.msg("cloudbackup.step_checking_folder", destination=dest.name),
                            messages.msg("cloudbackup.folder_gone"), messages.msg("cloudbackup.folder_gone_hint"))


def prune_versions(dest: Destination, remote: backends.Remote, now: datetime, folders: set[str]) -> int:
    """Delete version folders older than the retention; returns how many were deleted."""
    limit = now - timedelta(days=dest.retention_days)
    pruned = 0
    for path in sorted(folders):
        head, _, name = path.partition("/")
        if head != ".versions" or not name or "/" in name:
            continue
        try:
            made = datetime.strptime(name, VERSION_FORMAT).replace(tzinfo=UTC)
        except ValueError:
            continue
        if made < limit:
            rclone.simple(["purge", remote.path(".versions", name)], remote.env,
                          config_file=remote.config_file, timeout=3600)
            pruned += 1
    return pruned


def sync_body(run: Run, tracker: runs.Tracker) -> runs.Outcome:
    dest = Destination.objects.get(pk=run.target_id)
    dry_run = bool(run.options.get("dry_run"))
    if dest.kind == Kind.SFTP and not dest.host_key and (refused := connection.pin_host_key(dest)) is not None:
        raise runs.StepError.of(messages.msg("cloudbackup.step_connecting", destination=dest.name), refused.message,
                                messages.msg("cloudbackup.run_test_connection"))
    remote = backends.remote(dest)
    folders = remote_folders(remote)
    check_remote_still_there(run, dest, folders)
    now = datetime.now(UTC)
    stamp = now.strftime(VERSION_FORMAT)
    people = list(dest.carried_users())
    errors: list[str] = []
    with ThreadPoolExecutor(max_workers=1) as background:
        # Pruning only touches version folders older than the retention, never the mirror nor this run's folder:
        # it runs beside the syncs, from the root listing made above (no listing of its own).
        pruning = None if dry_run or not folders or pruned_today(dest, now) else background.submit(
            prune_versions, dest, remote, now, folders)
        for index, person in enumerate(people):
            share = (100.0 * index / len(people), 100.0 / len(people))
            errors += _sync_user(run, tracker, dest, remote, person, stamp, dry_run, share)
        try:
            pruned = pruning.result() if pruning else 0
        except rclone.RcloneError as exc:
            pruned = 0
            errors.append(messages.english("cloudbackup.not_pruned", {"error": str(exc)}))
    files = messages.msg("cloudbackup.files_would_copy" if dry_run else "cloudbackup.files_copied", count=run.files_done)
    summary = messages.msg("cloudbackup.copied", people=messages.msg("runs.people", count=len(people)), files=files,
                           size=messages.msg("runs.size", bytes=run.bytes_done))
    if pruned:
        summary = messages.msg("cloudbackup.summary_pruned", summary=summary,
                               pruned=messages.msg("cloudbackup.pruned", count=pruned))
    parts = [summary]
    # errors: rclone's own lines (engine text, not ours to translate) and the English of coded ones.
    parts += [messages.msg("runs.text", text=line) for line in errors[:20]]
    whole = messages.lines(*parts)
    return runs.Outcome(code=whole["code"], params=whole["params"], errors=errors)
