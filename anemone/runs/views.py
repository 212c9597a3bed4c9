"""Run history pages and the live progress fragment polled by htmx.

Each page renders runs as ``privacy.run_view_for(request.user, run)`` (a person sees their own items,
never the run-wide log, current item or message of a run that carries other people).
"""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _

from anemone.runs import privacy, registry, services
from anemone.runs.models import RunStatus
from anemone.runs.svg import bytes_per_run_chart


@login_required
def run_list(request: HttpRequest) -> HttpResponse:
    services.reap_stale()
    runs = services.visible_runs(request.user).prefetch_related("items")
    kind = request.GET.get("kind", "")
    status = request.GET.get("status", "")
    if kind:
        runs = runs.filter(kind=kind)
    if status:
        runs = runs.filter(status=status)
    views = privacy.run_views_for(request.user, runs[:200])
    return render(request, "runs/list.html", {
        "title": _("Runs"), "runs": views, "kind": kind, "status": status,
        "statuses": RunStatus.choices, "kinds": registry.choices(), "chart": bytes_per_run_chart(views),
    })


def _get_run(request: HttpRequest, pk: int) -> privacy.RunView:
    run = get_object_or_404(services.visible_runs(request.user).prefetch_related("items"), pk=pk)
    return privacy.run_view_for(request.user, run)


@login_required
def run_detail(request: HttpRequest, pk: int) -> HttpResponse:
    run = _get_run(request, pk)
    return render(request, "runs/detail.html", {"title": _("Run"), "run": run, "items": run.items})


@login_required
def run_progress(request: HttpRequest, pk: int) -> HttpResponse:
    return render(request, "partials/run_progress.html", {"run": _get_run(request, pk)})
