"""Restore from a destination into backup/restored-<destination>-<time>/ — never over existing files.

A path (file or folder, relative to the person's backup/) and optionally a version time (a folder
of .versions/) are chosen; crypt destinations decrypt transparently (the same remote definition).
"""

from __future__ import annotations

from datetime import UTC, datetime

from anemone.engines import rclone
from anemone.files import paths
from anemone.files.usage import change_usage, tree_size
from anemone.runs import services as runs
from anemone.runs.models import Run, RunStatus, Trigger
from cloudbackup import backends, sync
from cloudbackup.models import Destination

KIND = "cloud-restore"
TASK = "cloudbackup.tasks.run_restore"


def versions(dest: Destination, person) -> list[str]:  # type: ignore[no-untyped-def]
    """Version times (newest first) that hold something of this person: one listing of .versions/<time>/<user>."""
    remote = backends.remote(dest)
    try:
        folders = rclone.lsjson(remote.path(".versions"), remote.env, config_file=remote.config_file,
                                dirs_only=True, recursive=True, max_depth=2)
    except rclone.RclonePathMissing:
        return []
    found = {f["Path"].split("/")[0] for f in folders if f["Path"].count("/") == 1 and f["Name"] == person.username}
    return sorted((n for n in found if _version_name_ok(n)), reverse=True)


def request_restore(dest: Destination, person, *, path: str = "", version: str = "", requested_by=None,  # type: ignore[no-untyped-def]
                    trigger: str = Trigger.MANUAL, inline: bool = False) -> Run:
    parts = paths.split_relative(path)  # validated like any other path of the person's area
    if version and not _version_name_ok(version):
        raise paths.PathRefused("Unknown version time.")
    run = runs.start(KIND, person.pk, label=f"{dest.name} → {person.username}", trigger=trigger, user=requested_by,
                     options={"destination": dest.pk, "path": "/".join(parts), "version": version})
    runs.dispatch(run, TASK, inline=inline)
    return run


def _version_name_ok(name: str) -> bool:
    try:
        datetime.strptime(name, sync.VERSION_FORMAT)
    except ValueError:
        return False
    return True


def restore_body(run: Run, tracker: runs.Tracker) -> runs.Outcome:
    from anemone.accounts.models import User

    person = User.objects.get(pk=run.target_id)
    dest = Destination.objects.get(pk=run.options["destination"])
    relpath, version = run.options.get("path", ""), run.options.get("version", "")
    remote = backends.remote(dest)
    base = (".versions", version, person.username) if version else ("backup", person.username)
    source = remote.path(*base, relpath)
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    folder_name = f"restored-{dest.name}-{version or stamp}"
    root = paths.area_root(person, "backup")
    target = paths.resolve_under(root, folder_name)
    counter = 1
    while target.exists():
        counter += 1
        target = paths.resolve_under(root, f"{folder_name}-{counter}")
    item = runs.start_item(run, user=person)
    target.mkdir(mode=0o700)

    def on_event(event: rclone.LogEvent) -> None:
        if event.stats is not None:
            tracker.progress(percent=event.stats.percent)

    result = rclone.run(["copy", source, str(target), "--transfers", "8", *backends.name_flags(dest)], remote.env,
                        config_file=remote.config_file, on_event=on_event)
    if result.returncode != 0 and not result.stats.transfers and not result.file_errors:
        error = rclone.classify("\n".join(result.errors + result.stderr_tail))
        runs.finish_item(item, status=RunStatus.FAILED, errors=1, message=str(error))
        raise runs.StepError(f"Restoring {relpath or 'everything'} from {dest.name}", str(error),
                             "test the destination's connection")
    change_usage(person, "backup", tree_size(target))
    where = paths.relative_to_area(person, "backup", target)
    # As in sync: errors of a pass that rclone's retry fixed are not lasting; notice-only skips are.
    lasting = [e for e in result.errors if not sync.RETRY_SUMMARY.match(e)] if result.returncode else []
    problems = lasting + [f"not restored: {s}" for s in result.skipped]
    runs.finish_item(item, status=RunStatus.PARTIAL if problems else RunStatus.SUCCEEDED,
                     files=result.stats.transfers, bytes_=result.stats.bytes, errors=len(problems),
                     message="\n".join(problems[:50]), restored_to=where)
    run.files_done, run.bytes_done = result.stats.transfers, result.stats.bytes
    return runs.Outcome(message=f"{result.stats.transfers} files restored into backup/{where}", errors=problems)

