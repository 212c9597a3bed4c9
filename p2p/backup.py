"""Backup now / on schedule: each carried person's backup/ → their own restic repository on the peer.

Per person: remove stale locks (a killed run's), back up (initialising the repository the first time:
the seed's "repository does not exist" needs no human), forget+prune by the target's retention, and
re-read a share of the data when the weekly verification is due. A live lock is waited for, never
broken. The first error that means "the peer is gone" (unreachable, login refused) stops the run
with that reason; a person-specific failure (wrong key, unreadable area) marks the run partial.

So do a full disk at the peer (every person's upload would fail the same way) and — for one person —
a repository that vanished at the peer after good backups: it is not silently re-created (that would
hide that the history is gone, and on a friend whose backup disk came unmounted, fill their system
disk); the person fails with "repository missing" until an admin starts a new history
(``allow_new_history``: the P2P page, ``backup_now --new-history``, the API, the Django admin).
Whatever else goes wrong for one person, the others are still backed up.
"""

from __future__ import annotations

import os
import traceback
from datetime import UTC, datetime, timedelta
from typing import Any

from django.utils import timezone, translation

from anemone.engines import restic
from anemone.files.paths import area_root
from anemone.files.services import TEMP_PREFIX
from anemone.runs import messages
from anemone.runs import services as runs
from anemone.runs.models import Run, RunStatus
from p2p import hints, repos
from p2p.models import PeerTarget, UserRepository

KIND = "p2p"
TAGS = ["anemone"]
LOCK_WAIT_SECONDS = 600
MAINTENANCE_EVERY = timedelta(hours=20)
PEER_GONE = (restic.Unreachable, restic.AccessRefused, restic.NoSpace)  # stop the run: the next person fails alike


class HistoryMissing(restic.ResticError):
    """The person's repository vanished at the peer after we had written to it."""

    outcome = "history-missing"

    def __init__(self, person: str, peer: str):
        self.message_data = messages.msg("p2p.history_missing", person=person, peer=peer)
        super().__init__(messages.render(self.message_data["code"], self.message_data["params"]))


def _failure(user: str, exc: Exception, code: str = "p2p.person_error_hint") -> dict[str, Any]:
    """A person's failure as data: their name, the error (engine text stays text) and the hint."""
    return messages.msg(code, user=user, error=hints.error_message(exc), hint=hints.hint_message(exc))


def _step_error(person, target: PeerTarget, exc: Exception) -> runs.StepError:
    """The peer is gone for everyone: the run stops at this step, with the hint."""
    step = messages.msg("p2p.step_backing_up", user=person.username, peer=target.peer.name)
    return runs.StepError.of(step, str(exc), hints.hint_message(exc))


def _finish(item, status: str, parts: list[dict[str, Any]], **values: Any) -> None:
    """End an item with its messages (one per line) stored as data."""
    if not parts:
        runs.finish_item(item, status=status, **values)
        return
    whole = parts[0] if len(parts) == 1 else messages.lines(*parts)
    runs.finish_item(item, status=status, code=whole["code"], params=whole["params"], **values)


def allow_new_history(target: PeerTarget, person) -> UserRepository:
    """The admin's explicit "start a new history": the next backup creates an empty repository for this
    person at the peer, as for a first backup (what we knew of the old one is forgotten)."""
    return _record(target, person, initialised_at=None, last_snapshot_id="", last_snapshot_at=None,
                   snapshots_count=0, stored_bytes=0, last_verified_at=None, last_verify_ok=None,
                   last_maintained_at=None, history_missing=False, **_problem(None))


def _problem(message: dict[str, Any] | None) -> dict[str, Any]:
    """UserRepository's problem fields: the English text and the same message as data (None: no problem)."""
    if not message:
        return {"problem": "", "problem_code": "", "problem_params": {}}
    return {"problem": messages.english(message["code"], message["params"])[:500], "problem_code": message["code"],
            "problem_params": message["params"]}


def _record(target: PeerTarget, person, **values) -> UserRepository:
    record, _ = UserRepository.objects.get_or_create(target=target, user=person)
    for name, value in values.items():
        setattr(record, name, value)
    record.save()
    return record


def _backup_recovering(repo: restic.Repository, target: PeerTarget, person, tracker: runs.Tracker,
                       backup_once, *, after_failure: bool) -> restic.BackupSummary:
    """One `restic backup` on the normal path. After a failed or interrupted run, stale locks are removed
    first (the dead restic's lock would block retention and checks); a missing repository is created;
    a lock conflict removes stale locks and waits for live ones."""
    if after_failure:
        try:
            restic.unlock(repo)
        except restic.RepositoryMissing:
            pass

    def attempt() -> restic.BackupSummary:
        try:
            return backup_once()
        except restic.RepositoryMissing as exc:
            record = UserRepository.objects.filter(target=target, user=person).first()
            if record is not None and record.had_history:
                raise HistoryMissing(person.username, target.peer.name) from exc
            tracker.log(f"{person.username}: no repository on {target.peer.name} yet; creating it")
            restic.init(repo)
            _record(target, person, initialised_at=timezone.now(), last_maintained_at=None, last_verified_at=None)
        return backup_once()

    return restic.run_unlocked(repo, attempt, wait=LOCK_WAIT_SECONDS,  # type: ignore[return-value]
                               on_wait=lambda: tracker.log(f"{person.username}: locked by a live process; waiting"))


