"""The files app's run messages (``files.*``: the daily trash purge), rendered in the reader's language.

anemone.runs.messages finds them by the app label ("files" → anemone.files.hints.MESSAGES), as it finds any
app's; the ``message`` column keeps their English.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

MESSAGES: dict[str, Any] = {
    "files.trash_purged": _("%(entries)s trash entries older than %(days)s days deleted"),
    "files.person_error": _("%(user)s: %(error)s"),
    # Where a restore put the files (anemone.files.landing.landed), for every kind of restore.
    "files.landed_in_place": _("%(count)s file(s) back in place in %(area)s/"),
    "files.landed_beside": _("%(count)s kept beside a different current version (%(names)s%(more)s)"),
    "files.landed_unchanged": _("%(count)s already there unchanged"),
    "files.nothing_to_restore": _("nothing to restore"),
}
