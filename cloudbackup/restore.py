"""Restore from a destination back to the files' own paths in backup/ — never over existing files.

A path (file or folder, relative to the person's backup/) and optionally a version time (a folder
of .versions/) are chosen; crypt destinations decrypt transparently (the same remote definition).
Where files land is files.landing's rule, the same for P2P and USB: a file changed since stays and the
restored one lands beside it as "name (restored <date of the copy>).ext" — no restored-… folder of
copies that the next sync would upload a second time.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from django.utils.translation import gettext_lazy as _

from anemone.engines import rclone
from anemone.files import landing, paths
from anemone.files.usage import QuotaExceeded
from anemone.restores.registry import RestoreSource
from anemone.runs import messages
from anemone.runs import services as runs
from anemone.runs.models import Run, RunStatus, Trigger
from cloudbackup import backends, sync
from cloudbackup.models import Destination

KIND = "cloud-restore"


def versions(dest: Destination, person) -> list[str]:
    """Version times (newest first) that hold something of this person: one listing of .versions/<time>/<user>."""
    remote = backends.remote(dest)
    try:
        folders = rclone.lsjson(remote.path(".versions"), remote.env, config_file=remote.config_file,
                                dirs_only=True, recursive=True, max_depth=2)
    except rclone.RclonePathMissing:
        return []
    found = {f["Path"].split("/")[0] for f in folders if f["Path"].count("/") == 1 and f["Name"] == person.username}
    return sorted((n for n in found if _version_name_ok(n)), reverse=True)


def request_restore(dest: Destination, person, *, path: str = "", version: str = "", requested_by=None,
                    trigger: str = Trigger.MANUAL, inline: bool = False) -> Run:
    parts = paths.split_relative(path)  # validated like any other path of the person's area
    if version and not _version_name_ok(version):
        raise paths.PathRefused("Unknown version time.")
    return runs.request(KIND, person, label=f"{dest.name} → {person.username}", trigger=trigger, user=requested_by,
                        options={"destination": dest.pk, "path": "/".join(parts), "version": version}, inline=inline)


def _version_name_ok(name: str) -> bool:
    try:
        datetime.strptime(name, sync.VERSION_FORMAT)
    except ValueError:
        return False
    return True


def _copy_date(version: str) -> date:
    """The date a restored copy is from: its version folder's, or today for the current mirror."""
    return datetime.strptime(version, sync.VERSION_FORMAT).date() if version else datetime.now(UTC).date()


def _listing(remote: backends.Remote, dest: Destination, source: str) -> tuple[bool, list[tuple[str, int]]] | None:
    """(is a file, [(path below the source, size)]) of what a restore of ``source`` would bring, or None when
    the source is not there ("not in this copy"). Paths are literal for rclone: '*' is the file named '*'."""
    flags = backends.name_flags(dest)
    entry = rclone.stat(source, remote.env, config_file=remote.config_file, extra=flags)
    if entry is None:
        return None
    if not entry.get("IsDir"):
        return True, [("", int(entry.get("Size") or 0))]
    files = rclone.lsjson(source, remote.env, config_file=remote.config_file, recursive=True, files_only=True,
                          extra=flags, timeout=3600)
    return False, [(f["Path"], int(f.get("Size") or 0)) for f in files]


def restore_body(run: Run, tracker: runs.Tracker) -> runs.Outcome:
    """Stage the chosen path out of sight, then put each file back at its own path in backup/ (files.landing:
    identical files left alone, a changed current file kept and the restored one beside it), after checking
    the quota against what would really land. A path not in the copy and a refusal are failures that leave
    nothing behind."""
    from anemone.accounts.models import User

    person = User.objects.get(pk=run.target_id)
    dest = Destination.objects.get(pk=run.options["destination"])
    relpath, version = run.options.get("path", ""), run.options.get("version", "")
    remote = backends.remote(dest)
    base = (".versions", version, person.username) if version else ("backup", person.username)
    source = remote.path(*base, relpath)
    area = paths.area_root(person, "backup")
    area.mkdir(parents=True, exist_ok=True)
    area = area.resolve()
    item = runs.start_item(run, user=person)
    stage: Path | None = None
    what: Any = relpath or messages.msg("cloudbackup.everything")
    step_said = messages.msg("cloudbackup.step_restoring", path=what, destination=dest.name)
    try:
        found = _listing(remote, dest, source)
        if found is None:
            raise landing.not_in_copy(relpath)
        is_file, files = found
        prefix = relpath.strip("/")
        landing.check_room(person, "backup", landing.estimate(
            area, [("/".join(p for p in (prefix, rel) if p), size) for rel, size in files]))
        stage = landing.stage_dir(person, run.pk)
        into = stage.joinpath(*paths.split_relative(relpath))

        def on_event(event: rclone.LogEvent) -> None:
            if event.stats is not None:
                tracker.progress(percent=event.stats.percent)

        verb = ["copyto", source, str(into)] if is_file else ["copy", source, str(into)]
        result = rclone.run([*verb, "--transfers", "8", *backends.name_flags(dest)], remote.env,
                            config_file=remote.config_file, on_event=on_event)
        if result.returncode != 0 and not result.stats.transfers and not result.file_errors:
            raise rclone.classify("\n".join(result.errors + result.stderr_tail))
        suffix = landing.beside_suffix(_copy_date(version))
        plan = landing.plan(stage, "backup", area, suffix)
        landing.check_room(person, "backup", plan.incoming)
        landing.apply(person, plan, suffix)
    except rclone.RcloneError as exc:
        runs.finish_item(item, status=RunStatus.FAILED, errors=1, message=str(exc))
        raise runs.StepError.of(step_said, str(exc), messages.msg("cloudbackup.run_test_connection")) from exc
    except (QuotaExceeded, landing.NothingToRestore, OSError) as exc:
        runs.finish_item(item, status=RunStatus.FAILED, errors=1, message=str(exc))
        raise runs.StepError.of(step_said, str(exc)) from exc
    finally:
        if stage is not None:
            landing.discard(stage)
    said = landing.landed(plan)
    # As in sync: errors of a pass that rclone's retry fixed are not lasting; notice-only skips are.
    lasting = [e for e in result.errors if not sync.RETRY_SUMMARY.match(e)] if result.returncode else []
    problems = [messages.msg("runs.text", text=line) for line in lasting]  # rclone's own words
    problems += [messages.msg("cloudbackup.not_restored", name=name) for name in result.skipped]
    told = messages.lines(said, *problems[:50])
    runs.finish_item(item, status=RunStatus.PARTIAL if problems else RunStatus.SUCCEEDED,
                     files=len(plan.moves), bytes_=plan.incoming, errors=len(problems),
                     code=told["code"], params=told["params"], restored_to=plan.place_of(stage, prefix))
    run.files_done, run.bytes_done = len(plan.moves), plan.incoming
    return runs.Outcome(code="cloudbackup.restored", params={"path": what, "destination": dest.name, "said": said},
                        errors=[messages.english(p["code"], p["params"]) for p in problems])


class CloudRestoreSource(RestoreSource):
    """The destinations that carry this person's backup area (the mirror and its kept versions)."""

    name = "cloud"
    label = _("Cloud")
    template = "cloudbackup/restore_source.html"
    restore_kinds = (KIND,)

    def offers(self, person) -> list[Destination]:
        return [dest for dest in Destination.objects.all() if dest.carries(person)]
