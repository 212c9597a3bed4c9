"""P2P pages. Admins: targets (one per peer), back up now, settings, bulk restore after a disaster.
Everyone: restore from their own repositories on peers — snapshots, folders, download, restore here.

Every restore page looks the target up with restore.target_of(request.user, ...) — the one owner-scoped
lookup — so a peer that does not carry the person answers 404 whether or not it exists.
"""

from __future__ import annotations

import functools
import re
import shlex
from datetime import datetime
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from anemone.decorators import admin_required
from anemone.engines import restic
from anemone.files.paths import PathRefused
from anemone.runs import history
from anemone.runs import services as runs
from anemone.runs.models import Run, Trigger
from anemone.runs.schedules import describe
from anemone.runs.services import RunActive, last_runs_by_target
from p2p import backup, hints, kinds, repos, restore, services
from p2p.forms import BulkRestoreForm, PeerTargetForm
from p2p.models import PeerTarget, UserRepository


def _target(pk: int) -> PeerTarget:
    return get_object_or_404(PeerTarget.objects.select_related("peer"), pk=pk)


@admin_required
def index(request: HttpRequest) -> HttpResponse:
    latest = last_runs_by_target(backup.KIND)
    rows = [{"target": target, "schedule": describe(target), "run": latest.get(target.pk),
             "state": history.target_backup_state(backup.KIND, target.pk, target.peer.name),
             "people": list(target.carried_users().order_by("username").values_list("username", flat=True)),
             "reciprocity": services.reciprocity(target.peer)} for target in services.all_targets()]
    return render(request, "p2p/index.html", {"title": _("Peer backups (P2P)"), "rows": rows})


def _detail(request: HttpRequest, target: PeerTarget, bulk_form: BulkRestoreForm, status: int = 200) -> HttpResponse:
    runs = Run.objects.filter(kind__in=[backup.KIND, restore.BULK_KIND], target_id=target.pk)[:20]
    return render(request, "p2p/detail.html", {
        "title": target.peer.name, "target": target, "schedule": describe(target), "runs": runs,
        "repositories": UserRepository.objects.filter(target=target).select_related("user"),
        "reciprocity": services.reciprocity(target.peer), "bulk_form": bulk_form,
    }, status=status)


@admin_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    target = _target(pk)
    return _detail(request, target, BulkRestoreForm(target=target))


@admin_required
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    target = _target(pk)
    form = PeerTargetForm(request.POST or None, instance=target)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_target(form.save(commit=False), users=form.cleaned_data["users"],
                                 carry_everyone=form.cleaned_data["carry_everyone"])
        except ValidationError as exc:
            form.add_error(None, "; ".join(exc.messages))
        else:
            messages.success(request, _("Settings of the backups to %(peer)s saved.") % {"peer": target.peer.name})
            return redirect("p2p:detail", pk=target.pk)
    return render(request, "p2p/edit.html", {"form": form, "target": target,
                                             "title": _("Backups to %(peer)s") % {"peer": target.peer.name}})


@admin_required
@require_POST
def backup_now(request: HttpRequest, pk: int) -> HttpResponse:
    target = _target(pk)
    # "Start a new history" for one person whose repository vanished at the peer: that person only.
    fresh = [name for name in [request.POST.get("new_history", "")] if name]
    try:
        runs.request(kinds.P2PBackup.name, target, trigger=Trigger.MANUAL, user=request.user,
                     options={"users": fresh, **({"new_history": fresh} if fresh else {})})
    except RunActive:
        messages.error(request, _("A backup to %(peer)s is already queued or running.") % {"peer": target.peer.name})
    else:
        messages.success(request, _("Backup to %(peer)s started.") % {"peer": target.peer.name})
    return redirect("p2p:detail", pk=target.pk)


@admin_required
@require_POST
def bulk_restore(request: HttpRequest, pk: int) -> HttpResponse:
    """Typed confirmation, because it writes into every chosen person's area at once."""
    target = _target(pk)
    form = BulkRestoreForm(request.POST, target=target)
    if not form.is_valid():
        return _detail(request, target, form, status=400)
    try:
        restore.request_bulk_restore(target, form.usernames(), requested_by=request.user)
    except RunActive:
        messages.error(request, _("A restore from %(peer)s is already queued or running.") % {"peer": target.peer.name})
    else:
        messages.success(request, _("Restore started: each person's latest backup on %(peer)s comes back into their "
                                    "backup area (into a restored-… folder when the area is not empty).")
                         % {"peer": target.peer.name})
    return redirect("p2p:detail", pk=target.pk)


# Self-service restore ------------------------------------------------------------------------------------

