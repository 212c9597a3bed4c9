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

from django.utils import timezone, translation
from django.utils.translation import gettext as _

from anemone.engines import restic
from anemone.files.paths import area_root
from anemone.files.services import TEMP_PREFIX
from anemone.runs import services as runs
from anemone.runs.models import Run, RunStatus
from p2p import repos
from p2p.models import PeerTarget, UserRepository

KIND = "p2p"
TAGS = ["anemone"]
LOCK_WAIT_SECONDS = 600
MAINTENANCE_EVERY = timedelta(hours=20)
PEER_GONE = (restic.Unreachable, restic.AccessRefused, restic.NoSpace)  # stop the run: the next person fails alike


class HistoryMissing(restic.ResticError):
    """The person's repository vanished at the peer after we had written to it."""

    outcome = "history-missing"


def hint(error: restic.ResticError) -> str:
    """What to do about a failure, in the words of the seed's troubleshooting."""
    if isinstance(error, restic.Unreachable):
        return _("peer unreachable: check the tunnel and the peer's Anemone (Peers → health checklist)")
    if isinstance(error, restic.AccessRefused):
        return _("the peer refused us: it must have our current invitation code, and room left under its storage cap")
    if isinstance(error, restic.WrongPassword):
        return _("this repository was made with another key: the person's backup key changed, or the folder is "
                 "someone else's")
    if isinstance(error, restic.RepositoryLocked):
        return _("another backup or prune of this repository is still running; try again later")
    if isinstance(error, restic.NoSpace):
        return _("the friend's disk is full: ask your friend to free space on their server; backups to it resume "
                 "by themselves once there is room (nothing already stored there was lost)")
    if isinstance(error, HistoryMissing):
        return _("nothing was re-created. Ask your friend whether their backup disk is mounted and the folder is "
                 "still there; if the history is really lost, start a new one (P2P → this peer → Start a new "
                 "history, or manage.py backup_now --peer PEER --new-history USER)")
    if isinstance(error, restic.NothingKept):
        return _("set at least one keep_* of this target to 1 or more (P2P → this peer → Edit)")
    return _("see the log below")


def allow_new_history(target: PeerTarget, person) -> UserRepository:
    """The admin's explicit "start a new history": the next backup creates an empty repository for this
    person at the peer, as for a first backup (what we knew of the old one is forgotten)."""
    return _record(target, person, initialised_at=None, last_snapshot_id="", last_snapshot_at=None,
                   snapshots_count=0, stored_bytes=0, last_verified_at=None, last_verify_ok=None,
                   last_maintained_at=None, problem="", history_missing=False)


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
                raise HistoryMissing(_("repository missing at the friend's server: history gone — the snapshots "
                                       "%(person)s had on %(peer)s are no longer there") % {
                                           "person": person.username, "peer": target.peer.name}) from exc
            tracker.log(f"{person.username}: no repository on {target.peer.name} yet; creating it")
            restic.init(repo)
            _record(target, person, initialised_at=timezone.now(), last_maintained_at=None, last_verified_at=None)
        return backup_once()

    return restic.run_unlocked(repo, attempt, wait=LOCK_WAIT_SECONDS,  # type: ignore[return-value]
                               on_wait=lambda: tracker.log(f"{person.username}: locked by a live process; waiting"))


def _backup_person(run: Run, tracker: runs.Tracker, target: PeerTarget, person,
                   share: tuple[float, float], after_failure: bool = False) -> list[str]:
    """One person, isolated: whatever goes wrong for them (short of the peer being gone for everyone) ends
    their item failed with a readable message, and the others are still backed up."""
    item = runs.start_item(run, user=person)
    try:
        errors = _back_up(run, tracker, target, person, item, share, after_failure)
    except runs.StepError as exc:
        _record(target, person, problem=exc.human()[:500])
        raise
    except HistoryMissing as exc:
        message = f"{person.username}: {exc} — {hint(exc)}"
        runs.finish_item(item, status=RunStatus.FAILED, errors=1, message=message)
        _record(target, person, problem=message[:500], history_missing=True)
        return [message]
    except Exception as exc:  # noqa: BLE001 - one person's surprise must not stop the others
        message = f"{person.username}: unexpected error: {exc}"
        tracker.log(traceback.format_exc(limit=5))
        runs.finish_item(item, status=RunStatus.FAILED, errors=1, message=message)
        errors = [message]
    item.refresh_from_db()
    if item.status == RunStatus.FAILED:
        _record(target, person, problem="\n".join(errors)[:500])
    elif item.status in (RunStatus.SUCCEEDED, RunStatus.PARTIAL):
        _record(target, person, problem="", history_missing=False)
    return errors


