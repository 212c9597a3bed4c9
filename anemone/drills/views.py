""""Run a drill now" on each kind's target page (admins): one view, reached from each app's ``<pk>/drill/`` URL."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from anemone.decorators import admin_required
from anemone.drills import services
from anemone.runs.models import Trigger
from anemone.runs.services import RunActive


@admin_required
@require_POST
def drill_now(request: HttpRequest, pk: int, kind: str, detail: str) -> HttpResponse:
    """``kind``: the backup kind ("cloud"); ``detail``: the URL name of the target's page, to go back to."""
    drill = services.drill_kind(kind)
    target = drill.load(pk)
    if target is None:
        raise Http404
    try:
        services.request_drill(drill, target, trigger=Trigger.MANUAL, user=request.user)
    except RunActive:
        messages.error(request, _("A backup or a drill of %(target)s is already queued or running; try again once "
                                  "it has finished.") % {"target": drill.label_for(target)})
    else:
        messages.success(request, _("Restore drill of %(target)s started.") % {"target": drill.label_for(target)})
    return redirect(detail, pk=pk)
