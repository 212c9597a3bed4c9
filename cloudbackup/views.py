"""Cloud pages: destinations (admin), the SSH key, test, sync now, and restore (everyone)."""

from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.contrib.admin.views.decorators import staff_member_required
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from anemone.engines import ssh
from anemone.engines.rclone import RcloneError
from anemone.files.paths import PathRefused
from anemone.runs.models import Run, Trigger
from anemone.runs.schedules import describe
from anemone.runs.services import RunActive, last_runs_by_target
from cloudbackup import connection, keys, restore, services, sync
from cloudbackup.forms import DestinationForm, RestoreForm
from cloudbackup.models import Destination


@staff_member_required
def index(request: HttpRequest) -> HttpResponse:
    latest = last_runs_by_target(sync.KIND)
    rows = [(d, latest.get(d.pk), describe(d)) for d in Destination.objects.all()]
    public = keys.public_key()
    return render(request, "cloudbackup/index.html", {
        "title": _("Cloud backup"), "rows": rows, "public_key": public,
        "authorized_line": keys.authorized_keys_line(public) if public else "",
        "key_users": [d.name for d in Destination.objects.filter(kind="sftp", password_sealed="")],
    })


@staff_member_required
@require_POST
def generate_key(request: HttpRequest) -> HttpResponse:
    if keys.public_key() and not request.POST.get("confirm"):
        messages.error(request, _("Tick the confirmation: the destinations using the current key will stop working."))
        return redirect("cloudbackup:index")
    keys.generate()
    messages.success(request, _("New SSH key generated. Add its public key to each SFTP server."))
    return redirect("cloudbackup:index")


@staff_member_required
def edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    dest = get_object_or_404(Destination, pk=pk) if pk else Destination()
    form = DestinationForm(request.POST or None, instance=dest, initial={} if pk else {"key_path": keys.KEY_RELATIVE})
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.save_destination(form.save(commit=False), secrets=form.secrets(),
                                              users=form.cleaned_data["users"])
        except (services.DestinationInvalid, ValidationError) as exc:
            form.add_error(None, str(exc) if isinstance(exc, services.DestinationInvalid) else exc)
        else:
            messages.success(request, _("Destination saved. Test its connection."))
            return redirect("cloudbackup:detail", pk=saved.pk)
    return render(request, "cloudbackup/edit.html", {"form": form, "dest": dest,
                                                      "secrets": services.secret_state(dest) if pk else {},
                                                      "title": dest.name or _("New destination")})


@staff_member_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    dest = get_object_or_404(Destination, pk=pk)
    runs = Run.objects.filter(kind=sync.KIND, target_id=dest.pk)[:20]
    pinned = ssh.host_key_fingerprint(dest.host_key) if dest.host_key else ""
    return render(request, "cloudbackup/detail.html", {"dest": dest, "runs": runs, "schedule": describe(dest),
                                                        "secrets": services.secret_state(dest), "title": dest.name,
                                                        "pinned": pinned})


@staff_member_required
@require_POST
def forget_host_key(request: HttpRequest, pk: int) -> HttpResponse:
    dest = get_object_or_404(Destination, pk=pk)
    if not request.POST.get("confirm"):
        messages.error(request, _("Tick the confirmation to forget the pinned host key."))
        return redirect("cloudbackup:detail", pk=pk)
    services.forget_host_key(dest)
    messages.success(request, _("Pinned host key forgotten. Test the connection to pin the key the server shows now: "
                                "compare its fingerprint with the one the server's admin reads with "
                                "ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub."))
    return redirect("cloudbackup:detail", pk=pk)


@staff_member_required
@require_POST
def test(request: HttpRequest, pk: int) -> HttpResponse:
    result = connection.test_connection(get_object_or_404(Destination, pk=pk))
    (messages.success if result.ok else messages.error)(request, result.message)
    return redirect("cloudbackup:detail", pk=pk)


@staff_member_required
@require_POST
def sync_now(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        sync.request_sync(pk, Trigger.MANUAL, request.user, dry_run=bool(request.POST.get("dry_run")))
    except RunActive:
        messages.error(request, _("A sync of this destination is already running."))
    return redirect("cloudbackup:detail", pk=pk)


@staff_member_required
@require_POST
def delete(request: HttpRequest, pk: int) -> HttpResponse:
    dest = get_object_or_404(Destination, pk=pk)
    if request.POST.get("confirm_name") != dest.name:
        messages.error(request, _("Type the destination's name to delete it."))
        return redirect("cloudbackup:detail", pk=pk)
    services.delete_destination(dest)
    messages.success(request, _("Destination removed. Its remote copy was left untouched."))
    return redirect("cloudbackup:index")


def _listed_versions(request: HttpRequest, mine) -> tuple[Destination | None, list[str] | None]:  # type: ignore[no-untyped-def]
    """The destination chosen with "List versions" (?destination=pk) and its version times for this person."""
    chosen = mine.filter(pk=request.GET.get("destination")).first() if request.GET.get("destination", "").isdigit() else None
    if chosen is None:
        return None, None
    try:
        return chosen, restore.versions(chosen, request.user)
    except RcloneError as exc:
        messages.error(request, _("Could not list the versions of %(name)s: %(why)s") % {"name": chosen.name, "why": exc})
        return chosen, None


@login_required
def restore_page(request: HttpRequest) -> HttpResponse:
    mine = Destination.objects.filter(pk__in=[d.pk for d in Destination.objects.all()
                                             if d.carried_users().filter(pk=request.user.pk).exists()])
    chosen, versions = _listed_versions(request, mine) if request.method == "GET" else (None, None)
    form = RestoreForm(request.POST or None, destinations=mine, versions=versions,
                       initial={"destination": chosen} if chosen else None)
    if request.method == "POST" and form.is_valid():
        try:
            restore.request_restore(form.cleaned_data["destination"], request.user, path=form.cleaned_data["path"],
                                    version=form.cleaned_data["version"], requested_by=request.user)
        except (PathRefused, RunActive) as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("Restore started: it lands in a restored-… folder of your backup area."))
            return redirect("cloudbackup:restore")
    runs = Run.objects.filter(kind=restore.KIND, target_id=cast(int, request.user.pk))[:10]  # login_required
    return render(request, "cloudbackup/restore.html", {"form": form, "runs": runs, "title": _("Restore from the cloud"),
                                                         "destinations": mine, "chosen": chosen, "versions": versions})
