"""``run|seen_by:request.user``: the privacy rule of runs, applied where a template shows a run.

The progress fragment is included by many pages (run list, dashboards, each app's history); filtering
there means a page whose view forgot to make RunViews still shows a person only their own part.
"""

from __future__ import annotations

from typing import Any

from django import template

from anemone.runs import privacy
from anemone.runs.models import Run

register = template.Library()


@register.filter
def seen_by(run: Run | privacy.RunView | None, viewer: Any) -> privacy.RunView | None:
    if run is None or run == "":
        return None
    return privacy.run_view_for(viewer if getattr(viewer, "pk", None) else None, run)
