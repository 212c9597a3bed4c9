"""P2P's one hint table and its run messages, in the reader's language.

``HINTS`` is keyed by the restic error's ``outcome`` (anemone.engines.restic_errors; p2p.backup's
HistoryMissing and peers.reach's NoTunnel add theirs): run bodies, pages, API and CLI all say the same thing
about the same failure. ``MESSAGES`` are the codes stored on runs (``p2p.*``), rendered at display time by
anemone.runs.messages; engine error text (``str(exc)``) stays a parameter.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from anemone.runs import messages

_UNREACHABLE = _("peer unreachable: check the tunnel and the peer's Anemone (Peers → health checklist)")

HINTS: dict[str, Any] = {
    "unreachable": _UNREACHABLE,
    "no-tunnel": _UNREACHABLE,
    "refused": _("the peer refused us: it must have our current invitation code, and room left under its storage "
                 "cap"),
    "wrong-key": _("this repository was made with another key: the person's backup key changed, or the folder is "
                   "someone else's"),
    "locked": _("another backup or prune of this repository is still running; try again later"),
    "no-space": _("the friend's disk is full: ask your friend to free space on their server; backups to it resume "
                  "by themselves once there is room (nothing already stored there was lost)"),
    "history-missing": _("nothing was re-created. Ask your friend whether their backup disk is mounted and the "
                         "folder is still there; if the history is really lost, start a new one (P2P → this peer → "
                         "Start a new history, or manage.py backup_now --peer PEER --new-history USER)"),
    "nothing-kept": _("set at least one keep_* of this target to 1 or more (P2P → this peer → Edit)"),
    "failed": _("see the log below"),
}

MESSAGES: dict[str, Any] = {
    "p2p.error_hint": _("%(error)s — %(hint)s"),
    "p2p.person_error_hint": _("%(user)s: %(error)s — %(hint)s"),
    "p2p.person_error": _("%(user)s: %(error)s"),
    "p2p.unexpected": _("%(user)s: unexpected error: %(error)s"),
    "p2p.history_missing": _("repository missing at the friend's server: history gone — the snapshots %(person)s "
                             "had on %(peer)s are no longer there"),
    "p2p.area_missing": _("%(user)s: the backup area is missing or unreadable; nothing was backed up."),
    "p2p.area_empty": _("%(user)s: the backup area is empty; nothing to back up (earlier snapshots are kept)."),
    "p2p.step_backing_up": _("Backing up %(user)s to %(peer)s"),
    "p2p.step_restoring": _("Restoring %(user)s from %(peer)s"),
    "p2p.unreadable": _("%(user)s: unreadable: %(warning)s"),
    "p2p.forgotten": _("%(count)s old snapshots forgotten"),
    "p2p.verified": _("verified (%(percent)s%% of the data re-read)"),
    "p2p.verify_errors": _("%(user)s: verification found errors: %(output)s"),
    "p2p.after_backup": _("%(user)s: after the backup: %(error)s — %(hint)s"),
    "p2p.measuring": _("%(user)s: measuring the repository: %(error)s — %(hint)s"),
    "p2p.not_carried": _("%(users)s: not carried by this target."),
    "p2p.nobody": _("No active person with a backup key to back up."),
    "p2p.summary_one": _("1 person backed up to %(peer)s in %(seconds)s s: %(bytes)s bytes added"),
    "p2p.summary_many": _("%(count)s people backed up to %(peer)s in %(seconds)s s: %(bytes)s bytes added"),
    "p2p.summary_some": _("%(done)s of %(count)s people backed up to %(peer)s in %(seconds)s s: %(bytes)s bytes "
                          "added"),
    "p2p.no_snapshot": _("no snapshot %(snapshot)s for %(user)s"),
    "p2p.restored": _("Restored %(path)s from %(peer)s: %(said)s"),
    "p2p.person_landed": _("%(user)s: %(said)s"),
    "p2p.nothing_backed_up": _("%(user)s: nothing was backed up"),
    "p2p.bulk_restored": _("%(done)s of %(count)s people restored from %(peer)s: %(landed)s"),
    # The health checklist's checks 4 and 5 (p2p.health).
    "p2p.health_no_target": _("no P2P target for this peer yet"),
    "p2p.health_nobody": _("nobody to back up yet"),
    "p2p.health_fix_broken": _("Check checks 1–3; a wrong key means the folder holds someone else's repository."),
    "p2p.health_gone": _("repository missing at the friend's server: history gone for %(users)s"),
    "p2p.health_fix_gone": _("Ask your friend whether their backup disk is mounted; if the history is really lost, "
                             "P2P → this peer → Start a new history."),
    "p2p.health_missing": _("no repository yet for %(users)s"),
    "p2p.health_fix_missing": _("Run a backup (P2P → Back up now): missing repositories are created automatically."),
    "p2p.health_nothing_yet": _("nothing to back up yet for %(users)s"),
    "p2p.health_opened": _("%(count)s repositories open with their owners' keys"),
    "p2p.health_not_scheduled": _("no backup is scheduled to this peer"),
    "p2p.health_fix_schedule": _("P2P → this peer → Edit: enable it and choose a schedule."),
    "p2p.health_never_run": _("scheduled (%(schedule)s), never run yet"),
    "p2p.health_fix_run": _("Click Back up now, or wait for the schedule."),
    "p2p.health_last_failed": _("last run %(status)s: %(message)s"),
    "p2p.health_fix_open_run": _("Open the run for the failing step and what to do."),
    "p2p.health_ok": _("%(schedule)s; last run %(status)s"),
}
for _name, _text in HINTS.items():
    MESSAGES[f"p2p.hint_{_name}"] = _text


def _outcome(exc_or_outcome: Any) -> str:
    outcome = exc_or_outcome if isinstance(exc_or_outcome, str) else getattr(exc_or_outcome, "outcome", "failed")
    return outcome if outcome in HINTS else "failed"


def hint(exc_or_outcome: Any) -> Any:
    """What to do about a failure (a restic error or its outcome code), as a lazy, translatable text."""
    return HINTS[_outcome(exc_or_outcome)]


def hint_message(exc_or_outcome: Any) -> dict[str, Any]:
    """The hint as a stored message (code + no parameters), for StepError and run items."""
    return messages.msg(f"p2p.hint_{_outcome(exc_or_outcome)}")


def error_message(exc: Exception) -> Any:
    """An error as a message parameter: our own coded errors (HistoryMissing) as data, engine text as text."""
    return getattr(exc, "message_data", None) or str(exc)


def with_hint(exc: Exception) -> str:
    """"error — hint" in the active language: pages, API and CLI that show an engine failure at once."""
    return f"{exc} — {hint(exc)}"


def first_line(run: Any) -> dict[str, Any]:
    """The first line of a run's message, as data when the run stored a code (what lists show first)."""
    if run.message_code == "runs.lines" and (run.message_params or {}).get("lines"):
        return run.message_params["lines"][0]
    if run.message_code:
        return messages.msg(run.message_code, **(run.message_params or {}))
    return messages.msg("runs.text", text=(run.message.splitlines() or [""])[0][:200])