def _backup_person(run: Run, tracker: runs.Tracker, target: PeerTarget, person,
                   share: tuple[float, float], after_failure: bool = False) -> list[dict[str, Any]]:
    """One person, isolated: whatever goes wrong for them (short of the peer being gone for everyone) ends
    their item failed with a readable message, and the others are still backed up. Returns the person's
    errors as messages (data)."""
    item = runs.start_item(run, user=person)
    try:
        errors = _back_up(run, tracker, target, person, item, share, after_failure)
    except runs.StepError as exc:
        code, params = exc.as_data()
        _record(target, person, **_problem(messages.msg(code, **params)))
        raise
    except HistoryMissing as exc:
        failure = _failure(person.username, exc)
        _finish(item, RunStatus.FAILED, [failure], errors=1)
        _record(target, person, history_missing=True, **_problem(failure))
        return [failure]
    except Exception as exc:  # noqa: BLE001 - one person's surprise must not stop the others
        tracker.log(traceback.format_exc(limit=5))
        errors = [messages.msg("p2p.unexpected", user=person.username, error=str(exc))]
        _finish(item, RunStatus.FAILED, errors, errors=1)
    item.refresh_from_db()
    if item.status == RunStatus.FAILED:
        _record(target, person, **_problem(errors[0] if len(errors) == 1 else messages.lines(*errors)))
    elif item.status in (RunStatus.SUCCEEDED, RunStatus.PARTIAL):
        _record(target, person, history_missing=False, **_problem(None))
    return errors


def _back_up(run: Run, tracker: runs.Tracker, target: PeerTarget, person, item,
             share: tuple[float, float], after_failure: bool) -> list[dict[str, Any]]:
    source = area_root(person, "backup")
    if not source.is_dir() or not os.access(source, os.R_OK | os.X_OK):
        failure = messages.msg("p2p.area_missing", user=person.username)
        _finish(item, RunStatus.FAILED, [failure], errors=1)
        return [failure]
    if not any(not entry.name.startswith(TEMP_PREFIX) for entry in os.scandir(source)):
        _finish(item, RunStatus.SKIPPED, [messages.msg("p2p.area_empty", user=person.username)])
        return []
    try:
        repo = repos.repository(target, person)
    except PEER_GONE as exc:  # no tunnel to the peer (peers.reach): nothing was sent
        _finish(item, RunStatus.FAILED, [messages.msg("runs.text", text=str(exc))], errors=1)
        raise _step_error(person, target, exc) from exc
    base, width = share

    def on_progress(p: restic.BackupProgress) -> None:
        tracker.progress(percent=base + width * p.percent, current_item=f"{person.username}: {p.current}")

    def backup_once() -> restic.BackupSummary:
        return restic.backup(repo, source, ["."], tags=[*TAGS, f"user:{person.username}"], host=repos.folder(target),
                             excludes=[f"{TEMP_PREFIX}*"], on_progress=on_progress,
                             stall_timeout=target.stall_timeout_seconds)

    try:
        summary = _backup_recovering(repo, target, person, tracker, backup_once, after_failure=after_failure)
    except PEER_GONE as exc:
        _finish(item, RunStatus.FAILED, [messages.msg("runs.text", text=str(exc))], errors=1)
        raise _step_error(person, target, exc) from exc
    except HistoryMissing:
        raise  # recorded as such by _backup_person
    except restic.ResticError as exc:
        failure = _failure(person.username, exc)
        _finish(item, RunStatus.FAILED, [failure], errors=1)
        return [failure]
    run.files_done += summary.total_files
    run.bytes_done += summary.data_added
    record = _record(target, person, last_snapshot_id=summary.snapshot_id, last_snapshot_at=timezone.now())
    errors = [messages.msg("p2p.unreadable", user=person.username, warning=w) for w in summary.warnings]
    if record.last_maintained_at is None and record.initialised_at and run.started_at and record.initialised_at >= run.started_at:
        _record(target, person, stored_bytes=summary.data_added_packed, snapshots_count=1,  # a new repository:
                last_maintained_at=timezone.now())  # its one snapshot, its data just written (no `stats` call)
        notes: list[dict[str, Any]] = []
    else:
        notes = _maintain(tracker, target, record, repo, errors) if _maintenance_due(record) else []
    _finish(item, RunStatus.PARTIAL if errors else RunStatus.SUCCEEDED, errors[:50] + notes,
            files=summary.files_new + summary.files_changed, bytes_=summary.data_added, errors=len(errors),
            snapshot_id=summary.snapshot_id, files_new=summary.files_new, files_changed=summary.files_changed,
            files_unmodified=summary.files_unmodified, data_added=summary.data_added,
            total_files=summary.total_files, total_bytes=summary.total_bytes, duration=summary.duration)
    return errors


