"""Files and Trash pages. All logic is in services/uploads/trash.

A refused action answers with the folder's page, its reason as a message and a 4xx status (400; 507 for
a full disk), never a redirect that looks like success and never a 500. Deleting for good asks first.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from anemone.files import downloads, paths, services, trash, uploads
from anemone.files.paths import PathRefused
from anemone.files.usage import DiskFull, QuotaExceeded, usage_bars

REFUSALS = (PathRefused, QuotaExceeded, DiskFull, FileNotFoundError, trash.TrashEntryMissing)


def _reason(exc: Exception) -> str:
    if isinstance(exc, FileNotFoundError):
        return _("No such file or folder.")
    if isinstance(exc, trash.TrashEntryMissing):
        return _("No such item.")
    return str(exc)


def _status(exc: Exception) -> int:
    return 507 if isinstance(exc, DiskFull) else 400


def _area(request: HttpRequest) -> str:
    area = request.GET.get("area") or request.POST.get("area") or "backup"
    if area not in paths.AREAS:
        raise Http404
    return area


def browse_url(area: str, path: str = "") -> str:
    return reverse("files:browse") + "?" + urlencode({"area": area, "path": path})


def _crumbs(path: str) -> list[tuple[str, str]]:
    parts = [p for p in path.split("/") if p]
    return [(part, "/".join(parts[: i + 1])) for i, part in enumerate(parts)]


def _page(request: HttpRequest, area: str, path: str, status: int = 200) -> HttpResponse:
    """The folder's page; when the folder itself cannot be shown, the area's top with the reason."""
    try:
        entries = services.list_dir(request.user, area, path)
    except REFUSALS as exc:
        if not path:
            messages.error(request, _reason(exc))
            return render(request, "files/browse.html", {"entries": [], "area": area, "areas": paths.AREAS},
                          status=status if status != 200 else 404)
        if status == 200:
            messages.error(request, str(exc) if not isinstance(exc, FileNotFoundError) else _("No such folder."))
            return redirect(browse_url(area))
        return _page(request, area, "", status)
    return render(request, "files/browse.html", {
        "title": _("Files"), "area": area, "path": path, "entries": entries, "crumbs": _crumbs(path),
        "parent": path.rpartition("/")[0], "usage": usage_bars(request.user), "areas": paths.AREAS,
    }, status=status)


def _refused(request: HttpRequest, area: str, folder: str, exc: Exception, prefix: str = "") -> HttpResponse:
    messages.error(request, f"{prefix}{_reason(exc)}")
    return _page(request, area, folder, _status(exc))


@login_required
def browse(request: HttpRequest) -> HttpResponse:
    return _page(request, _area(request), request.GET.get("path", ""))


@login_required
def download(request: HttpRequest) -> HttpResponseBase:
    area, path = _area(request), request.GET.get("path", "")
    try:
        real = paths.resolve(request.user, area, path, must_exist=True)
    except (PathRefused, FileNotFoundError):
        raise Http404 from None
    if not real.is_file():
        raise Http404
    return downloads.file_response(request, real)


@login_required
@require_POST
def upload(request: HttpRequest) -> HttpResponse:
    area, folder = _area(request), request.POST.get("path", "")
    files = request.FILES.getlist("file")
    if not files:  # Django drops a file part whose name is empty: say so instead of uploading nothing
        return _refused(request, area, folder, PathRefused(uploads.no_file_message()))
    refusal: Exception | None = None
    for upload_file in files:
        try:
            uploads.save_upload(request.user, area, folder, upload_file)
        except REFUSALS as exc:
            messages.error(request, f"{upload_file.name}: {_reason(exc)}")
            refusal = refusal or exc
        else:
            messages.success(request, _("%(name)s uploaded.") % {"name": upload_file.name})
    if refusal is not None:
        return _page(request, area, folder, _status(refusal))
    return redirect(browse_url(area, folder))


def _action(request: HttpRequest, operation, success: str) -> HttpResponse:
    area, path = _area(request), request.POST.get("path", "")
    folder = request.POST.get("folder", path.rpartition("/")[0])
    try:
        operation(area, path)
    except REFUSALS as exc:
        return _refused(request, area, folder, exc)
    messages.success(request, success)
    return redirect(browse_url(area, folder))


@login_required
@require_POST
def mkdir(request: HttpRequest) -> HttpResponse:
    folder, name = request.POST.get("path", ""), request.POST.get("name", "")
    area = _area(request)
    try:
        paths.validate_name(name)  # the name alone: "a/b" typed in the box is not a path to create
        services.mkdir(request.user, area, f"{folder}/{name}".lstrip("/"))
    except REFUSALS as exc:
        return _refused(request, area, folder, exc)
    return redirect(browse_url(area, folder))


@login_required
@require_POST
def rename(request: HttpRequest) -> HttpResponse:
    new_name = request.POST.get("new_name", "")
    return _action(request, lambda area, path: services.rename(request.user, area, path, new_name), _("Renamed."))


@login_required
@require_POST
def delete(request: HttpRequest) -> HttpResponse:
    return _action(request, lambda area, path: services.delete(request.user, area, path), _("Moved to the trash."))


@login_required
def trash_page(request: HttpRequest) -> HttpResponse:
    return render(request, "files/trash.html", {"title": _("Trash"), "entries": trash.list_trash(request.user)})


def _confirm_page(request: HttpRequest, operation: str, entry_id: str) -> HttpResponse:
    """Deleting for good cannot be undone: a page says what goes and asks (a step of its own, not a JS dialog)."""
    if operation == "delete":
        entries = [trash.get_entry(request.user, entry_id)]
    else:
        entries = trash.list_trash(request.user)
    return render(request, "files/trash_confirm.html", {
        "title": _("Delete for good?"), "operation": operation, "entry_id": entry_id, "entries": entries,
        "total": sum(e.size for e in entries),
    })


@login_required
@require_POST
def trash_action(request: HttpRequest) -> HttpResponse:
    operation, entry_id = request.POST.get("action"), request.POST.get("id", "")
    try:
        if operation in ("delete", "empty") and request.POST.get("confirm") != "yes":
            return _confirm_page(request, operation, entry_id)
        if operation == "restore":
            where = trash.restore(request.user, entry_id)
            messages.success(request, _("Restored to %(path)s.") % {"path": where})
        elif operation == "delete":
            trash.delete_entry(request.user, entry_id)
            messages.success(request, _("Deleted for good."))
        elif operation == "empty":
            count, _freed = trash.empty(request.user)
            messages.success(request, _("Trash emptied (%(count)s items).") % {"count": count})
    except REFUSALS as exc:
        messages.error(request, _reason(exc))
        return render(request, "files/trash.html", {"title": _("Trash"), "entries": trash.list_trash(request.user)},
                      status=_status(exc))
    return redirect("files:trash")
