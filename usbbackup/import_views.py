"""Setup's "Import an existing installation": open while setup is not done, closed afterwards."""

from __future__ import annotations

from pathlib import Path

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from anemone.accounts.setup import setup_done
from usbbackup import detection, repo, restore
from usbbackup.forms import ImportForm


def import_installation(request: HttpRequest) -> HttpResponse:
    """Pick the drive, give the kit → database, keys, settings now; people's files in a background run."""
    if setup_done():
        return redirect("dashboard")
    drives = [d for d in detection.detect_drives() if d.has_backup]
    form = ImportForm(request.POST or None, request.FILES or None, drives=drives)
    if request.method == "POST" and form.is_valid():
        folder = Path(form.cleaned_data["folder"])
        try:
            result = restore.restore_installation(folder, form.cleaned_data["kit_text"], with_users=False)
        except (restore.RestoreError, repo.RepoError) as exc:
            form.add_error(None, str(exc))
        else:
            run = restore.start_users_restore(folder) if form.cleaned_data["with_users"] else None
            return render(request, "usbbackup/import_done.html", {
                "title": _("Installation imported"), "result": result, "run": run})
    return render(request, "usbbackup/import.html", {
        "title": _("Import an existing installation"), "form": form, "roots": detection.configured_roots()})