def _maintenance_due(record: UserRepository) -> bool:
    """Retention, size and verification run with the first backup of the day, not with every hourly one:
    `forget --prune` rewrites packs and `stats` reads the whole index — seconds that a no-op backup has not."""
    return record.last_maintained_at is None or timezone.now() - record.last_maintained_at >= MAINTENANCE_EVERY


def _maintain(tracker: runs.Tracker, target: PeerTarget, record: UserRepository, repo: restic.Repository,
              errors: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Retention, verification when due, and the repository's size: problems here keep the backup.
    A repository created by this run skips retention and verification until the next day's run."""
    notes: list[dict[str, Any]] = []
    name = record.user.username
    try:
        forgotten = restic.run_unlocked(repo, lambda: restic.forget(repo, target.retention), wait=LOCK_WAIT_SECONDS)
        if forgotten.removed:  # type: ignore[attr-defined]
            notes.append(messages.msg("p2p.forgotten", count=len(forgotten.removed)))  # type: ignore[attr-defined]
        if _verification_due(target, record):
            tracker.log(f"{name}: verifying the repository ({target.verify_percent}% of the data)")
            result = restic.check(repo, read_data_subset=f"{target.verify_percent}%")
            _record(target, record.user, last_verified_at=timezone.now(), last_verify_ok=result.ok)
            if not result.ok:
                errors.append(messages.msg("p2p.verify_errors", user=name, output=" ".join(result.output[-5:])[:500]))
            else:
                notes.append(messages.msg("p2p.verified", percent=target.verify_percent))
    except restic.ResticError as exc:
        errors.append(_failure(name, exc, "p2p.after_backup"))
        return notes
    _measure(target, record, repo, errors)
    return notes


def _measure(target: PeerTarget, record: UserRepository, repo: restic.Repository,
             errors: list[dict[str, Any]]) -> None:
    """The repository's size on the peer (reciprocity); marks the day's maintenance done."""
    try:
        stats = restic.stats(repo)
    except restic.ResticError as exc:
        errors.append(_failure(record.user.username, exc, "p2p.measuring"))
        return
    _record(target, record.user, stored_bytes=stats.total_size, snapshots_count=stats.snapshots_count,
            last_maintained_at=timezone.now())


def _verification_due(target: PeerTarget, record: UserRepository) -> bool:
    if not target.verify_every_days:
        return False
    if record.last_verified_at is None:
        return True
    return timezone.now() - record.last_verified_at >= timedelta(days=target.verify_every_days)


def backup_body(run: Run, tracker: runs.Tracker) -> runs.Outcome:
    """The run, in the household's language (Settings → default language): its messages are stored, and
    would otherwise be in whatever language the worker's thread last had active."""
    from anemone.models import SiteSettings

    with translation.override(SiteSettings.load().language or "en"):
        return _backup_body(run, tracker)


def _backup_body(run: Run, tracker: runs.Tracker) -> runs.Outcome:
    target = PeerTarget.objects.select_related("peer").get(pk=run.target_id)
    people = list(target.carried_users())
    wanted = run.options.get("users") or []
    if wanted:
        people = [p for p in people if p.username in wanted]
        if not people:
            return runs.Outcome(status=RunStatus.FAILED, code="p2p.not_carried", params={"users": ", ".join(wanted)})
    if not people:
        return runs.Outcome(status=RunStatus.SKIPPED, code="p2p.nobody")
    from p2p import host_status

    host_status.read_quietly(target)  # what the host says about our folder, before we write (peers.host_report)
    errors: list[dict[str, Any]] = []
    started = datetime.now(UTC)
    previous = Run.objects.filter(kind=KIND, target_id=target.pk, finished_at__isnull=False).exclude(pk=run.pk).first()
    after_failure = previous is not None and previous.status in (RunStatus.FAILED, RunStatus.INTERRUPTED, RunStatus.PARTIAL)
    for index, person in enumerate(people):
        errors += _backup_person(run, tracker, target, person, (100.0 * index / len(people), 100.0 / len(people)),
                                 after_failure)
    seconds = f"{(datetime.now(UTC) - started).total_seconds():.0f}"
    failed = run.items.filter(status=RunStatus.FAILED).count()
    figures = {"peer": target.peer.name, "seconds": seconds, "bytes": run.bytes_done}
    if failed:
        summary = messages.msg("p2p.summary_some", done=len(people) - failed, count=len(people), **figures)
    elif len(people) == 1:
        summary = messages.msg("p2p.summary_one", **figures)
    else:
        summary = messages.msg("p2p.summary_many", count=len(people), **figures)
    if not errors:
        return runs.Outcome(code=summary["code"], params=summary["params"])
    # The first line is what lists and the health checklist show: with a failure, the failure itself.
    status = RunStatus.FAILED if failed == len(people) else RunStatus.PARTIAL
    whole = messages.lines(*errors[:20], summary)
    return runs.Outcome(code=whole["code"], params=whole["params"], status=status,
                        errors=[messages.english(e["code"], e["params"]) for e in errors])