def _error(request: HttpRequest, detail: str, status: int) -> HttpResponse:
    return render(request, "p2p/error.html", {"title": _("Restore"), "detail": detail, "status": status}, status=status)


def restore_errors(view):
    """Log-in required; a peer not carrying the person → 404 (a stranger's peer looks like no peer);
    refused paths, unknown snapshots and restic failures → a readable page (400/404/502), never a 500."""
    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponseBase:
        try:
            return view(request, *args, **kwargs)
        except restore.NotCarried:
            raise Http404 from None
        except PathRefused as exc:
            return _error(request, str(exc), 400)
        except FileNotFoundError as exc:
            return _error(request, str(exc) or _("Not found."), 404)
        except restic.RepositoryMissing:
            return _error(request, _("No backup of yours on this server yet."), 404)
        except restic.ResticError as exc:
            return _error(request, hints.with_hint(exc), 502)
    return login_required(wrapper)


def _when(text: str) -> datetime | None:
    """restic's RFC 3339 times carry nanoseconds, which datetime does not parse: drop the fraction."""
    try:
        return datetime.fromisoformat(re.sub(r"\.\d+", "", text).replace("Z", "+00:00"))
    except ValueError:
        return None


def _crumbs(path: str) -> list[tuple[str, str]]:
    parts = [p for p in path.split("/") if p]
    return [(part, "/".join(parts[: i + 1])) for i, part in enumerate(parts)]


def _my_restores(person) -> list[Run]:
    return list(Run.objects.filter(kind=restore.KIND, target_id=person.pk)[:5])


@restore_errors
def snapshots(request: HttpRequest, peer: str) -> HttpResponse:
    target = restore.target_of(request.user, peer)
    try:
        found = restore.list_snapshots(target, request.user)
    except restic.RepositoryMissing:  # carried, but not backed up yet: nothing to restore, not an error
        found = []
    stats = restore.snapshot_stats(target, request.user, found)
    rows = [{"snapshot": s, "when": _when(s.time), "stats": stats.get(s.id)} for s in found]
    return render(request, "p2p/snapshots.html", {
        "title": _("Restore from %(peer)s") % {"peer": peer}, "target": target, "rows": rows,
        "command": shlex.join(repos.plain_restic_command(target, request.user.username)),
        "runs": _my_restores(request.user),
    })


@restore_errors
def browse(request: HttpRequest, peer: str, snapshot: str) -> HttpResponse:
    target = restore.target_of(request.user, peer)
    path = restore.snapshot_path(request.GET.get("path", "")).strip("/")
    found, nodes = restore.browse_folder(target, request.user, snapshot, path)
    entries = [{"name": n.name, "is_dir": n.type == "dir", "path": n.path.strip("/"), "size": n.size,
                "modified": _when(n.mtime)} for n in nodes]
    return render(request, "p2p/browse.html", {
        "title": _("Restore from %(peer)s") % {"peer": peer}, "target": target, "snapshot": found,
        "when": _when(found.time), "path": path, "crumbs": _crumbs(path), "parent": path.rpartition("/")[0],
        "entries": entries, "beside_example": restore.beside_name_example(found),
    })


@restore_errors
def download(request: HttpRequest, peer: str, snapshot: str) -> HttpResponseBase:
    """Streamed from `restic dump` (a folder as a zip); an error before the first byte is a page."""
    target = restore.target_of(request.user, peer)
    path = request.GET.get("path", "")
    name, content_type, chunks = restore.download(target, request.user, restore.check_snapshot_id(snapshot), path)
    response = StreamingHttpResponse(chunks, content_type=content_type)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    return response


@restore_errors
@require_POST
def restore_here(request: HttpRequest, peer: str, snapshot: str) -> HttpResponse:
    target = restore.target_of(request.user, peer)
    path = restore.snapshot_path(request.POST.get("path", "")).strip("/")
    found = restore.find_snapshot(target, request.user, snapshot)
    if path:
        restore.node_type(target, request.user, found.id, path)  # not in this snapshot: a 404 page, not a queued run
    where = "/".join(p for p in ("backup", path) if p)
    try:
        restore.request_restore(target, request.user, found.id, path=path, requested_by=request.user)
    except RunActive:
        messages.error(request, _("One of your restores is still running: wait for it to finish."))
    else:
        messages.success(request, _("Restore started. Files go back where they were, in %(where)s; a file that "
                                    "changed since stays and the restored one lands beside it as %(example)s. "
                                    "The run below says where everything went.")
                         % {"where": where, "example": restore.beside_name_example(found)})
    return redirect("p2p:snapshots", peer=target.peer.name)
