"""The restore drills' run messages (``drills.*``), rendered in the reader's language (anemone.runs.messages).

Run-wide messages (read by admins, and by a person only when the run carried them alone) name people and
counts, never files; a person's item message may name their own files. Each failure says which step, how many
files, and what to do.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

MESSAGES: dict[str, Any] = {
    "drills.passed": _("Restore drill passed: %(checked)s files of %(people)s restored and checked, none differ."),
    "drills.failed": _("Restore drill failed for %(failed)s of %(people)s."),
    "drills.nothing_to_check": _("Nothing to check yet: no copy of anybody at this destination (back up first)."),
    "drills.target_gone": _("This backup target was removed; there is nothing to drill."),
    "drills.backup_running": _("Skipped: a backup of this target is running. The drill runs again within the hour."),
    "drills.backup_started": _("Stopped: a backup of this target started, and a drill never runs beside one. The "
                               "drill runs again within the hour."),
    "drills.mode_compared": _("compared byte for byte with your files"),
    "drills.mode_integrity": _("read back in full (your files changed since this copy)"),
    "drills.person_passed": _("%(checked)s files of copy %(copy)s restored and %(how)s: all good."),
    "drills.person_failed": _("%(bad)s of %(checked)s files of copy %(copy)s failed the drill (%(mismatched)s "
                              "differ, %(missing)s missing): %(paths)s — %(hint)s"),
    "drills.person_unrestorable": _("Restoring files of copy %(copy)s failed at step “%(step)s”: %(error)s — "
                                    "%(hint)s"),
    "drills.no_copy": _("%(user)s: no copy yet, nothing to check."),
    "drills.run_person_failed": _("%(user)s: %(bad)s of %(checked)s files failed at step “%(step)s” — %(hint)s"),
    "drills.run_person_error": _("%(user)s: step “%(step)s” failed: %(error)s — %(hint)s"),
    "drills.step_list": _("listing the newest copy"),
    "drills.step_restore": _("restoring the sample"),
    "drills.step_compare": _("comparing with the source"),
    "drills.hint_damaged": _("the copy at the destination is damaged: run a backup now (it sends changed files "
                             "again), then a drill; if the drill still fails, start a fresh copy at this destination"),
    "drills.hint_reach": _("the destination could not be read: check it (Test connection / health checklist) and "
                           "run the drill again"),
    "drills.health_failed": _("the last restore drill failed for %(users)s: their copy there is damaged until a "
                              "drill passes"),
    "drills.health_fix": _("run a backup, then “Run a drill now” on the P2P page; a drill that passes clears this"),
    "drills.repaired": _("Repaired: %(what)s. The next backup sends the damaged files again."),
    "drills.repaired_packs": ngettext_lazy("%(count)s damaged pack removed from the repository and the snapshots "
                                           "that used it repaired",
                                           "%(count)s damaged packs removed from the repository and the snapshots "
                                           "that used them repaired", "count"),
    "drills.repair_failed": _("the copy of %(user)s is damaged and could not be repaired (%(error)s): run the drill "
                              "again; if it still fails, start a fresh repository (a new history) for %(user)s"),
    "drills.fresh_needed": _("restic could not repair this repository: start a fresh one (a new history) for "
                             "%(user)s."),
}