def _back_up(run: Run, tracker: runs.Tracker, target: PeerTarget, person, item,
             share: tuple[float, float], after_failure: bool) -> list[str]:
    source = area_root(person, "backup")
    if not source.is_dir() or not os.access(source, os.R_OK | os.X_OK):
        message = f"{person.username}: the backup area is missing or unreadable; nothing was backed up."
        runs.finish_item(item, status=RunStatus.FAILED, errors=1, message=message)
        return [message]
    if not any(not entry.name.startswith(TEMP_PREFIX) for entry in os.scandir(source)):
        runs.finish_item(item, status=RunStatus.SKIPPED, message=f"{person.username}: the backup area is empty; "
                         "nothing to back up (earlier snapshots are kept).")
        return []
    try:
        repo = repos.repository(target, person)
    except PEER_GONE as exc:  # no tunnel to the peer (peers.reach): nothing was sent
        runs.finish_item(item, status=RunStatus.FAILED, errors=1, message=str(exc))
        raise runs.StepError(f"Backing up {person.username} to {target.peer.name}", str(exc), hint(exc)) from exc
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
        runs.finish_item(item, status=RunStatus.FAILED, errors=1, message=str(exc))
        raise runs.StepError(f"Backing up {person.username} to {target.peer.name}", str(exc), hint(exc)) from exc
    except HistoryMissing:
        raise  # recorded as such by _backup_person
    except restic.ResticError as exc:
        message = f"{person.username}: {exc} — {hint(exc)}"
        runs.finish_item(item, status=RunStatus.FAILED, errors=1, message=message)
        return [message]
    run.files_done += summary.total_files
    run.bytes_done += summary.data_added
    record = _record(target, person, last_snapshot_id=summary.snapshot_id, last_snapshot_at=timezone.now())
    errors = [f"{person.username}: unreadable: {w}" for w in summary.warnings]
    if record.last_maintained_at is None and record.initialised_at and run.started_at and record.initialised_at >= run.started_at:
        _record(target, person, stored_bytes=summary.data_added_packed, snapshots_count=1,  # a new repository:
                last_maintained_at=timezone.now())  # its one snapshot, its data just written (no `stats` call)
        notes: list[str] = []
    else:
        notes = _maintain(tracker, target, record, repo, errors) if _maintenance_due(record) else []
    runs.finish_item(item, status=RunStatus.PARTIAL if errors else RunStatus.SUCCEEDED,
                     files=summary.files_new + summary.files_changed, bytes_=summary.data_added, errors=len(errors),
                     message="\n".join(errors[:50] + notes), snapshot_id=summary.snapshot_id,
                     files_new=summary.files_new, files_changed=summary.files_changed,
                     files_unmodified=summary.files_unmodified, data_added=summary.data_added,
                     total_files=summary.total_files, total_bytes=summary.total_bytes, duration=summary.duration)
    return errors


def _maintenance_due(record: UserRepository) -> bool:
    """Retention, size and verification run with the first backup of the day, not with every hourly one:
    `forget --prune` rewrites packs and `stats` reads the whole index — seconds that a no-op backup has not."""
    return record.last_maintained_at is None or timezone.now() - record.last_maintained_at >= MAINTENANCE_EVERY


def _maintain(tracker: runs.Tracker, target: PeerTarget, record: UserRepository, repo: restic.Repository,
              errors: list[str]) -> list[str]:
    """Retention, verification when due, and the repository's size: problems here keep the backup.
    A repository created by this run skips retention and verification until the next day's run."""
    notes: list[str] = []
    name = record.user.username
    try:
        forgotten = restic.run_unlocked(repo, lambda: restic.forget(repo, target.retention), wait=LOCK_WAIT_SECONDS)
        if forgotten.removed:  # type: ignore[attr-defined]
            notes.append(f"{len(forgotten.removed)} old snapshots forgotten")  # type: ignore[attr-defined]
        if _verification_due(target, record):
            tracker.log(f"{name}: verifying the repository ({target.verify_percent}% of the data)")
            result = restic.check(repo, read_data_subset=f"{target.verify_percent}%")
            _record(target, record.user, last_verified_at=timezone.now(), last_verify_ok=result.ok)
            if not result.ok:
                errors.append(f"{name}: verification found errors: " + " ".join(result.output[-5:])[:500])
            else:
                notes.append(f"verified ({target.verify_percent}% of the data re-read)")
    except restic.ResticError as exc:
        errors.append(f"{name}: after the backup: {exc} — {hint(exc)}")
        return notes
    _measure(target, record, repo, errors)
    return notes


def _measure(target: PeerTarget, record: UserRepository, repo: restic.Repository, errors: list[str]) -> None:
    """The repository's size on the peer (reciprocity); marks the day's maintenance done."""
    try:
        stats = restic.stats(repo)
    except restic.ResticError as exc:
        errors.append(f"{record.user.username}: measuring the repository: {exc} — {hint(exc)}")
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
            return runs.Outcome(status=RunStatus.FAILED, message=f"{', '.join(wanted)}: not carried by this target.")
    if not people:
        return runs.Outcome(status=RunStatus.SKIPPED, message="No active person with a backup key to back up.")
    errors: list[str] = []
    started = datetime.now(UTC)
    previous = Run.objects.filter(kind=KIND, target_id=target.pk, finished_at__isnull=False).exclude(pk=run.pk).first()
    after_failure = previous is not None and previous.status in (RunStatus.FAILED, RunStatus.INTERRUPTED, RunStatus.PARTIAL)
    for index, person in enumerate(people):
        errors += _backup_person(run, tracker, target, person, (100.0 * index / len(people), 100.0 / len(people)),
                                 after_failure)
    seconds = (datetime.now(UTC) - started).total_seconds()
    failed = run.items.filter(status=RunStatus.FAILED).count()
    who = "1 person" if len(people) == 1 else f"{len(people)} people"
    if failed:
        who = f"{len(people) - failed} of {len(people)} people"
    message = f"{who} backed up to {target.peer.name} in {seconds:.0f} s: {run.bytes_done} bytes added"
    if not errors:
        return runs.Outcome(message=message)
    # The first line is what lists and the health checklist show: with a failure, the failure itself.
    status = RunStatus.FAILED if failed == len(people) else RunStatus.PARTIAL
    return runs.Outcome(message="\n".join([*errors[:20], message]), errors=errors, status=status)
