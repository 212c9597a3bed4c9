"""The menu's Restore: every source that keeps this person's files, and their own recent restores."""

from __future__ import annotations

from typing import cast

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from anemone.accounts.models import User
from anemone.restores import registry
from anemone.runs.models import Run


@login_required
def hub(request: HttpRequest) -> HttpResponse:
    person = cast(User, request.user)
    sections = [{"source": source, "offers": source.offers(person)} for source in registry.sources()]
    mine = Run.objects.filter(kind__in=registry.restore_kinds(), target_id=person.pk)[:5]
    return render(request, "restores/hub.html", {
        "title": _("Restore"), "sections": sections, "runs": list(mine),
        "nothing": not any(section["offers"] for section in sections),
    })
