"""The audit log page (admins): newest first, filtered, 50 per page. Read-only: nothing here writes."""

from __future__ import annotations

from django.conf import settings
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from anemone.audit import services
from anemone.audit.forms import AuditFilterForm
from anemone.decorators import admin_required

PAGE_SIZE = 50


@admin_required
def log(request: HttpRequest) -> HttpResponse:
    form = AuditFilterForm(request.GET or None)
    page = Paginator(services.entries(**form.filters()), PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [{"entry": entry, "who": services.actor_label(entry), "what": services.type_name(entry.content_type),
             "action": services.event_label(entry), "code": services.event_code(entry),
             "changes": services.changes(entry), "details": _details(entry)} for entry in page]
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "audit/log.html", {"title": _("Audit log"), "form": form, "page": page, "rows": rows,
                                              "query": query.urlencode(),
                                              "keep_days": settings.ANEMONE_AUDIT_KEEP_DAYS})


def _details(entry) -> list[tuple[str, str]]:
    return [(key, str(value)) for key, value in services.details(entry).items()]
