"""Cloud sync's one hint table and its run messages, in the reader's language.

``HINTS`` is keyed by the engine error's ``outcome`` (anemone.engines.rclone; the same codes as Test
connection): run bodies, pages, API and CLI all say the same thing about the same failure. ``MESSAGES`` are
the codes stored on runs (``cloudbackup.*``), rendered at display time by anemone.runs.messages.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

HINTS: dict[str, Any] = {
    "auth_refused": _("check that Anemone's public key is in the server's authorized_keys (Test connection shows "
                      "the line)"),
    "unreachable": _("check the server is up, the host name and port, and the firewall"),
    "host_key_changed": _("the server's identity changed; if it was reinstalled, clear the pinned key and test "
                          "again"),
    "path_missing": _("create the remote path on the server and give the backup user write access"),
    "not_writable": _("give the backup user write access to the remote path"),
    "key_missing": _("generate Anemone's SSH key on the Cloud page (or correct the destination's key path)"),
    "error": _("see the log below"),
}

MESSAGES: dict[str, Any] = {
    "cloudbackup.area_missing": _("%(user)s: the backup area is missing or unreadable; nothing was synced or "
                                  "deleted."),
    "cloudbackup.step_syncing": _("Syncing %(user)s to %(destination)s"),
    "cloudbackup.step_checking_folder": _("Checking %(destination)s's folder"),
    "cloudbackup.step_connecting": _("Connecting to %(destination)s"),
    "cloudbackup.folder_gone": _("the destination folder is gone or empty, although earlier syncs stored copies "
                                 "there; nothing was copied, so nothing is written to the wrong disk"),
    "cloudbackup.folder_gone_hint": _("if the server's backup disk came unmounted, mount it again and sync; if you "
                                      "emptied or moved the folder on purpose, sync again with \"start again from "
                                      "an empty folder\" ticked (API: recreate_remote, CLI: cloud_sync "
                                      "--recreate-remote)"),
    "cloudbackup.run_test_connection": _("run Test connection on the destination's page"),
    "cloudbackup.summary": _("%(users)s users, %(files)s files copied (%(bytes)s bytes)"),
    "cloudbackup.summary_dry_run": _("%(users)s users, %(files)s files would copy (%(bytes)s bytes)"),
    "cloudbackup.summary_pruned": _("%(summary)s, %(pruned)s"),
    "cloudbackup.step_restoring": _("Restoring %(path)s from %(destination)s"),
    "cloudbackup.everything": _("everything"),
    "cloudbackup.restored": _("Restored %(path)s from %(destination)s: %(said)s"),
    "cloudbackup.not_restored": _("not restored: %(name)s"),
    # The summary since counts are plural-aware (older runs keep the two codes above).
    "cloudbackup.copied": _("%(people)s, %(files)s (%(size)s)"),
    "cloudbackup.files_copied": ngettext_lazy("%(count)s file copied", "%(count)s files copied", "count"),
    "cloudbackup.files_would_copy": ngettext_lazy("%(count)s file would be copied", "%(count)s files would be copied",
                                                  "count"),
    "cloudbackup.pruned": _("%(count)s old version folders pruned"),
    "cloudbackup.not_pruned": _("old versions not pruned: %(error)s"),
}
for _outcome, _text in HINTS.items():
    MESSAGES[f"cloudbackup.hint_{_outcome}"] = _text


def hint(outcome: str) -> Any:
    """What to do about a failure with this outcome code (a lazy, translatable text)."""
    return HINTS.get(outcome, HINTS["error"])


def hint_message(outcome: str) -> dict[str, Any]:
    """The hint as a stored message (code + no parameters), for StepError and run items."""
    return {"code": f"cloudbackup.hint_{outcome if outcome in HINTS else 'error'}", "params": {}}
